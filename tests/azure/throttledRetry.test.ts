/**
 * A 429 costs what the service asked, on a virtual clock (issue 15): 1 to 8 requests refused
 * one after another (each while the first one's wait is pending), through the ARM pacing policy
 * and through a registry's read cap, in a real pipeline over a scripted HTTP client. Each
 * refused request is sent again exactly at its refusal + Retry-After; the refusals share one
 * hold and lower the rate once; a new request waits out the hold and no more than the tokens
 * the retries spent. Until issue 15 each refusal halved the rate and kept the debt of the ones
 * before: four of them with Retry-After 2 held the next request about 20 s.
 *
 * The retry loop is the test's: `sdk` waits Retry-After on the virtual clock before sending
 * again, as core-rest-pipeline's throttling strategy does on its timer (the bucket must add
 * nothing to it); `at once` sends again immediately (the bucket alone must hold the retry
 * until its time, and not a moment longer).
 */
import { strict as assert } from 'node:assert';
import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelinePolicy,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { ArmBudgets, armPacingPolicy } from '../../src/azure/arm/armPacing';
import { readLimitPolicy } from '../../src/azure/dataplane/acrPipeline';
import { RegistryReadCaps } from '../../src/azure/http/readCap';
import { retryAfterOf } from '../../src/azure/http/retryAfter';
import type { TokenBucket } from '../../src/azure/http/tokenBucket';
import { ManualClock, runUntil } from './support/manualClock';

const SUB = 'aaaaaaaa-0000-4000-8000-000000000001';
const ARM = 'https://management.example';
const IMPORT = `${ARM}/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r/importImage?api-version=2025-11-01`;
const TAGS = 'https://reg.example/acr/v1/app/_tags';
const RETRY_AFTER_MS = 2000;
/** Refusals arrive this far apart: each one while the first one's hold is pending. */
const STAGGER_MS = 100;

/** A paced policy and its bucket: ARM writes (200, 10/s; reserve 2) or a read cap of 10/s on a Basic registry. */
interface Paced {
  name: string;
  policy: PipelinePolicy;
  bucket: TokenBucket;
  method: 'POST' | 'GET';
  url: string;
}

function armWrites(clock: ManualClock): Paced {
  const budgets = new ArmBudgets({ writes: { capacity: 200, refillPerSecond: 10 } }, clock);
  return { name: 'ARM writes', policy: armPacingPolicy(budgets, SUB), bucket: budgets.budget('writes', SUB)!.bucket, method: 'POST', url: IMPORT };
}

function readCap(clock: ManualClock): Paced {
  const bucket = new RegistryReadCaps(10, clock).of('reg.example', 'Basic');
  return { name: 'registry read cap', policy: readLimitPolicy(bucket), bucket, method: 'GET', url: TAGS };
}

/** The test's retry loop, outside the paced policy as the SDK's retry policy is. */
function retryLoop(clock: ManualClock, mode: 'sdk' | 'at once'): PipelinePolicy {
  return {
    name: 'testRetry',
    async sendRequest(request, next) {
      for (;;) {
        const response = await next(request);
        if (response.status !== 429) return response;
        if (mode === 'sdk') await new Promise<void>((resolve) => clock.after(retryAfterOf(response.headers), resolve));
      }
    },
  };
}

/**
 * The service: holds every first attempt until the test refuses it (429, Retry-After 2 s) and
 * accepts every later attempt; records when each attempt arrived (virtual ms).
 */
function service(clock: ManualClock) {
  const arrivals = new Map<string, number[]>();
  const pending: { id: string; refuse: () => void }[] = [];
  const client: HttpClient = {
    sendRequest(request) {
      const id = request.headers.get('x-test-id') ?? '?';
      const times = arrivals.get(id) ?? [];
      times.push(clock.now());
      arrivals.set(id, times);
      const answer = (status: number, headers: Record<string, string> = {}): PipelineResponse => ({ request, status, headers: createHttpHeaders(headers) });
      if (times.length > 1 || id.startsWith('new')) return Promise.resolve(answer(202));
      return new Promise((resolve) => pending.push({ id, refuse: () => resolve(answer(429, { 'Retry-After': String(RETRY_AFTER_MS / 1000) })) }));
    },
  };
  return { client, arrivals, pending };
}

