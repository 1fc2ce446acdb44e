/**
 * Keep going: a failed import or an unreadable repository does not stop the rest; the run
 * fails at the end with the service's message and exit code 1.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator, ImportFailureStyle } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import { registries, release, runCli, snapshot, TARGET, twoRegistries } from './support/cliHarness';

describe('acr-transfer command line: failures', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  const work = mkdtempSync(join(tmpdir(), 'cli-fail-'));
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  for (const style of ['httpError', 'bodyStatus'] as ImportFailureStyle[]) {
    it(`an import that ends Failed (${style}) is reported with the service's message; the others finish`, async () => {
      emulator = await startEmulator({
        fixture: twoRegistries({ aaa: release('a', '1'), bbb: release('b', '1', '2'), ccc: release('c', '1') }),
        importRetryAfterSeconds: 1,
        importDurationMs: 0,
        importFailureStyle: style,
      });
      emulator.addFault({ route: 'arm.importImage', after: 1, times: 1, kind: 'importFails', code: 'InvalidParameters', message: 'Error copying blobs. Please try again.' });
      const reportPath = join(work, `${style}.json`);
      const result = await runCli(emulator, [...registries(), '--max-concurrency', '1', '--report-json', reportPath]);
      assert.equal(result.code, 1, result.stderr);
      assert.deepEqual(emulator.registry(TARGET).repositories().sort(), ['aaa', 'ccc']);
      assert.match(result.stdout, /ERROR bbb:1: .*Error copying blobs\. Please try again\./);
      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
      assert.equal(report.result, 'failed');
      assert.deepEqual(report.repositories.map((r) => r.status), ['done', 'failed', 'done']);
      assert.match(report.repositories[1].imports[0].error ?? '', /InvalidParameters.*Error copying blobs/);
      assert.equal(report.totals.tags.failed, 2);
      assert.equal(report.totals.repositories.remaining, 1);
    });
  }

  it('an unreadable repository is reported and the others are copied', async () => {
    emulator = await startEmulator({
      fixture: twoRegistries({ aaa: release('a', '1'), broken: release('b', '1'), ccc: release('c', '1') }),
      importRetryAfterSeconds: 1,
      importDurationMs: 0,
    });
    emulator.addFault({ route: 'acr.tags', urlIncludes: '/acr/v1/broken/', times: Infinity, kind: 'status', status: 403 });
    const result = await runCli(emulator, registries());
    assert.equal(result.code, 1);
    assert.deepEqual(emulator.registry(TARGET).repositories().sort(), ['aaa', 'ccc']);
    assert.match(result.stdout, /ERROR broken: /);
  });

  it('a principal without import rights on the target is stopped by the preflight, named roles, no ids, and nothing changes', async () => {
    const fixture = twoRegistries({ aaa: release('a', '1') });
    fixture.principals[0].roles = fixture.principals[0].roles.map((r) => (r.role === 'Contributor' ? { ...r, role: 'Reader' as const } : r));
    emulator = await startEmulator({ fixture, importRetryAfterSeconds: 1, importDurationMs: 0 });
    const before = snapshot(emulator, TARGET);
    const result = await runCli(emulator, registries());
    // Before the preflight (src/azure/arm/preflight.ts) this was an AuthorizationFailed per import.
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /the target identity cannot import into \S+: give it Contributor, or Container Registry Data Importer and Data Reader, on the registry/);
    assert.equal(emulator.log.count('arm.importImage'), 0, 'no import was attempted');
    for (const output of [result.stdout, result.stderr]) {
      assert.ok(!output.includes(emulator.registry(TARGET).resourceId));
      assert.ok(!/\/subscriptions\/[0-9a-f-]{36}/.test(output), 'no subscription id in the output');
    }
    assert.deepEqual(snapshot(emulator, TARGET), before);
  });
});
