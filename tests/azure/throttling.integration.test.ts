/**
 * Throttling, hangs and time limits over HTTPS against the emulator, through `connect()` and
 * real ClientSecretCredentials built on the test's own transport (so its counter sees every
 * request, Entra's included):
 * - ARM write pacing holds a burst of imports under the emulator's subscription write bucket
 *   (and without pacing the same burst is throttled);
 * - `x-ms-ratelimit-remaining-subscription-writes` lowers the client's bucket when someone else
 *   has spent the budget;
 * - the request statistics match what the emulator saw;
 * - a hung request is retried after the per-attempt time limit; a hung import is abandoned at
 *   the caller's signal as an ImportFailure; a listing stops at its signal;
 * - registry read limits: 429 TOOMANYREQUESTS (with or without Retry-After) is waited out, and
 *   `maxReadsPerSecond` keeps a run under the limit, with the burst of the registry's tier when
 *   it is known (readCap.ts).
 */
import { strict as assert } from 'node:assert';
import { IMPORT_TIMED_OUT } from '../../src/azure/arm/armImporter';
import type { Connection } from '../../src/azure/connect';
import { createAcrRegistryReader } from '../../src/azure/dataplane/registryReader';
import { createTransport, type Transport, type TransportOptions } from '../../src/azure/http/transport';
import { ImportFailure, type ImportRequest } from '../../src/engine/ports';
import { connectSrcToDst, imageTags, startHarness, SUB_A, SUB_B, syncer, TENANT, type Harness } from './support/emulatorHarness';

const SYNCER = 'c11e47a1-0000-4000-8000-0000000000d1';
const REPO = 'team/app';
const TAGS = 60;
const REPOSITORIES = 12;

