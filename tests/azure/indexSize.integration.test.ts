/**
 * The index-size check over HTTPS against the emulator, through `connect()` and the engine's
 * `runSync`, counted per route in the emulator's request log: one manifest listing for a
 * repository with more than two digests to import, then one read per index only; reads per
 * digest for a small repository; the same decisions when the listing fails or the reader
 * cannot list (the check as it was: one read per digest).
 */
import { strict as assert } from 'node:assert';
import type { RunReport } from '../../src/engine/report';
import { parseOptions } from '../../src/options/parse';
import { runSync } from '../../src/engine/sync';
import { connectSrcToDst, startHarness, syncer, withoutOptionalReads, srcToDst, type Harness } from './support/emulatorHarness';

const SYNCER = 'c11e47a1-0000-4000-8000-0000000000f1';
const WIDE = Array.from({ length: 51 }, (_, i) => `linux/variant${i}`);

describe('azure: the index-size check through a manifest listing (emulator)', function () {
  this.timeout(60_000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({
      importRetryAfterSeconds: 0,
      importDurationMs: 0,
      fixture: {
        principals: [syncer(SYNCER)],
        subscriptions: srcToDst({
          // 5 digests to import, one of them an index of 51 manifests.
          app: {
            '1.0': { content: { kind: 'image', seed: 'app-1' } },
            '1.1': { content: { kind: 'image', seed: 'app-1.1' } },
            latest: { content: { kind: 'image', seed: 'app-1.1' } },
            '2.0': { content: { kind: 'index', seed: 'app-2', platforms: ['linux/amd64', 'linux/arm64'] } },
            chart: { content: { kind: 'helm', seed: 'app-chart', chart: 'app', version: '1.0.0' } },
            wide: { content: { kind: 'index', seed: 'app-wide', platforms: WIDE } },
          },
          // 2 digests to import: read one by one, no listing.
          small: { a: { content: { kind: 'image', seed: 'small-a' } }, b: { content: { kind: 'image', seed: 'small-b' } } },
          // In sync: nothing to check.
          quiet: { v1: { content: { kind: 'image', seed: 'quiet' } } },
        }, { quiet: { v1: { content: { kind: 'image', seed: 'quiet' } } } }),
      },
    });
  });
  afterEach(async () => h?.stop());

  async function sync(options: { dryRun?: boolean; listing?: boolean } = {}): Promise<RunReport> {
    const conn = await connectSrcToDst(h, SYNCER, { importer: { pollIntervalMs: 20 } });
    h.emulator.log.clear();
    // Without the listing, every digest to import is read, as before it.
    const source = options.listing === false ? withoutOptionalReads(conn.ports.source) : conn.ports.source;
    return runSync(
      parseOptions({ sourceRegistry: 'srcreg', targetRegistry: 'dstreg', dryRun: options.dryRun ?? false }).sync,
      { source, target: conn.ports.target, importer: conn.ports.importer },
      { toolVersion: 'test' },
    );
  }

  const src = (): ReturnType<Harness['emulator']['registry']> => h.emulator.registry('srcreg');
  const reads = (): string[] =>
    h.emulator.log
      .entries()
      .filter((e) => e.route === 'acr.manifestProperties')
      .map((e) => decodeURIComponent(e.url.replace(/^\/acr\/v1\/([^/]+)\/_manifests\/([^?]+).*$/, '$1@$2')))
      .sort();

  function assertWideSkipped(report: RunReport): void {
    const wide = src().tags('app').get('wide')!;
    const app = report.repositories.find((r) => r.name === 'app')!;
    assert.deepEqual(
      app.tags.filter((t) => t.decision === 'tooManyManifests').map((t) => [t.tag, t.manifestCount]),
      [['wide', 51]],
    );
    assert.equal(report.result, 'succeededWithIssues');
    const imported = h.emulator.log.entries().filter((e) => e.route === 'arm.importImage').map((e) => (e.body as { source: { sourceImage: string } }).source.sourceImage);
    assert.ok(!imported.includes(`app@${wide}`), 'the oversized index is never imported');
    assert.equal(h.emulator.registry('dstreg').tags('app').get('wide'), undefined);
  }

  it('one listing and one read for a repository with 5 digests to import, reads per digest for one with 2', async () => {
    const report = await sync();
    const app = src().tags('app');
    const small = src().tags('small');
    assert.equal(h.emulator.log.count('acr.manifests'), 1, 'one listing: app only');
    assert.equal(h.emulator.log.count('acr.manifests', 200), 1);
    const listing = h.emulator.log.entries().find((e) => e.route === 'acr.manifests');
    assert.equal(listing?.url, '/acr/v1/app/_manifests?n=1000');
    assert.deepEqual(reads(), [`app@${app.get('wide')!}`, `app@${app.get('2.0')!}`, `small@${small.get('a')!}`, `small@${small.get('b')!}`].sort(), 'app: its two indexes; small: both digests');
    assert.equal(h.emulator.log.count('acr.manifests', 401) + h.emulator.log.count('acr.manifestProperties', 401), 0, 'the tag listing’s token is held');
    assertWideSkipped(report);
    // Everything else arrived.
    for (const tag of ['1.0', '1.1', 'latest', '2.0', 'chart']) assert.equal(h.emulator.registry('dstreg').tags('app').get(tag), app.get(tag), tag);
    assert.deepEqual(h.emulator.registry('dstreg').tags('small'), small);
  });

  it('the index alone among images: one listing and one read, the index becomes tooManyManifests (dry run)', async () => {
    // Only the wide index and images to import in app: 2.0 already there.
    const index = src().tags('app').get('2.0')!;
    h.emulator.registry('dstreg').push('app', '2.0', { kind: 'index', seed: 'app-2', platforms: ['linux/amd64', 'linux/arm64'] });
    assert.equal(h.emulator.registry('dstreg').tags('app').get('2.0'), index);
    const report = await sync({ dryRun: true });
    assert.equal(h.emulator.log.count('acr.manifests'), 1);
    assert.deepEqual(reads().filter((r) => r.startsWith('app@')), [`app@${src().tags('app').get('wide')!}`], 'one read: the only index to import');
    const app = report.repositories.find((r) => r.name === 'app')!;
    assert.deepEqual(app.tags.filter((t) => t.decision === 'tooManyManifests').map((t) => t.tag), ['wide']);
    assert.equal(h.emulator.log.count('arm.importImage'), 0);
  });

  it('a listing that fails falls back to one read per digest, with the same decisions', async () => {
    h.emulator.addFault({ route: 'acr.manifests', kind: 'status', status: 403, times: Infinity });
    const report = await sync();
    assert.equal(h.emulator.log.count('acr.manifests', 403), 1, 'a 403 is not retried');
    assert.equal(reads().length, 5 + 2, 'every digest to import');
    assert.equal(report.repositories.find((r) => r.name === 'app')!.error, undefined);
    assertWideSkipped(report);
  });

  it('without the listing (the check as it was): one read per digest to import', async () => {
    const report = await sync({ listing: false });
    assert.equal(h.emulator.log.count('acr.manifests'), 0);
    assert.equal(reads().length, 5 + 2);
    assertWideSkipped(report);
  });
});
