/**
 * What exists only in the target, through the command line against the emulator: target-only
 * tags are listed from the listings the run reads anyway; target-only repositories cost one
 * target catalog listing, read only when asked; nothing is ever deleted.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import { image, registries, release, runCli, snapshot, TARGET, twoRegistries } from './support/cliHarness';

describe('acr-transfer command line: target-only tags and repositories', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  const work = mkdtempSync(join(tmpdir(), 'cli-targetonly-'));
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  // Answered pages (a first request may meet the token challenge, 401, and be sent again).
  const catalogReads = (e: Emulator) => e.log.entries().filter((x) => x.route === 'acr.catalog' && x.service === `acr:${TARGET}` && x.status === 200).length;
  const deletes = (e: Emulator) => e.log.entries().filter((x) => x.method === 'DELETE').length;

  it('lists target-only tags at no cost, and target-only repositories (one catalog listing) only when asked', async () => {
    const e = (emulator = await startEmulator({
      fixture: twoRegistries(
        { api: release('a1', '1.0'), web: release('w1', '1'), 'sandbox/x': release('s', '1') },
        { api: { '1.0': image('a1'), 'hotfix-1': image('h1'), 'pr-3': image('p3') }, web: release('w1', '1'), legacy: release('l', 'v0'), 'sandbox/y': release('s', 'v0') },
      ),
      importRetryAfterSeconds: 1,
      importDurationMs: 0,
    }));
    const before = snapshot(e, TARGET);
    const json = join(work, 'plain.json');
    const plain = await runCli(e, [...registries(), '--ignore-pattern', 'sandbox/*', '--ignore-tag-pattern', 'pr-*', '--report-json', json]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(catalogReads(e), 0, 'the target catalog is not read unless asked');
    let report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    // pr-3 is left out by the tag patterns: not this mirror's business.
    assert.deepEqual(report.repositories.find((r) => r.name === 'api')?.targetOnlyTags, ['hotfix-1']);
    assert.deepEqual(report.totals.targetOnly, { tags: 1 });
    assert.equal(report.targetOnlyRepositories, undefined);
    assert.match(plain.stdout, /only in the target \(never deleted\): 1 tag in 1 repository; listed in the reports/);

    const markdown = join(work, 'asked.md');
    const asked = await runCli(e, [...registries(), '--ignore-pattern', 'sandbox/*', '--list-target-only-repositories', '--report-json', json, '--report-markdown', markdown]);
    assert.equal(asked.code, 0, asked.stderr);
    assert.equal(catalogReads(e), 1, 'one catalog listing of the target');
    report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    // sandbox/y is under an ignore pattern: outside the selection, not listed.
    assert.deepEqual(report.targetOnlyRepositories, ['legacy']);
    assert.deepEqual(report.totals.targetOnly, { tags: 2, repositories: 1 });
    assert.match(asked.stdout, /only in the target \(never deleted\): 2 tags in 1 repository, 1 repository; listed in the reports/);
    const md = readFileSync(markdown, 'utf8');
    assert.match(md, /### Only in the target \(never deleted\)/);
    assert.match(md, /Repositories \(1\): `legacy`/);
    assert.match(md, /\| `api` \| `hotfix-1`, `pr-3` \|/);

    assert.deepEqual(snapshot(e, TARGET), before, 'nothing was deleted or changed');
    assert.equal(deletes(e), 0);
  });

  it('with a prefix, looks only under it and compares the names without it', async () => {
    const e = (emulator = await startEmulator({
      fixture: twoRegistries({ api: release('a1', '1.0') }, { 'mirror/api': { '1.0': image('a1'), old: image('o') }, 'mirror/gone': release('g', '1'), other: release('x', '1') }),
    }));
    const json = join(work, 'prefix.json');
    const result = await runCli(e, [...registries(), '--target-repository-prefix', 'mirror/', '--list-target-only-repositories', '--check', '--report-json', json]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    assert.deepEqual(report.targetOnlyRepositories, ['mirror/gone']);
    assert.deepEqual(report.repositories.map((r) => [r.name, r.targetName, r.targetOnlyTags]), [['api', 'mirror/api', ['old']]]);
  });

  it('goes on, with a warning, when the target catalog cannot be read', async () => {
    const e = (emulator = await startEmulator({ fixture: twoRegistries({ api: release('a1', '1.0') }, { gone: release('g', '1') }) }));
    e.addFault({ route: 'acr.catalog', service: `acr:${TARGET}`, kind: 'status', status: 403, times: Infinity });
    const json = join(work, 'denied.json');
    const result = await runCli(e, [...registries(), '--list-target-only-repositories', '--report-json', json]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    assert.equal(report.targetOnlyRepositories, undefined);
    assert.match(report.targetOnlyRepositoriesError ?? '', /^the target catalog could not be read to find target-only repositories: /);
    assert.match(result.stdout, /warning: the target catalog could not be read/);
    assert.deepEqual(snapshot(e, TARGET).api, snapshot(e, 'sourceacr').api);
  });
});