describe('azure throttling, hangs and time limits (emulator)', function () {
  this.timeout(120_000);
  let h: Harness;
  let run = 0;

  before(async () => {
    const many: Record<string, ReturnType<typeof imageTags>> = {};
    for (let i = 0; i < REPOSITORIES; i++) many[`repo${String(i).padStart(2, '0')}`] = imageTags(2, 'v', `r${i}`);
    h = await startHarness({
      importRetryAfterSeconds: 0,
      // About one running poll at the importer's 50 ms interval.
      importDurationMs: 50,
      fixture: {
        principals: [syncer(SYNCER)],
        subscriptions: [
          { id: SUB_A, tenantId: TENANT, registries: [{ name: 'srcreg', resourceGroup: 'src-rg', sku: 'Basic', repositories: { [REPO]: imageTags(TAGS), ...many } }] },
          { id: SUB_B, tenantId: TENANT, registries: [{ name: 'dstreg', resourceGroup: 'dst-rg' }] },
        ],
      },
    });
  });
  after(async () => h?.stop());
  beforeEach(() => {
    run += 1;
    h.emulator.log.clear();
  });
  afterEach(() => {
    h.emulator.clearFaults();
    h.emulator.setArmThrottling(false);
    h.emulator.setRegistryThrottling(false);
  });

  /** A transport of the test's own (fresh counter and buckets) and a connection built on it. */
  async function connectWith(options: TransportOptions): Promise<{ transport: Transport; conn: Connection }> {
    const transport = createTransport({ version: 'test', caPem: h.emulator.caPem, retry: { maxRetries: 8, retryDelayInMs: 50, maxRetryDelayInMs: 2000 }, ...options });
    const conn = await connectSrcToDst(h, SYNCER, { transport, importer: { pollIntervalMs: 50 } });
    return { transport, conn };
  }

  /** Distinct imports: source tag i's digest under a tag unique to this test. */
  function imports(count: number, from = 0): ImportRequest[] {
    const tags = h.emulator.registry('srcreg').tags(REPO);
    return Array.from({ length: count }, (_, k) => ({
      sourceRepository: REPO,
      targetRepository: REPO,
      sourceDigest: tags.get(`t${from + k}`)!,
      targetTags: [`run${run}-${from + k}`],
      mode: 'NoForce' as const,
    }));
  }

  const writesPosted = (): number => h.emulator.log.count('arm.importImage');
  const writesThrottled = (): number => h.emulator.log.count('arm.importImage', 429);

  it('paces a burst of imports under the subscription write bucket: none throttled, all done', async () => {
    h.emulator.setArmThrottling({ writes: { capacity: 5, refillPerSecond: 5 }, reads: true });
    const { conn } = await connectWith({ armWrites: { capacity: 5, refillPerSecond: 5 } });
    const burst = imports(15);
    const started = Date.now();
    await Promise.all(burst.map((request) => conn.ports.importer.importImage(request)));
    const elapsed = Date.now() - started;

    assert.equal(writesThrottled(), 0, 'no import POST was refused');
    assert.equal(writesPosted(), 15);
    assert.ok(elapsed >= 1900, `15 writes through a bucket of 5 refilled 5/s take about 2 s, took ${elapsed} ms`);
    const target = h.emulator.registry('dstreg').tags(REPO);
    for (const request of burst) assert.equal(target.get(request.targetTags[0]), request.sourceDigest);
    assert.equal(conn.ports.requestStats().throttled, 0);
  });

  it("paces with the importer's own write budget when given one", async () => {
    h.emulator.setArmThrottling({ writes: { capacity: 4, refillPerSecond: 4 } });
    const transport = createTransport({ version: 'test', caPem: h.emulator.caPem, armWrites: false });
    const conn = await connectSrcToDst(h, SYNCER, { transport, importer: { pollIntervalMs: 50, writes: { capacity: 4, refillPerSecond: 4 } } });
    await Promise.all(imports(10, 44).map((request) => conn.ports.importer.importImage(request)));
    assert.equal(writesPosted(), 10);
    assert.equal(writesThrottled(), 0);
  });

  it('without pacing the same burst is throttled, and the statistics count what the emulator saw', async () => {
    h.emulator.setArmThrottling({ writes: { capacity: 5, refillPerSecond: 5 }, reads: true });
    const { conn } = await connectWith({ armWrites: false });
    const burst = imports(15, 15);
    await Promise.all(burst.map((request) => conn.ports.importer.importImage(request)));

    assert.ok(writesThrottled() >= 5, `a burst of 15 into a bucket of 5 meets 429s (${writesThrottled()})`);
    const target = h.emulator.registry('dstreg').tags(REPO);
    for (const request of burst) assert.equal(target.get(request.targetTags[0]), request.sourceDigest, 'Retry-After waited out');
    const stats = conn.ports.requestStats();
    const seen = h.emulator.log.entries();
    assert.equal(stats.requests, seen.length, 'every request of the run, Entra and registries included');
    assert.equal(stats.throttled, seen.filter((e) => e.status === 429).length);
    assert.ok(stats.retried >= stats.throttled, 'every throttled POST was sent again');
  });

  it('lowers its write level to what ARM reports is left when others spent the budget', async () => {
    // A slow refill on both sides; the client believes it holds 200 until ARM says otherwise.
    h.emulator.setArmThrottling({ writes: { capacity: 30, refillPerSecond: 0.2 } });
    const other = await connectWith({ armWrites: false });
    await Promise.all(imports(24, 30).map((request) => other.conn.ports.importer.importImage(request)));
    assert.equal(writesThrottled(), 0);

    const { transport, conn } = await connectWith({ armWrites: { capacity: 200, refillPerSecond: 0.2 } });
    const bucket = transport.armBudgets.budget('writes', SUB_B)!.bucket;
    assert.ok(bucket.level > 199);
    await conn.ports.importer.importImage(imports(1, 54)[0]);
    assert.ok(bucket.level < 8, `the header brought the client down to the 5 or so left (${bucket.level.toFixed(1)})`);

    // What is left goes at once; nothing is sent that ARM would refuse.
    await Promise.all(imports(3, 55).map((request) => conn.ports.importer.importImage(request)));
    assert.equal(writesThrottled(), 0, 'no 429: the client never believed it had more than ARM');
  });

  it('retries a hung data-plane request after the per-attempt time limit', async () => {
    const { transport, conn } = await connectWith({ requestTimeoutMs: 500 });
    h.emulator.addFault({ route: 'acr.tags', urlIncludes: 'repo03', kind: 'hang' });
    const before = transport.counter.snapshot();
    const started = Date.now();
    const tags = await conn.ports.source.listTags('repo03');
    assert.ok(Date.now() - started >= 450, 'the first attempt was given its time');
    assert.deepEqual(tags?.map((t) => t.name).sort(), ['v0', 'v1']);
    const after = transport.counter.snapshot();
    assert.ok(after.retried - before.retried >= 1, 'the time-out counted as a retry');
  });

  it('retries a hung ARM poll after the per-attempt time limit and finishes the import', async () => {
    const { conn } = await connectWith({ requestTimeoutMs: 500 });
    h.emulator.addFault({ route: 'arm.importImage.poll', kind: 'hang' });
    const [request] = imports(1, 40);
    await conn.ports.importer.importImage(request);
    assert.equal(h.emulator.registry('dstreg').tags(REPO).get(request.targetTags[0]), request.sourceDigest);
  });

  it("abandons an import that never finishes at the caller's signal, as an ImportFailure, and stops polling", async () => {
    const { conn } = await connectWith({});
    h.emulator.addFault({ route: 'arm.importImage', kind: 'importHangs' });
    const [request] = imports(1, 41);
    const started = Date.now();
    let rejectedAt = 0;
    await assert.rejects(conn.ports.importer.importImage(request, AbortSignal.timeout(1000)), (e: unknown) => {
      rejectedAt = Date.now();
      assert.ok(e instanceof ImportFailure, String(e));
      assert.equal(e.code, IMPORT_TIMED_OUT);
      assert.equal(
        e.message,
        `the import of ${REPO}@${request.sourceDigest} did not finish in time: stopped waiting for it (the operation may still complete in the target registry)`,
      );
      return true;
    });
    assert.ok(Date.now() - started < 3000, 'rejected at the signal, not later');
    assert.ok(h.emulator.log.count('arm.importImage.poll') >= 3, 'it was being polled');
    await new Promise((resolve) => setTimeout(resolve, 600));
    // A poll already on the wire at the signal may still arrive (the log is written when it is
    // answered); polling on, every 50 ms, would have sent about a dozen in these 600 ms.
    const late = h.emulator.log.entries().filter((e) => e.route === 'arm.importImage.poll' && e.startedAt >= rejectedAt);
    assert.ok(late.length <= 1, `no poll after the signal (${late.length} arrived after it)`);
    // A signal that has already fired: no POST at all.
    await assert.rejects(conn.ports.importer.importImage(imports(1, 42)[0], AbortSignal.abort()), (e: unknown) => e instanceof ImportFailure && e.code === IMPORT_TIMED_OUT);
    assert.equal(writesPosted(), 1);
  });

  it('stops a data-plane listing at its signal', async () => {
    const { conn } = await connectWith({ requestTimeoutMs: 60_000 });
    h.emulator.addFault({ route: 'acr.tags', urlIncludes: 'repo04', kind: 'hang' });
    const started = Date.now();
    await assert.rejects(conn.ports.source.listTags('repo04', AbortSignal.timeout(300)), (e: unknown) => e instanceof Error && /abort|timeout/i.test(e.name));
    assert.ok(Date.now() - started < 2000);
    const catalog = conn.ports.source.listRepositories(AbortSignal.abort());
    await assert.rejects(catalog[Symbol.asyncIterator]().next(), (e: unknown) => e instanceof Error && /abort/i.test(e.name));
  });

  describe('registry read limits', () => {
    /** Lists every repository's tags; `tierKnown: false` hides the registry's SKU from the reader, as for a registry ARM did not describe. */
    const readAll = async (transport: Transport, tierKnown = true): Promise<string[][]> => {
      const registry = h.emulator.registry('srcreg');
      const ref = tierKnown ? registry : { loginServer: registry.loginServer };
      const reader = createAcrRegistryReader(ref, h.credentialFor(SYNCER, transport), h.cloud, transport);
      const names = Array.from({ length: REPOSITORIES }, (_, i) => `repo${String(i).padStart(2, '0')}`);
      return Promise.all(names.map(async (name) => ((await reader.listTags(name)) ?? []).map((t) => t.name).sort()));
    };
    const transportWith = (options: TransportOptions): Transport =>
      createTransport({ version: 'test', caPem: h.emulator.caPem, retry: { maxRetries: 10, retryDelayInMs: 50, maxRetryDelayInMs: 2000 }, ...options });
    const registryReads = (): number => h.emulator.log.entries().filter((e) => e.service === 'acr:srcreg').length;
    const refusedReads = (): number => h.emulator.log.entries().filter((e) => e.service === 'acr:srcreg' && e.status === 429).length;

    // 10 reads a second with a burst of 20; a registry holds a minute's worth, this one less
    // so that the test's few dozen reads are a burst too big for it.
    const LIMIT = { registries: { srcreg: { readsPerMinute: 600, capacity: 20 } } };

    it('waits out 429 TOOMANYREQUESTS from the registry limit: every listing completes', async () => {
      h.emulator.setRegistryThrottling(LIMIT);
      const transport = transportWith({});
      const listed = await readAll(transport);
      for (const tags of listed) assert.deepEqual(tags, ['v0', 'v1']);
      assert.ok(refusedReads() > 0, `a burst of ${registryReads()} reads met the limit`);
      assert.equal(transport.counter.snapshot().throttled, refusedReads());
    });

    it('waits out a 429 TOOMANYREQUESTS without Retry-After', async () => {
      h.emulator.addFault({ route: 'acr.tags', urlIncludes: 'repo05', kind: 'status', status: 429, body: { errors: [{ code: 'TOOMANYREQUESTS', message: 'too many requests' }] } });
      const reader = createAcrRegistryReader(h.emulator.registry('srcreg'), h.credentialFor(SYNCER), h.cloud, h.transport);
      assert.deepEqual((await reader.listTags('repo05'))?.map((t) => t.name).sort(), ['v0', 'v1']);
      assert.equal(h.emulator.log.count('acr.tags', 429), 1);
    });

    it("maxReadsPerSecond keeps the same work under the limit; with the registry's tier unknown it holds one second's worth", async () => {
      h.emulator.setRegistryThrottling(LIMIT);
      const transport = transportWith({ maxReadsPerSecond: 10 });
      const started = Date.now();
      const listed = await readAll(transport, false);
      for (const tags of listed) assert.deepEqual(tags, ['v0', 'v1']);
      assert.equal(refusedReads(), 0, 'no read refused');
      const reads = registryReads();
      assert.ok(reads > 20, `enough reads to matter (${reads})`);
      const floor = ((reads - 10) / 10) * 1000;
      assert.ok(Date.now() - started >= floor - 300, `${reads} reads at 10/s after a burst of 10 take at least ${floor} ms`);
      assert.equal(transport.counter.snapshot().throttled, 0);
    });

    it("with the registry's tier known the cap holds a minute's worth, at most the tier's: a Basic registry at its documented limit takes the reads at once", async () => {
      // Basic: 1,000 reads a minute, a minute's worth at once. A cap of 1 read a second holds 60
      // (R × 60, within Basic's 1,000): the few dozen reads below go as one burst, with no 429.
      h.emulator.setRegistryThrottling({ registries: { srcreg: 'sku' } });
      const transport = transportWith({ maxReadsPerSecond: 1 });
      const listed = await readAll(transport);
      for (const tags of listed) assert.deepEqual(tags, ['v0', 'v1']);
      assert.equal(refusedReads(), 0, 'no read refused');
      const reads = registryReads();
      const bucket = transport.registryReads!.of(h.emulator.registry('srcreg').loginServer);
      assert.deepEqual(bucket.settings, { capacity: 60, refillPerSecond: 1 });
      assert.ok(reads < 60 - bucket.reserve, `the reads (${reads}) fit in the burst`);
      // Had the cap held one second's worth, its level would be near 0 now; it holds the rest of the burst.
      assert.ok(bucket.level >= 60 - reads - 1e-9, `level ${bucket.level} after ${reads} reads`);
    });
  });
});
