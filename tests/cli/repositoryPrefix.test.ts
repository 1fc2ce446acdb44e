/**
 * --target-repository-prefix through the command line against the emulator: source `app` syncs
 * into target `mirror/app` — planned against it, imported into it, verified there, and both names
 * in every report — and a target repository of the source's own name is never touched.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import { image, importBodies, registries, release, runCli, snapshot, SOURCE, TARGET, twoRegistries } from './support/cliHarness';

describe('acr-transfer command line: target repository prefix', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  const work = mkdtempSync(join(tmpdir(), 'cli-prefix-'));
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('syncs source app into target mirror/app, compares against it, and names both in the reports', async () => {
    const e = (emulator = await startEmulator({
      fixture: twoRegistries(
        { api: release('a1', '1.0', 'latest'), 'team/web': release('w1', '2.0') },
        // mirror/api already holds 1.0; an unprefixed api holds something else and must stay.
        { 'mirror/api': { '1.0': image('a1') }, api: { latest: image('unrelated') } },
      ),
      importRetryAfterSeconds: 1,
      importDurationMs: 0,
    }));
    const unprefixedBefore = snapshot(e, TARGET).api;
    const json = join(work, 'prefix.json');
    const markdown = join(work, 'prefix.md');
    const result = await runCli(e, [...registries(), '--target-repository-prefix', 'mirror/', '--report-json', json, '--report-markdown', markdown]);
    assert.equal(result.code, 0, result.stderr);

    const target = snapshot(e, TARGET);
    const source = snapshot(e, SOURCE);
    assert.deepEqual(target['mirror/api'], source.api);
    assert.deepEqual(target['mirror/team/web'], source['team/web']);
    assert.deepEqual(target.api, unprefixedBefore, 'the unprefixed repository was not touched');
    const bodies = importBodies(e);
    assert.deepEqual(bodies.map((b) => [b.source.sourceImage.split('@')[0], b.targetTags]).sort(), [
      ['api', ['mirror/api:latest']],
      ['team/web', ['mirror/team/web:2.0']],
    ]);
    // Planned and verified against the mapped repository: its tags were listed, the unprefixed one's never.
    const listed = e.log.entries().filter((x) => x.route === 'acr.tags' && x.service === `acr:${TARGET}`).map((x) => decodeURIComponent(new URL(x.url, 'https://x').pathname));
    assert.ok(listed.some((p) => p.includes('/mirror/api/')), listed.join(' '));
    assert.ok(!listed.some((p) => p.startsWith('/acr/v1/api/')), listed.join(' '));

    const report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    assert.equal(report.selection.targetRepositoryPrefix, 'mirror/');
    assert.deepEqual(report.repositories.map((r) => [r.name, r.targetName, r.status]), [
      ['api', 'mirror/api', 'done'],
      ['team/web', 'mirror/team/web', 'done'],
    ]);
    assert.match(readFileSync(markdown, 'utf8'), /\| `api` → `mirror\/api` \| done \|/);
    assert.match(result.stdout, /api → mirror\/api\s+latest\s+new/);
    assert.match(result.stdout, /imported api@\S+ → mirror\/api:latest/);

    const again = await runCli(e, [...registries(), '--target-repository-prefix', 'mirror/']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(importBodies(e).length, 2, 'the second run finds the mapped repositories in sync');
  });

  for (const [args, message] of [
    [['--target-repository-prefix', 'Mirror/'], 'target repository prefix "Mirror/" is not valid: with a repository name after it'],
    [['--target-repository-prefix', '/mirror'], 'target repository prefix "/mirror" is not valid'],
    [['--target-repository-prefix', 'mirror//'], 'target repository prefix "mirror//" is not valid'],
    [['--target-repository-prefix', 'mirror /'], 'target repository prefix "mirror /" is not valid'],
    [['--target-repository-prefix', `${'m'.repeat(250)}/`, '--repository', 'abcdef'], 'would be 257 characters long: ACR allows at most 255'],
  ] as const) {
    it(`refuses ${args.join(' ').slice(0, 60)} with one line and no request`, async () => {
      const e = (emulator = await startEmulator({ fixture: twoRegistries({ api: release('a1', '1.0') }) }));
      const result = await runCli(e, [...registries(), ...args]);
      assert.equal(result.code, 2, result.stdout);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.ok(result.stderr.includes(message), result.stderr);
      assert.equal(e.log.entries().length, 0, 'no request at all');
    });
  }
});
