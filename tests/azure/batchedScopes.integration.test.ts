/**
 * Several repository scopes per registry token request (docs/decisions/005), over HTTPS
 * against the emulator, through `connect()` and the engine's own `runSync`:
 * - planning N repositories costs about N / MAX_SCOPES_PER_TOKEN_REQUEST token requests per
 *   registry instead of N, every repository scope is asked for once, and the plan is the same
 *   as with one scope per request;
 * - a real run (imports, index-size check, read-back) works on the batched tokens;
 * - a registry that refuses a several-scope request gets one scope per request from then on.
 */
import { strict as assert } from 'node:assert';
import { MAX_SCOPES_PER_TOKEN_REQUEST } from '../../src/azure/dataplane/acrTokens';
import { createAcrRegistryReader } from '../../src/azure/dataplane/registryReader';
import type { AcrTokenRequestRecord } from '../../testkit/emulator/api';
import type { RunPlan } from '../../src/engine/events';
import { parseOptions } from '../../src/options/parse';
import { runSync } from '../../src/engine/sync';
import { connectSrcToDst, imageTags, startHarness, syncer, withoutOptionalReads, srcToDst, type Harness } from './support/emulatorHarness';

const SYNCER = 'c11e47a1-0000-4000-8000-0000000000e1';
const REPOSITORIES = 100;
const K = MAX_SCOPES_PER_TOKEN_REQUEST;
const name = (i: number): string => `team/repo${String(i).padStart(3, '0')}`;
const metadataRead = (repository: string): string => `repository:${repository}:metadata_read`;
const isPull = (scope: string): boolean => scope.endsWith(':pull');

