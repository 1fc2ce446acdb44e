/**
 * Tag filters through the command line against the emulator: only the tags the filters keep
 * are imported, the others are counted and never touched in the target, and the filters cost no
 * request of their own (the times come from the tag listing the run reads anyway).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator, TagFixture } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import { image, importBodies, registries, runCli, snapshot, TARGET, twoRegistries } from './support/cliHarness';

const at = (seed: string, lastUpdateTime: string): TagFixture => ({ ...image(seed), lastUpdateTime });

describe('acr-transfer command line: tag filters', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  const work = mkdtempSync(join(tmpdir(), 'cli-tagfilters-'));
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  const source = {
    api: {
      '1.0.0': at('a1', '2025-01-10T00:00:00Z'),
      '1.1.0': at('a2', '2025-06-10T00:00:00Z'),
      '1.2.0': at('a3', '2025-09-10T00:00:00Z'),
      'pr-12': at('p12', '2025-09-11T00:00:00Z'),
      latest: at('a3', '2025-09-10T00:00:00Z'),
    },
    web: { '2.0.0': at('w2', '2025-03-01T00:00:00Z'), 'pr-7': at('w7', '2025-03-02T00:00:00Z') },
  };

  async function start(): Promise<Emulator> {
    // The target holds pr-12 at another digest: a filtered tag must stay as it is.
    emulator = await startEmulator({ fixture: twoRegistries(source, { api: { 'pr-12': image('old-pr') } }), importRetryAfterSeconds: 1, importDurationMs: 0 });
    return emulator;
  }

  it('imports only the tags the patterns keep, counts the rest and never touches them in the target', async () => {
    const e = await start();
    const before = snapshot(e, TARGET);
    const reportPath = join(work, 'patterns.json');
    const result = await runCli(e, [...registries(), '--tag-pattern', 're:^\\d+\\.\\d+\\.\\d+$', '--tag-pattern', 'latest', '--ignore-tag-pattern', '1.0.*', '--report-json', reportPath]);
    assert.equal(result.code, 0, result.stderr);

    const after = snapshot(e, TARGET);
    assert.deepEqual(Object.keys(after.api).sort(), ['1.1.0', '1.2.0', 'latest', 'pr-12']);
    assert.equal(after.api['pr-12'], before.api['pr-12'], 'the filtered tag kept its target digest');
    assert.deepEqual(Object.keys(after.web), ['2.0.0']);
    const imported = importBodies(e).flatMap((b) => b.targetTags).sort();
    assert.deepEqual(imported, ['api:1.1.0', 'api:1.2.0', 'api:latest', 'web:2.0.0']);
    // One tag listing per repository and side, nothing per tag: the filters cost no request.
    assert.equal(e.log.count('acr.tag'), 0);
    assert.equal(e.log.count('acr.manifest'), 0);

    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
    assert.equal(report.totals.tags.filteredOut, 3);
    assert.deepEqual(
      report.repositories.map((r) => [r.name, r.tagsFilteredOut]),
      [
        ['api', 2],
        ['web', 1],
      ],
    );
    assert.deepEqual(report.selection.tagFilter, { tagPatterns: ['re:^\\d+\\.\\d+\\.\\d+$', 'latest'], ignoreTagPatterns: ['1.0.*'] });
    assert.match(result.stdout, /Tag filters left out 3 tags in 2 repositories: api 2, web 1\./);
    assert.match(result.stdout, /3 filtered out, 4 imported/);
  });

  it('keeps the tags updated since a date, then the latest N of each repository (ties by name)', async () => {
    const e = await start();
    const reportPath = join(work, 'times.json');
    const result = await runCli(e, [...registries(), '--tags-updated-since', '2025-06-01', '--keep-latest-tags', '2', '--ignore-tag-pattern', 'pr-*', '--report-json', reportPath]);
    assert.equal(result.code, 0, result.stderr);

    // api: 1.1.0, 1.2.0, latest are recent; the latest two are 1.2.0 and latest (same time: by name, 1.2.0 < latest).
    const imported = importBodies(e).flatMap((b) => b.targetTags).sort();
    assert.deepEqual(imported, ['api:1.2.0', 'api:latest']);
    assert.deepEqual(Object.keys(snapshot(e, TARGET)).sort(), ['api']);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
    assert.equal(report.totals.tags.filteredOut, 5);
    assert.deepEqual(report.selection.tagFilter?.tagsUpdatedSince, { value: '2025-06-01', time: '2025-06-01T00:00:00.000Z' });
    assert.equal(report.selection.tagFilter?.keepLatestTags, 2);

    // A second run with the same filters finds nothing to do.
    const again = await runCli(e, [...registries(), '--tags-updated-since', '2025-06-01', '--keep-latest-tags', '2', '--ignore-tag-pattern', 'pr-*']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(importBodies(e).length, 1);
  });

  it('takes the Python regexes of the reference script: translated for tags and repositories', async () => {
    const e = await start();
    const result = await runCli(e, [...registries(), '--tag-pattern', 're:\\A(?P<major>\\d+)\\.1\\.\\d+\\Z', '--ignore-pattern', 're:(?i)\\AWEB\\Z']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(importBodies(e).flatMap((b) => b.targetTags), ['api:1.1.0']);
  });

  for (const [args, message] of [
    [['--tag-pattern', 're:^v(?i)1$'], 'tag pattern "re:^v(?i)1$" uses an inline flag that is not at the very start'],
    [['--ignore-pattern', 're:^(?>a|ab)c$'], 'ignore pattern "re:^(?>a|ab)c$" uses an atomic group'],
    [['--tags-updated-since', '2026-02-30'], 'tags updated since "2026-02-30" is not valid'],
    [['--tags-updated-since', '0d'], 'tags updated since "0d" is not valid'],
    [['--tags-updated-since', 'yesterday'], 'tags updated since "yesterday" is not valid'],
    [['--keep-latest-tags', '0'], 'keep latest tags "0" is not valid: give a whole number of at least 1'],
    [['--keep-latest-tags', '2.5'], 'keep latest tags "2.5" is not valid'],
    [['--tag-pattern', 're:^(a+)+$'], 'tag pattern "re:^(a+)+$" repeats a part'],
    [['--ignore-tag-pattern', 're:(unclosed'], 'ignore tag pattern "re:(unclosed" is not a valid regular expression'],
  ] as const) {
    it(`refuses ${args.join(' ')} with one line and no request`, async () => {
      const e = await start();
      const result = await runCli(e, [...registries(), ...args]);
      assert.equal(result.code, 2, result.stdout);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.ok(result.stderr.includes(message), result.stderr);
      assert.equal(e.log.entries().length, 0, 'no request at all');
    });
  }
});