for (const make of [armWrites, readCap]) {
  for (const mode of ['sdk', 'at once'] as const) {
    describe(`azure/throttled retries: ${make(new ManualClock()).name}, retry loop ${mode}`, () => {
      for (let n = 1; n <= 8; n++) {
        it(`${n} concurrent 429${n > 1 ? 's' : ''}: each retry at its refusal + Retry-After exactly; one hold, the rate halved once`, async () => {
          const clock = new ManualClock();
          const paced = make(clock);
          const configured = paced.bucket.settings.refillPerSecond;
          const s = service(clock);
          const pipeline = createEmptyPipeline();
          pipeline.addPolicy(retryLoop(clock, mode));
          pipeline.addPolicy(paced.policy);
          const send = (id: string): Promise<PipelineResponse> =>
            pipeline.sendRequest(s.client, createPipelineRequest({ url: paced.url, method: paced.method, headers: createHttpHeaders({ 'x-test-id': id }) }));

          const t0 = clock.now();
          const first = Array.from({ length: n }, (_, i) => send(`r${i}`));
          await runUntil(clock, t0);
          assert.equal(s.pending.length, n, 'all on the wire at once');
          const refusedAt: number[] = [];
          for (let i = 0; i < n; i++) {
            await runUntil(clock, t0 + i * STAGGER_MS);
            s.pending[i].refuse();
            refusedAt.push(clock.now());
            await runUntil(clock, clock.now());
          }
          const holdEnd = refusedAt[n - 1] + RETRY_AFTER_MS;
          assert.equal(paced.bucket.heldUntil, holdEnd, 'one hold, to the last refusal’s Retry-After');
          assert.equal(paced.bucket.refillPerSecond, configured / 2, 'the rate halved once, not once per refusal');

          // A new request, sent while the hold is pending.
          const late = send('new');
          await runUntil(clock, holdEnd + 10_000);
          const answers = await Promise.all([...first, late]);
          assert.ok(answers.every((a) => a.status === 202));

          for (let i = 0; i < n; i++) {
            assert.deepEqual(s.arrivals.get(`r${i}`), [t0, refusedAt[i] + RETRY_AFTER_MS], `r${i}: sent again exactly Retry-After after its refusal`);
          }
          // The new request: not before the hold ends, then as soon as the tokens the n retries
          // spent (the bucket was emptied by the refusals) and a token with the reserve are
          // back at the halved rate — which the successes of the retries have already raised.
          const arrived = s.arrivals.get('new')![0];
          const missing = n + 1 + paced.bucket.reserve;
          assert.ok(arrived >= holdEnd, `new request at +${arrived - holdEnd} ms after the hold`);
          assert.ok(arrived <= holdEnd + Math.ceil((missing * 1000) / (configured / 2)), `new request at +${arrived - holdEnd} ms after the hold`);
          assert.equal(clock.pendingTimers, 0, 'no timer left behind');
        });
      }
    });
  }
}

/** The service: refuses the first `times` attempts of every request (429, Retry-After 2 s), then accepts; records arrivals. */
function stubbornService(clock: ManualClock, times: number) {
  const arrivals = new Map<string, number[]>();
  const client: HttpClient = {
    sendRequest(request) {
      const id = request.headers.get('x-test-id') ?? '?';
      const seen = arrivals.get(id) ?? [];
      seen.push(clock.now());
      arrivals.set(id, seen);
      const refuse = !id.startsWith('new') && seen.length <= times;
      const headers = createHttpHeaders(refuse ? { 'Retry-After': String(RETRY_AFTER_MS / 1000) } : {});
      return Promise.resolve({ request, status: refuse ? 429 : 202, headers });
    },
  };
  return { client, arrivals };
}

