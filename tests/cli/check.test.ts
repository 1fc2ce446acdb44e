/**
 * --check through the command line against the emulator: it plans, writes nothing, lists the
 * drift and exits 4 when anything would be imported, 0 when the target is in sync.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import { image, registries, release, runCli, snapshot, TARGET, twoRegistries } from './support/cliHarness';

const WRITES = ['arm.importImage', 'arm.importImage.poll'] as const;

describe('acr-transfer command line: --check', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  const work = mkdtempSync(join(tmpdir(), 'cli-check-'));
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  async function start(): Promise<Emulator> {
    emulator = await startEmulator({
      fixture: twoRegistries({ api: release('a2', '2.0', 'latest'), web: release('w1', '1') }, { api: { latest: image('a1') }, web: release('w1', '1') }),
      importRetryAfterSeconds: 1,
      importDurationMs: 0,
    });
    return emulator;
  }

  it('exits 4 on drift, lists it, and makes no write; after a sync it exits 0', async () => {
    const e = await start();
    const before = snapshot(e, TARGET);
    const json = join(work, 'check.json');
    const markdown = join(work, 'check.md');
    const result = await runCli(e, [...registries(), '--check', '--report-json', json, '--report-markdown', markdown]);
    assert.equal(result.code, 4, result.stdout + result.stderr);
    for (const route of WRITES) assert.equal(e.log.count(route), 0, route);
    assert.deepEqual(snapshot(e, TARGET), before);
    assert.match(result.stdout, /^Check: /m);
    assert.match(result.stdout, /OUT OF SYNC: 2 tags in 1 repository would be imported; nothing was written/);
    assert.match(result.stdout, /^ {4}api: 2\.0, latest$/m);

    const report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    assert.deepEqual(report.check, { onDrift: 'failed', outOfSync: true, repositories: 1, tags: 2 });
    assert.equal(report.result, 'failed');
    assert.equal(report.dryRun, true);
    assert.deepEqual(report.repositories[0].tags.map((t) => [t.tag, t.decision, t.outcome]), [
      ['2.0', 'new', 'planned'],
      ['latest', 'retagged', 'planned'],
    ]);
    assert.match(readFileSync(markdown, 'utf8'), /\*\*Out of sync:\*\* 2 tags in 1 repository would be imported/);

    const sync = await runCli(e, registries());
    assert.equal(sync.code, 0, sync.stderr);
    const imports = e.log.count('arm.importImage');
    const again = await runCli(e, [...registries(), '--check', '--report-json', json]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /in sync: nothing would be imported/);
    assert.equal(e.log.count('arm.importImage'), imports);
    assert.deepEqual((JSON.parse(readFileSync(json, 'utf8')) as RunReport).check, { onDrift: 'failed', outOfSync: false, repositories: 0, tags: 0 });
  });

  it('refuses --check with --force: exit 2, one line, no request', async () => {
    const e = await start();
    const result = await runCli(e, [...registries(), '--check', '--force']);
    assert.equal(result.code, 2, result.stdout);
    assert.equal(result.stderr.trim(), 'acr-transfer: a check (--check, Fail when out of sync) writes nothing, so it cannot re-import with force: leave force out');
    assert.equal(e.log.entries().length, 0);
  });
});
