/**
 * The command line end to end over HTTPS against the emulator: source and target in different
 * subscriptions; assertions on the emulator's final state and on its request log.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import {
  CLIENT_SECRET,
  image,
  importBodies,
  registries,
  release,
  runCli,
  snapshot,
  SOURCE,
  SUB_SOURCE,
  SUB_TARGET,
  TARGET,
  TENANT,
  twoRegistries,
} from './support/cliHarness';

describe('acr-transfer command line: sync', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  const work = mkdtempSync(join(tmpdir(), 'cli-sync-'));
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  async function start(...args: Parameters<typeof twoRegistries>): Promise<Emulator> {
    emulator = await startEmulator({ fixture: twoRegistries(...args), importRetryAfterSeconds: 1, importDurationMs: 0 });
    return emulator;
  }

  it('copies every tag across subscriptions by digest, one import per digest, and verifies', async () => {
    const e = await start({
      api: { ...release('api-1', '1.0', '1.0.0'), ...release('api-2', '2.0', '2.0.0', 'latest', 'stable') },
      'team/web/frontend': release('web-1', 'v1'),
      'charts/api': { '1.0.0': { content: { kind: 'helm', seed: 'chart', chart: 'api', version: '1.0.0' } } },
      'base/runtime': { '24.04': { content: { kind: 'index', seed: 'rt', platforms: ['linux/amd64', 'linux/arm64'] } }, latest: { content: { kind: 'index', seed: 'rt', platforms: ['linux/amd64', 'linux/arm64'] } } },
    });
    const reportPath = join(work, 'full.json');
    const result = await runCli(e, [...registries(), '--report-json', reportPath]);
    assert.equal(result.code, 0, result.stderr);

    assert.deepEqual(snapshot(e, TARGET), snapshot(e, SOURCE));
    // Multi-arch index: the index and each child manifest arrived by digest.
    const runtimeDigest = e.registry(SOURCE).tags('base/runtime').get('latest')!;
    assert.ok(e.registry(TARGET).hasManifest('base/runtime', runtimeDigest));

    const bodies = importBodies(e);
    assert.equal(bodies.length, 5, 'one import per distinct (repository, digest)');
    for (const body of bodies) {
      assert.match(body.source.sourceImage, /^[a-z0-9/._-]+@sha256:[0-9a-f]{64}$/, 'imports are pinned to a digest, never a tag');
      assert.equal(body.source.resourceId, e.registry(SOURCE).resourceId);
      assert.equal(body.mode, 'NoForce');
    }
    const apiLatest = bodies.find((b) => b.targetTags.includes('api:latest'));
    assert.deepEqual([...apiLatest!.targetTags].sort(), ['api:2.0', 'api:2.0.0', 'api:latest', 'api:stable']);

    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
    assert.equal(report.reportVersion, 2);
    assert.ok(report.repositories.every((r) => r.tagsInSync === 0 && r.tags.every((t) => t.outcome === 'imported')));
    assert.equal(report.result, 'succeeded');
    assert.equal(report.totals.importCalls, 5);
    assert.equal(report.totals.tags.imported, 10);
    assert.deepEqual(report.source, { registry: SOURCE });
  });

  it('a dry run prints the plan and makes no write call', async () => {
    const e = await start({ api: release('a', '1.0', 'latest'), web: release('w', '1') }, { api: release('old', 'latest') });
    const before = snapshot(e, TARGET);
    const result = await runCli(e, [...registries(), '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(e.log.count('arm.importImage'), 0);
    assert.equal(e.log.count('arm.importImage.poll'), 0);
    assert.deepEqual(snapshot(e, TARGET), before);
    assert.match(result.stdout, /api\s+1\.0\s+new\s+sha256:[0-9a-f]{12}\s+—\s+would import NoForce/);
    assert.match(result.stdout, /api\s+latest\s+re-tagged\s+sha256:[0-9a-f]{12}\s+sha256:[0-9a-f]{12}\s+would import Force/);
    assert.match(result.stdout, /web\s+1\s+new/);
  });

  it('a second run after a sync makes no import call', async () => {
    const e = await start({ api: release('a', '1.0', 'latest'), web: release('w', '1') });
    assert.equal((await runCli(e, registries())).code, 0);
    const imports = e.log.count('arm.importImage');
    assert.equal(imports, 2);
    const againReport = join(work, 'again.json');
    const again = await runCli(e, [...registries(), '--report-json', againReport]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(e.log.count('arm.importImage'), imports);
    assert.match(again.stdout, /Nothing to import\./);
    // In-sync tags are counted per repository, not listed (decision 016).
    const report = JSON.parse(readFileSync(againReport, 'utf8')) as RunReport;
    assert.deepEqual(report.repositories.map((r) => [r.name, r.status, r.tagsInSync, r.tags.length]), [['api', 'inSync', 2, 0], ['web', 'inSync', 1, 0]]);
    assert.equal(report.totals.tags.inSync, 3);
  });

  it('re-tagged tags are imported with Force and warned; locked tags are never touched', async () => {
    const e = await start(
      { app: { ...release('new-latest', 'latest'), ...release('rebuilt', '1.0'), ...release('same', '0.9') } },
      { app: { latest: image('old-latest'), '1.0': image('original', false), '0.9': image('same') } },
    );
    const lockedBefore = e.registry(TARGET).tags('app').get('1.0');
    const result = await runCli(e, registries());
    assert.equal(result.code, 0, result.stderr);
    assert.equal(e.registry(TARGET).tags('app').get('latest'), e.registry(SOURCE).tags('app').get('latest'));
    assert.equal(e.registry(TARGET).tags('app').get('1.0'), lockedBefore, 'the locked tag keeps its digest');
    const bodies = importBodies(e);
    assert.deepEqual(bodies.map((b) => [b.mode, b.targetTags]), [['Force', ['app:latest']]]);
    assert.match(result.stdout, /warning: app:latest was re-tagged/);
    assert.match(result.stdout, /warning: app:1\.0 is locked in the target/);
    assert.match(result.stdout, /succeeded with issues/);
  });

  it('--force re-imports tags whose digests already match', async () => {
    const e = await start({ app: release('a', '1.0', '1') }, { app: release('a', '1.0', '1') });
    const result = await runCli(e, [...registries(), '--force']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(importBodies(e).map((b) => [b.mode, [...b.targetTags].sort()]), [['Force', ['app:1', 'app:1.0']]]);
  });

  it('--max-repositories counts repositories with work, so consecutive runs advance', async () => {
    const e = await start(
      { aaa: release('a', '1'), bbb: release('b', '1'), ccc: release('c', '1'), ddd: release('d', '1'), eee: release('e', '1') },
      { bbb: release('b', '1') },
    );
    const reportPath = join(work, 'limited.json');
    const first = await runCli(e, [...registries(), '--max-repositories', '2', '--report-json', reportPath]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(e.registry(TARGET).repositories().sort(), ['aaa', 'bbb', 'ccc']);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
    assert.equal(report.totals.repositories.remaining, 2);
    assert.deepEqual(report.repositories.map((r) => r.status), ['done', 'inSync', 'done', 'deferred', 'deferred']);

    await runCli(e, [...registries(), '--max-repositories', '2']);
    assert.deepEqual(e.registry(TARGET).repositories().sort(), ['aaa', 'bbb', 'ccc', 'ddd', 'eee']);
    assert.equal(e.log.count('arm.importImage'), 4);
    await runCli(e, [...registries(), '--max-repositories', '2']);
    assert.equal(e.log.count('arm.importImage'), 4, 'a third run finds nothing to do');
  });

  it('--max-concurrency 1 runs one import at a time; --delay-seconds spaces their starts', async () => {
    const e = await start({ a1: release('1', 't'), a2: release('2', 't'), a3: release('3', 't'), a4: release('4', 't') });
    const result = await runCli(e, [...registries(), '--max-concurrency', '1', '--delay-seconds', '1']);
    assert.equal(result.code, 0, result.stderr);
    const lro = e.log.entries().filter((x) => x.route === 'arm.importImage' || x.route === 'arm.importImage.poll');
    const posts = lro.filter((x) => x.route === 'arm.importImage');
    assert.equal(posts.length, 4);
    for (let i = 1; i < posts.length; i++) {
      const previous = lro[lro.indexOf(posts[i]) - 1];
      assert.equal(previous.route, 'arm.importImage.poll', 'the previous import was still being polled');
      assert.equal(previous.status, 200, 'the previous import had finished before the next started');
      assert.ok(posts[i].startedAt - posts[i - 1].startedAt >= 850, `starts ${posts[i].startedAt - posts[i - 1].startedAt} ms apart`);
    }
  });

  it('never prints the secret, the tenant or the subscription ids', async () => {
    const e = await start({ api: release('a', '1.0') });
    const reportPath = join(work, 'secrets.json');
    const result = await runCli(e, [...registries(), '--report-json', reportPath, '--report-markdown', join(work, 'secrets.md')]);
    const everything = result.stdout + result.stderr + readFileSync(reportPath, 'utf8') + readFileSync(join(work, 'secrets.md'), 'utf8');
    for (const secret of [CLIENT_SECRET, TENANT, SUB_SOURCE, SUB_TARGET, e.registry(SOURCE).resourceId]) {
      assert.ok(!everything.includes(secret), `output contains ${secret.slice(0, 8)}…`);
    }
  });
});
