/**
 * L0 tests of the task's scale and time inputs: shard inputs and their defaults in a
 * `parallel: N` job, the time budget, the per-import time limit, and image indexes of too many
 * manifests — with real task-lib, in-memory registries and real (short) time.
 */
import { strict as assert } from 'node:assert';
import { DEFAULT_LIST_CONCURRENCY as L } from '../../../src/engine/syncOptions';
import { shardOf } from '../../../src/engine/sharding';
import { D, type Tags } from '../../engine/memoryRegistry';
import { explain, describeOnTaskNodes, runScenario as run } from './support/runScenario';

const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india'];
const nine: Record<string, Tags> = Object.fromEntries(NAMES.map((name, i) => [name, { t: D(i + 1) }]));
const importsOf = (names: string[]): string[] => names.map((name) => `${name}@${D(NAMES.indexOf(name) + 1)} NoForce t`);

function parallelJob(position: number, total: number, type = 'MultiMachine'): Record<string, string> {
  return { 'System.ParallelExecutionType': type, 'System.JobPositionInPhase': String(position), 'System.TotalJobsInPhase': String(total) };
}

describeOnTaskNodes('AcrTransfer task (L0): shards, time limits, index size', function () {
  this.timeout(60_000);

  describe('sharding', () => {
    it('in a parallel job, takes this job\'s shard from System.JobPositionInPhase (1-based) and System.TotalJobsInPhase', async () => {
      const o = await run({ registries: { sourceacr: nine, targetacr: {} }, variables: parallelJob(2, 3) });
      assert.ok(o.runner.succeeded, explain(o));
      const mine = NAMES.filter((name) => shardOf(name, 3) === 2);
      assert.ok(mine.length > 0 && mine.length < NAMES.length, `shard 2 of 3 holds ${mine.length}`);
      assert.deepEqual(o.imports, importsOf(mine));
      assert.deepEqual(o.report().selection.shard, { index: 2, count: 3, selectedInAllShards: 9 });
      assert.ok(o.runner.stdOutContained(`Shard 2 of 3: ${mine.length} of the 9 repositories all shards select.`), explain(o));
    });

    it('the jobs of parallel: 3 together import every repository once', async () => {
      const imported: string[] = [];
      for (let position = 1; position <= 3; position++) {
        const o = await run({ registries: { sourceacr: nine, targetacr: {} }, variables: parallelJob(position, 3) });
        assert.ok(o.runner.succeeded, explain(o));
        imported.push(...o.imports);
      }
      assert.deepEqual(imported.sort(), importsOf(NAMES).sort());
    });

    it('does not shard a matrix job (MultiConfiguration): its jobs usually differ in their inputs', async () => {
      const o = await run({ registries: { sourceacr: nine, targetacr: {} }, variables: parallelJob(2, 3, 'MultiConfiguration') });
      assert.ok(o.runner.succeeded, explain(o));
      assert.equal(o.imports.length, 9);
      assert.equal(o.report().selection.shard, undefined);
    });

    it('lets the inputs override the job variables', async () => {
      const o = await run({ inputs: { shardIndex: '1', shardCount: '2' }, registries: { sourceacr: nine, targetacr: {} }, variables: parallelJob(3, 3) });
      assert.ok(o.runner.succeeded, explain(o));
      assert.deepEqual(o.imports, importsOf(NAMES.filter((name) => shardOf(name, 2) === 1)));
    });

    const bad: Array<[string, Record<string, string>, Record<string, string>, string]> = [
      ['an index past the count', { shardIndex: '4', shardCount: '3' }, {}, 'shard index "4" is not valid: shards are numbered from 1 to the shard count (3)'],
      ['an index of 0', { shardIndex: '0', shardCount: '3' }, {}, 'shard index "0" is not valid: give a whole number from 1 to the shard count'],
      ['a count without an index outside a parallel job', { shardCount: '3' }, {}, 'shard count "3" needs a shard index too'],
      ['a count smaller than the job position', { shardCount: '2' }, parallelJob(3, 3), 'shard index "3" is not valid: shards are numbered from 1 to the shard count (2)'],
      ['a time budget of 0', { timeBudgetMinutes: '0' }, {}, 'time budget minutes "0" is not valid: give a number of minutes above 0 and at most 10080, such as 50'],
      ['an import timeout in words', { importTimeoutMinutes: 'half an hour' }, {}, 'import timeout minutes "half an hour" is not valid: give a number of minutes above 0 and at most 1440, such as 30'],
    ];
    for (const [what, inputs, variables, message] of bad) {
      it(`fails on ${what} with one localised line, before any connection`, async () => {
        const o = await run({ inputs, variables, registries: { sourceacr: nine, targetacr: {} } });
        assert.equal(o.complete?.result, 'Failed', explain(o));
        assert.equal(o.complete?.message, message);
        assert.equal(o.runner.errorIssues.length, 1);
        assert.ok(!o.runner.stdOutContained('FAKE_CONNECT'), 'bad values fail before any connection is used');
      });
    }
  });

  it('a time budget stops new imports near its end, lets the one in flight finish, and ends with issues', async () => {
    // 1.2 s budget: the reserve is capped at half, 0.6 s. The first import (0.8 s) starts at once;
    // when it ends, 0.4 s are left: nothing more starts.
    const o = await run({
      inputs: { timeBudgetMinutes: '0.02', maxConcurrency: '1' },
      registries: { sourceacr: { aaa: { t: D(1) }, bbb: { t: D(2) }, ccc: { t: D(3) } }, targetacr: {} },
      importDelayMs: 800,
    });
    assert.equal(o.complete?.result, 'SucceededWithIssues', explain(o));
    assert.equal(o.complete?.message, 'Stopped on the time budget of 0.02 minutes: 1 tag imported; 2 repositories still have work. Run again to continue.');
    assert.deepEqual(o.imports, [`aaa@${D(1)} NoForce t`]);
    assert.ok(o.runner.stdOutContained(`FAKE_IMPORTED aaa@${D(1)}`), 'the import in flight finished');
    assert.deepEqual(o.target, { aaa: { t: D(1) } });
    assert.equal(o.outputs['repositoriesRemaining'], '2');
    assert.ok(o.runner.stdOutContained('Time budget: 1 s left or less; no new work starts, imports in flight finish.'), explain(o));
    const report = o.report();
    assert.equal(report.stoppedBy, 'timeBudget');
    assert.deepEqual(report.repositories.map((r) => [r.name, r.status, r.deferredBy]), [
      ['aaa', 'done', undefined],
      ['bbb', 'deferred', 'timeBudget'],
      ['ccc', 'deferred', 'timeBudget'],
    ]);
    assert.match(o.summary ?? '', /Stopped on its time budget of 0\.02 minutes/);
    // task-lib raises a SucceededWithIssues result's message as a warning itself; nothing else warns.
    assert.deepEqual(o.runner.warningIssues, [o.complete?.message]);
  });

  it('a time budget that runs out while planning: no import, the unlisted repositories counted once', async () => {
    // 1.2 s budget, 0.6 s reserve: planning stops at 0.6 s. Listings take 0.4 s, L at a time:
    // the first L are planned, the other 20 - L are not listed.
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`repo${String(i).padStart(2, '0')}`, { t: D(i + 1) }]));
    const o = await run({ inputs: { timeBudgetMinutes: '0.02' }, registries: { sourceacr: twenty, targetacr: {} }, listingDelayMs: 400 });
    assert.equal(o.complete?.result, 'SucceededWithIssues', explain(o));
    assert.deepEqual(o.imports, []);
    assert.ok(o.runner.stdOutContained(`${20 - L} repositories were not listed: the time budget ran out while planning (deferred to the next run).`), explain(o));
    assert.ok(!o.runner.stdOutContained('##[group]repo19'), 'no empty group per unlisted repository');
    assert.ok(o.runner.stdOutContained('##[group]repo00: deferred'), explain(o));
    assert.equal(o.outputs['repositoriesRemaining'], '20');
  });

  it('an import that runs out of its time limit fails with a clear message; the others are done', async () => {
    const o = await run({
      inputs: { importTimeoutMinutes: '0.005' },
      registries: { sourceacr: { aaa: { t: D(1) }, bbb: { t: D(2) } }, targetacr: {} },
      hangImports: [D(1)],
    });
    assert.equal(o.complete?.result, 'Failed', explain(o));
    assert.ok(o.runner.errorIssues.includes('aaa:t failed: did not finish within 0.005 minutes; stopped waiting for it'), explain(o));
    assert.deepEqual(o.target, { bbb: { t: D(2) } });
    assert.equal(o.report().limits.importTimeoutMinutes, 0.005);
  });

  it('an image index of more than 50 manifests is never imported, is warned, and the task succeeds with issues', async () => {
    const o = await run({
      registries: { sourceacr: { app: { big: D(2), small: D(1) } }, targetacr: {} },
      manifestCounts: { [D(2)]: 51 },
    });
    assert.equal(o.complete?.result, 'SucceededWithIssues', explain(o));
    assert.equal(o.complete?.message, '1 tag not imported: importImage accepts image indexes of at most 50 manifests.');
    assert.deepEqual(o.imports, [`app@${D(1)} NoForce small`]);
    assert.deepEqual(o.runner.warningIssues, ['app:big was not imported: image index with 51 manifests; importImage accepts at most 50.', o.complete.message]);
    assert.match(o.summary ?? '', /image index with 51 manifests; importImage accepts at most 50/);
  });

  it('moves the progress through listing (its first fifth) before any import, then through the imports to 100', async () => {
    const many: Record<string, Tags> = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`app${String(i).padStart(2, '0')}`, { t: D(i + 1) }]));
    const o = await run({ registries: { sourceacr: many, targetacr: {} } });
    assert.ok(o.runner.succeeded, explain(o));
    assert.equal(o.imports.length, 40);
    const lines = o.runner.stdout.split(/\r?\n/);
    const progress = lines.map((line, at) => ({ at, match: /^##vso\[task\.setprogress value=(\d+);\](.*)$/.exec(line) })).filter((p) => p.match !== null);
    const firstImport = progress.findIndex((p) => p.match![2].startsWith('Importing '));
    assert.ok(firstImport > 0, explain(o));
    const listing = progress.slice(0, firstImport);
    assert.ok(listing.every((p) => p.match![2].startsWith('Listing tags: ')), explain(o));
    // Before the plan's first line, and climbing to a fifth as the 40 repositories are listed.
    assert.ok(listing.every((p) => p.at < lines.indexOf('Selected 40 of 40 repositories (0 ignored by pattern).')), explain(o));
    const values = progress.map((p) => Number(p.match![1]));
    assert.deepEqual(values.slice(0, firstImport), Array.from({ length: 21 }, (_, i) => i), 'listing: 0 % to 20 %, a step at a time');
    for (let i = 1; i < values.length; i++) assert.ok(values[i] >= values[i - 1], `progress never goes back: ${values.join(' ')}`);
    assert.ok(values[firstImport] > 20 && values.at(-1) === 100, values.join(' '));
    assert.ok(lines.includes('Listing tags: 0 of 40 repositories, 0 with work.'), explain(o));
    assert.ok(lines.includes('Listing tags: 40 of 40 repositories, 40 with work.'), explain(o));
  });

  it('a run with nothing to import ends its progress at 100 once listed', async () => {
    const o = await run({ registries: { sourceacr: nine, targetacr: nine } });
    assert.ok(o.runner.succeeded, explain(o));
    assert.deepEqual(o.imports, []);
    const values = o.runner.stdout.split(/\r?\n/).flatMap((line) => /^##vso\[task\.setprogress value=(\d+);\]/.exec(line)?.[1] ?? []).map(Number);
    assert.equal(values.at(-1), 100, values.join(' '));
    assert.ok(values.includes(20), `listing went to a fifth first: ${values.join(' ')}`);
  });

  it('logs the requests the connection counted and puts the throttled ones on the summary', async () => {
    const o = await run({ registries: { sourceacr: { app: { t: D(1) } }, targetacr: {} }, requestStats: { requests: 123, throttled: 4, retried: 6 } });
    assert.ok(o.runner.succeeded, explain(o));
    assert.ok(o.runner.stdOutContained('Requests: 123 sent, 4 throttled, 6 retried.'), explain(o));
    assert.deepEqual(o.report().totals.requests, { total: 123, throttled: 4, retried: 6 });
    assert.match(o.summary ?? '', /Requests: 123 sent · 4 throttled · 6 retried/);
  });

  it('a dry run shows an oversized index the same way, saying it would not be imported', async () => {
    const o = await run({ inputs: { dryRun: 'true' }, registries: { sourceacr: { app: { big: D(2) } }, targetacr: {} }, manifestCounts: { [D(2)]: 80 } });
    assert.deepEqual(o.imports, []);
    assert.equal(o.complete?.result, 'SucceededWithIssues', explain(o));
    assert.equal(o.runner.warningIssues[0], 'app:big would not be imported: image index with 80 manifests; importImage accepts at most 50.');
  });
});