describe('azure: several repository scopes per token request (emulator)', function () {
  this.timeout(120_000);
  let h: Harness;

  before(async () => {
    const source: Record<string, ReturnType<typeof imageTags>> = {};
    const target: Record<string, ReturnType<typeof imageTags>> = {};
    for (let i = 0; i < REPOSITORIES; i++) {
      source[name(i)] = imageTags(3, 'v', `r${i}`);
      // 60 repositories already in the target, every fifth of them one tag behind.
      if (i < 60) target[name(i)] = i % 5 === 0 ? imageTags(2, 'v', `r${i}`) : imageTags(3, 'v', `r${i}`);
    }
    h = await startHarness({
      importRetryAfterSeconds: 0,
      importDurationMs: 0,
      fixture: {
        principals: [syncer(SYNCER)],
        subscriptions: srcToDst(source, target),
      },
    });
  });
  after(async () => h?.stop());
  beforeEach(() => h.emulator.log.clear());
  afterEach(() => h.emulator.clearFaults());

  /** The scopes of each answered token request of one registry, in order. */
  const tokenRequests = (registry: string): string[][] =>
    h.emulator.log
      .entries()
      .filter((e) => e.service === `acr:${registry}` && e.route === 'acr.token' && e.status === 200)
      .map((e) => (e.body as AcrTokenRequestRecord).scopes);

  async function sync(dryRun: boolean, hint: boolean): Promise<{ plan: RunPlan; result: string }> {
    const conn = await connectSrcToDst(h, SYNCER, { importer: { pollIntervalMs: 20 } });
    const ports = hint
      ? { source: conn.ports.source, target: conn.ports.target, importer: conn.ports.importer }
      : { source: withoutOptionalReads(conn.ports.source), target: withoutOptionalReads(conn.ports.target), importer: conn.ports.importer };
    let plan: RunPlan | undefined;
    const report = await runSync(parseOptions({ sourceRegistry: 'srcreg', targetRegistry: 'dstreg', dryRun }).sync, ports, {
      toolVersion: 'test',
      events: { planned: (p) => (plan = p) },
    });
    assert.ok(plan);
    return { plan, result: report.result };
  }

  it(`plans ${REPOSITORIES} repositories with about ${REPOSITORIES}/${K} token requests per registry, and the same plan as one scope per request`, async () => {
    const batched = await sync(true, true);
    // The referrers of the digests to import are listed too (decision 012), with `pull` tokens
    // asked for in batches of their own, after the plan: counted apart.
    const all = { source: tokenRequests('srcreg'), target: tokenRequests('dstreg') };
    const source = all.source.filter((scopes) => !scopes.some(isPull));
    const target = all.target.filter((scopes) => !scopes.some(isPull));
    const ideal = Math.ceil(REPOSITORIES / K);
    const withWork = 40 + 12;
    const pulls = all.source.filter((scopes) => scopes.some(isPull));
    assert.ok(pulls.every((scopes) => scopes.every(isPull)), 'pull scopes travel in requests of their own');
    assert.equal(pulls.flat().length, withWork, 'one pull scope per repository with imports, asked for once');
    assert.ok(pulls.length <= Math.ceil(withWork / K) + 1, `${pulls.length} pull token requests`);
    // The target's referrers are listed only for subjects the source lists some for: none here.
    assert.equal(all.target.filter((scopes) => scopes.some(isPull)).length, 0, 'no target referrers listing, no pull token');
    const subjects = batched.plan.repositories.reduce((n, r) => n + new Set(r.plan?.groups.map((g) => g.sourceDigest)).size, 0);
    assert.equal(h.emulator.log.count('acr.referrers'), subjects, 'one source listing per digest to import, none in the target');
    // The source signs in first (its catalog token); then its repositories, K at a time. The
    // target's first listings ask concurrently and out of order, so one more partial request may occur.
    assert.deepEqual(source[0], ['registry:catalog:*']);
    assert.ok(source.length - 1 >= ideal && source.length - 1 <= ideal + 1, `source: ${source.length - 1} repository token requests`);
    assert.ok(target.length >= ideal && target.length <= ideal + 1, `target: ${target.length} token requests`);
    for (const requests of [source.slice(1), target]) {
      const asked = requests.flat();
      assert.equal(asked.length, REPOSITORIES, 'every repository scope asked for once');
      assert.deepEqual([...asked].sort(), Array.from({ length: REPOSITORIES }, (_, i) => metadataRead(name(i))));
      assert.ok(requests.every((scopes) => scopes.length <= K));
    }
    // Both registries were found through ARM: their challenge is known, so no listing meets one.
    assert.equal(h.emulator.log.count('acr.tags', 401), 0, 'no listing met a challenge');

    h.emulator.log.clear();
    const single = await sync(true, false);
    // Without the hint, and without the optional reads: no referrers listed either.
    assert.equal(tokenRequests('srcreg').length, 1 + REPOSITORIES, 'without the hint: one token per repository scope');
    assert.equal(tokenRequests('dstreg').length, REPOSITORIES);
    assert.deepEqual(batched.plan, single.plan, 'the plan does not depend on how tokens were asked for');
    assert.equal(batched.plan.repositories.filter((r) => (r.plan?.groups.length ?? 0) > 0).length, 40 + 12);
  });

  it('a real run imports, checks index sizes and reads back on batched tokens', async () => {
    const { result } = await sync(false, true);
    assert.equal(result, 'succeeded');
    const src = h.emulator.registry('srcreg');
    const dst = h.emulator.registry('dstreg');
    for (let i = 0; i < REPOSITORIES; i++) assert.deepEqual(dst.tags(name(i)), src.tags(name(i)), name(i));
    const ideal = Math.ceil(REPOSITORIES / K);
    // Plus the batched pull tokens of the referrers listings of the 52 repositories with imports.
    const pulls = Math.ceil((40 + 12) / K) + 1;
    assert.ok(tokenRequests('srcreg').length <= 1 + ideal + 1 + pulls, 'index-size checks use the tokens the listings hold');
    assert.ok(tokenRequests('dstreg').length <= ideal + 1 + pulls, 'read-backs use the tokens the listings hold');
    assert.equal(h.emulator.log.count('acr.manifestProperties', 401) + h.emulator.log.count('acr.tags', 401), 0, 'the known challenge: no read met one');
  });

  it('falls back to one scope per request when the registry refuses several', async () => {
    const reader = createAcrRegistryReader(h.emulator.registry('srcreg'), h.credentialFor(SYNCER), h.cloud, h.transport);
    await reader.client.signIn();
    h.emulator.addFault({ route: 'acr.token', kind: 'status', status: 400, body: { errors: [{ code: 'BAD_REQUEST', message: 'one scope, please' }] } });
    // One batch's worth, so that no request is sent ahead: the refused one is r00's (r00–r15).
    const names = Array.from({ length: K }, (_, i) => name(i));
    reader.expectRepositories(names);
    for (const repository of names) assert.equal((await reader.listTags(repository))?.length, 3, repository);
    assert.equal(h.emulator.log.count('acr.token', 400), 1, 'the several-scope request was refused');
    assert.deepEqual(tokenRequests('srcreg'), [['registry:catalog:*'], ...names.map((n) => [metadataRead(n)])], 'then one scope per request');
  });
});
