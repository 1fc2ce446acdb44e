/**
 * The ARM pacing policy on a manual clock, in a real pipeline over a scripted HTTP client:
 * writes and reads drawn from separate per-subscription buckets, a burst held to the bucket,
 * the remaining-writes header lowering the level (less the writes still in flight), and a
 * 429 emptying it.
 */
import { strict as assert } from 'node:assert';
import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { ArmBudgets, armPacingPolicy, kindOf, remainingOf, reserveOf } from '../../src/azure/arm/armPacing';
import { ManualClock, settle } from './support/manualClock';

const SUB = 'aaaaaaaa-0000-4000-8000-000000000001';
const OTHER = 'bbbbbbbb-0000-4000-8000-000000000002';
const ARM = 'https://management.example';
const importUrl = (sub: string): string =>
  `${ARM}/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r/importImage?api-version=2025-11-01`;

/** Answers with the given status and headers; `hold` keeps answers back until released. */
function server(answer: (request: PipelineRequest) => { status: number; headers?: Record<string, string> }) {
  const held: (() => void)[] = [];
  let holding = false;
  const client: HttpClient = {
    sendRequest(request): Promise<PipelineResponse> {
      const { status, headers = {} } = answer(request);
      const response = { request, status, headers: createHttpHeaders(headers) };
      if (!holding) return Promise.resolve(response);
      return new Promise((resolve) => held.push(() => resolve(response)));
    },
  };
  return {
    client,
    hold: () => {
      holding = true;
    },
    /** Lets the first `n` held answers go (all by default) and stops holding once none are left. */
    release: async (n = held.length) => {
      held.splice(0, n).forEach((f) => f());
      if (held.length === 0) holding = false;
      await settle();
    },
  };
}

function pipelineWith(budgets: ArmBudgets, clientSub = SUB) {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(armPacingPolicy(budgets, clientSub));
  return pipeline;
}