for (const make of [armWrites, readCap]) {
  describe(`azure/throttled retries: one request refused again and again, ${make(new ManualClock()).name}`, () => {
    for (const times of [2, 4, 7]) {
      it(`refused ${times} times in a row: each retry at its refusal + Retry-After, the rate halved once, a new request held only by the hold and the retries' tokens`, async () => {
        const clock = new ManualClock();
        const paced = make(clock);
        const configured = paced.bucket.settings.refillPerSecond;
        const s = stubbornService(clock, times);
        const pipeline = createEmptyPipeline();
        pipeline.addPolicy(retryLoop(clock, 'sdk'));
        pipeline.addPolicy(paced.policy);
        const send = (id: string): Promise<PipelineResponse> =>
          pipeline.sendRequest(s.client, createPipelineRequest({ url: paced.url, method: paced.method, headers: createHttpHeaders({ 'x-test-id': id }) }));

        const t0 = clock.now();
        const stubborn = send('r0');
        await runUntil(clock, t0 + 1);
        const fresh = send('new');
        await runUntil(clock, t0 + times * RETRY_AFTER_MS + 60_000);
        assert.equal((await stubborn).status, 202);
        assert.equal((await fresh).status, 202);

        const expected = Array.from({ length: times + 1 }, (_, i) => t0 + i * RETRY_AFTER_MS);
        assert.deepEqual(s.arrivals.get('r0'), expected, 'every retry exactly Retry-After after its refusal');
        assert.equal(paced.bucket.refillPerSecond > configured / 2 - 1e-9, true, `rate ${paced.bucket.refillPerSecond}/s: halved once at most (configured ${configured}/s)`);
        // Held until the last hold ends, then by the tokens the retries spent and one with the
        // reserve, at no less than half the configured rate — not by a rate cut per refusal.
        const lastHold = t0 + times * RETRY_AFTER_MS;
        const arrived = s.arrivals.get('new')![0];
        const bound = lastHold + Math.ceil(((times + 1 + paced.bucket.reserve) * 1000) / (configured / 2));
        assert.ok(arrived >= lastHold && arrived <= bound, `new request at ${arrived - t0} ms, hold ended at ${lastHold - t0} ms, bound ${bound - t0} ms`);
        assert.equal(clock.pendingTimers, 0, 'no timer left behind');
      });
    }
  });
}

describe('azure/throttled retries: a wait longer than the longest retry delay', () => {
  it('holds a capped registry no longer than that: such a 429 fails its request (oci/longWait.ts), the others must meet theirs soon', async () => {
    const clock = new ManualClock();
    const bucket = new RegistryReadCaps(10, clock).of('registry-1.docker.io');
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(readLimitPolicy(bucket, 60_000));
    const client: HttpClient = {
      sendRequest: (request) => Promise.resolve({ request, status: 429, headers: createHttpHeaders({ 'Retry-After': '21600' }) }),
    };
    const t0 = clock.now();
    const refused = await pipeline.sendRequest(client, createPipelineRequest({ url: 'https://registry-1.docker.io/v2/' }));
    assert.equal(refused.status, 429);
    assert.equal(bucket.heldUntil, t0 + 60_000, 'six hours asked, one minute held');
  });
});

describe('azure/throttled retries without Retry-After', () => {
  it('refusals of requests sent before the first refusal was known lower the rate once', async () => {
    const clock = new ManualClock();
    const bucket = new RegistryReadCaps(8, clock).of('reg.example', 'Basic');
    const sentAt = clock.now();
    await clock.advance(50);
    for (let i = 0; i < 4; i++) {
      assert.equal(bucket.throttled(0, sentAt), clock.now(), 'no wait asked: the retry may go now');
      await clock.advance(10);
    }
    assert.equal(bucket.refillPerSecond, 4, 'one episode');
    // A request sent after the cut and refused again is news: the rate halves again.
    bucket.throttled(0, clock.now());
    assert.equal(bucket.refillPerSecond, 2);
  });

  it('reads the wait as the SDK does: retry-after-ms, then x-ms-retry-after-ms, then Retry-After (seconds or a date)', () => {
    const h = (headers: Record<string, string>) => createHttpHeaders(headers);
    assert.equal(retryAfterOf(h({ 'retry-after-ms': '1500', 'Retry-After': '9' })), 1500);
    assert.equal(retryAfterOf(h({ 'x-ms-retry-after-ms': '250' })), 250);
    assert.equal(retryAfterOf(h({ 'Retry-After': '2' })), 2000);
    const now = Date.parse('2026-12-04T12:00:00Z');
    assert.equal(retryAfterOf(h({ 'Retry-After': 'Fri, 04 Dec 2026 12:00:03 GMT' }), now), 3000);
    assert.equal(retryAfterOf(h({ 'Retry-After': 'soon' })), 0);
    assert.equal(retryAfterOf(h({})), 0);
  });
});