describe('azure/armPacing', () => {
  it("keeps a fifth of a second's refill in reserve, never the whole bucket", () => {
    assert.equal(reserveOf({ capacity: 200, refillPerSecond: 10 }), 2);
    assert.equal(reserveOf({ capacity: 250, refillPerSecond: 25 }), 5);
    assert.equal(reserveOf({ capacity: 5, refillPerSecond: 5 }), 1);
    assert.equal(reserveOf({ capacity: 1, refillPerSecond: 100 }), 0);
    const budgets = new ArmBudgets({ writes: { capacity: 200, refillPerSecond: 10 } });
    assert.equal(budgets.budget('writes', SUB)!.bucket.reserve, 2);
  });

  it('tells reads from writes and reads the remaining headers', () => {
    assert.equal(kindOf('GET'), 'reads');
    assert.equal(kindOf('post'), 'writes');
    assert.equal(kindOf('PUT'), 'writes');
    const headers = createHttpHeaders({ 'x-ms-ratelimit-remaining-subscription-writes': '17', 'x-ms-ratelimit-remaining-subscription-global-writes': '40' });
    assert.equal(remainingOf(headers, 'writes'), 17);
    assert.equal(remainingOf(headers, 'reads'), undefined);
    assert.equal(remainingOf(createHttpHeaders({ 'x-ms-ratelimit-remaining-subscription-reads': 'soon' }), 'reads'), undefined);
  });

  it('holds a burst of writes to the bucket, per subscription named in the URL', async () => {
    const clock = new ManualClock();
    const budgets = new ArmBudgets({ writes: { capacity: 4, refillPerSecond: 2 }, reads: { capacity: 100, refillPerSecond: 10 } }, clock);
    const pipeline = pipelineWith(budgets, OTHER);
    const { client } = server(() => ({ status: 202 }));
    let answered = 0;
    const burst = Array.from({ length: 5 }, () => pipeline.sendRequest(client, createPipelineRequest({ url: importUrl(SUB), method: 'POST' })).then(() => answered++));
    await settle();
    assert.equal(answered, 3, 'the bucket holds four, one of them kept in reserve');
    await clock.advance(499);
    assert.equal(answered, 3);
    await clock.advance(1);
    assert.equal(answered, 4, 'one more every half second');
    await clock.advance(500);
    await Promise.all(burst);
    assert.equal(answered, 5);
    // Writes to another subscription, and reads, have budgets of their own.
    await pipeline.sendRequest(client, createPipelineRequest({ url: importUrl(OTHER), method: 'POST' }));
    await pipeline.sendRequest(client, createPipelineRequest({ url: `${ARM}/subscriptions/${SUB}/providers/x?api-version=1`, method: 'GET' }));
    assert.ok(budgets.budget('writes', OTHER)!.bucket.level >= 2.9);
    assert.ok(budgets.budget('reads', SUB)!.bucket.level >= 98.9);
    // A URL without a subscription is the client's own.
    await pipeline.sendRequest(client, createPipelineRequest({ url: `${ARM}/providers/Microsoft.ContainerRegistry/operations`, method: 'GET' }));
    assert.ok(budgets.budget('reads', OTHER)!.bucket.level < 100);
  });

  it('lowers the level to the remaining writes ARM reports, less the writes still in flight', async () => {
    const clock = new ManualClock();
    const budgets = new ArmBudgets({ writes: { capacity: 200, refillPerSecond: 10 } }, clock);
    const pipeline = pipelineWith(budgets);
    const budget = (): { bucket: { level: number }; inFlight: number } => budgets.budget('writes', SUB)!;
    let remaining = 12;
    const s = server(() => ({ status: 202, headers: { 'x-ms-ratelimit-remaining-subscription-writes': String(remaining--) } }));
    s.hold();
    const three = [0, 1, 2].map(() => pipeline.sendRequest(s.client, createPipelineRequest({ url: importUrl(SUB), method: 'POST' })));
    await settle();
    assert.equal(budget().inFlight, 3);
    assert.equal(budget().bucket.level, 197);
    await s.release(1);
    // ARM counted 12 left after the first; the two still out will take two more of those.
    assert.equal(budget().bucket.level, 10);
    await s.release();
    await Promise.all(three);
    assert.equal(budget().bucket.level, 10, '11 − 1, then 10 − 0');
    assert.equal(budget().inFlight, 0);
    assert.equal(budgets.budget('reads', SUB), undefined, 'reads not paced here');
  });

  it('on a 429 holds new requests for Retry-After and halves the rate; successes win it back', async () => {
    const clock = new ManualClock();
    const budgets = new ArmBudgets({ writes: { capacity: 50, refillPerSecond: 10 } }, clock);
    const pipeline = pipelineWith(budgets);
    const refusedAt = clock.now();
    const response = await pipeline.sendRequest(
      server(() => ({ status: 429, headers: { 'Retry-After': '3' } })).client,
      createPipelineRequest({ url: importUrl(SUB), method: 'POST' }),
    );
    assert.equal(response.status, 429);
    const bucket = budgets.budget('writes', SUB)!.bucket;
    assert.equal(bucket.refillPerSecond, 5);
    assert.equal(bucket.level, 0, 'nothing left');
    assert.equal(bucket.heldUntil, refusedAt + 3000, 'new requests held for the Retry-After');
    // A new request waits out the hold, then a token and the reserve (3) at the halved rate: 600 ms.
    let answered = false;
    const next = pipeline
      .sendRequest(server(() => ({ status: 202 })).client, createPipelineRequest({ url: importUrl(SUB), method: 'POST' }))
      .then((r) => {
        answered = true;
        return r;
      });
    await clock.advance(3599);
    assert.equal(answered, false);
    await clock.advance(1);
    assert.equal((await next).status, 202);
    assert.ok(bucket.refillPerSecond > 5 && bucket.refillPerSecond <= 5.1 + 1e-9, String(bucket.refillPerSecond));
  });

  it('lets one client keep its own write budget while sharing the reads', () => {
    const shared = new ArmBudgets({ writes: { capacity: 200, refillPerSecond: 10 }, reads: { capacity: 250, refillPerSecond: 25 } });
    const own = shared.withOwn('writes', { capacity: 5, refillPerSecond: 1 });
    assert.equal(own.budget('reads', SUB), shared.budget('reads', SUB));
    assert.notEqual(own.budget('writes', SUB), shared.budget('writes', SUB));
    assert.equal(own.budget('writes', SUB)!.bucket.settings.capacity, 5);
    assert.equal(shared.withOwn('writes', undefined).budget('writes', SUB), undefined);
  });
});
