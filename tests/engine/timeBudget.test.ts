import { strict as assert } from 'node:assert';
import { DEFAULT_LIST_CONCURRENCY as L } from '../../src/engine/syncOptions';
import { renderReportMarkdown } from '../../src/reporting/markdown';
import { MIN_RESERVE_MS, TimeBudget } from '../../src/engine/timeBudget';
import { repositories, setup } from './syncHarness';
import { MINUTE, VirtualClock } from './virtualClock';

describe('time budget', () => {
  describe('the reserve', () => {
    it('is max(30 s, twice the longest import), capped at half the budget', () => {
      const clock = new VirtualClock();
      const budget = new TimeBudget(clock, clock.now(), 60 * MINUTE);
      assert.equal(budget.reserveMs(), MIN_RESERVE_MS);
      budget.importTook(10 * 1000);
      assert.equal(budget.reserveMs(), MIN_RESERVE_MS);
      budget.importTook(5 * MINUTE);
      assert.equal(budget.reserveMs(), 10 * MINUTE);
      budget.importTook(40 * MINUTE);
      assert.equal(budget.reserveMs(), 30 * MINUTE);
      budget.importTook(1 * MINUTE);
      assert.equal(budget.reserveMs(), 30 * MINUTE, 'the longest import counts, not the last');
    });

    it('stops starts once the time left is under the reserve, and stays stopped', () => {
      const clock = new VirtualClock();
      const reached: number[] = [];
      const budget = new TimeBudget(clock, clock.now(), 10 * MINUTE, (reserve) => reached.push(reserve));
      clock.after(9 * MINUTE + 29_000, () => undefined);
      clock.fireNext();
      assert.equal(budget.allowsStart(), true, '31 s left, 30 s reserve');
      clock.after(2_000, () => undefined);
      clock.fireNext();
      assert.equal(budget.allowsStart(), false, '29 s left');
      assert.equal(budget.allowsStart(), false);
      assert.deepEqual(reached, [MIN_RESERVE_MS], 'reported once');
      assert.equal(budget.stopped, true);
    });

    it('without a budget, always allows starts', () => {
      const clock = new VirtualClock();
      const budget = new TimeBudget(clock, clock.now());
      clock.after(1e9, () => undefined);
      clock.fireNext();
      assert.equal(budget.allowsStart(), true);
      assert.equal(budget.stopped, false);
    });
  });

  it('starts no import near the end, defers the rest with the reason, and ends with issues', async () => {
    const clock = new VirtualClock();
    const { importer, target, run } = setup(repositories(6));
    importer.wait = () => clock.sleep(10 * MINUTE);
    importer.now = () => clock.now();
    const reached: number[] = [];
    // 35 min: import 1 at 0–10; reserve then min(2 × 10, 35 / 2) = 17.5 min and 25 min are left,
    // so import 2 runs 10–20; 15 min left < 17.5: nothing more starts.
    const report = await run({ timeBudgetMinutes: '35', maxConcurrency: '1' }, { clock, events: { budgetReached: (reserve) => reached.push(reserve) } });

    assert.deepEqual(Object.keys(target.snapshot()), ['repo00', 'repo01']);
    assert.deepEqual(importer.calls.map((c) => (c.startedAt - clock.now() + report.durationMs) / MINUTE), [0, 10]);
    assert.deepEqual(reached, [17.5 * MINUTE]);
    assert.deepEqual(
      report.repositories.map((r) => [r.name, r.status, r.deferredBy]),
      [
        ['repo00', 'done', undefined],
        ['repo01', 'done', undefined],
        ['repo02', 'deferred', 'timeBudget'],
        ['repo03', 'deferred', 'timeBudget'],
        ['repo04', 'deferred', 'timeBudget'],
        ['repo05', 'deferred', 'timeBudget'],
      ],
    );
    assert.equal(report.stoppedBy, 'timeBudget');
    assert.equal(report.result, 'succeededWithIssues');
    assert.deepEqual(report.limits, { timeBudgetMinutes: 35, importTimeoutMinutes: 30 });
    assert.equal(report.totals.repositories.deferred, 4);
    assert.equal(report.totals.repositories.remaining, 4);
    assert.equal(report.totals.importCalls, 2);
    assert.equal(report.durationMs, 20 * MINUTE);
    const deferredImport = report.repositories[2].imports[0];
    assert.equal(deferredImport.outcome, 'deferred');
    assert.equal(deferredImport.durationMs, undefined, 'a deferred import never ran');
    assert.deepEqual(report.repositories[2].tags.map((t) => t.outcome), ['deferred']);
    assert.match(renderReportMarkdown(report), /Stopped on its time budget of 35 minutes/);

    // The next run, with the same budget, continues where this one stopped.
    const nextClock = new VirtualClock();
    importer.wait = () => nextClock.sleep(10 * MINUTE);
    const next = await run({ timeBudgetMinutes: '35', maxConcurrency: '1' }, { clock: nextClock });
    assert.deepEqual(next.repositories.map((r) => r.status), ['inSync', 'inSync', 'done', 'done', 'deferred', 'deferred']);
  });

  it('lets imports in flight finish after starts stop', async () => {
    const clock = new VirtualClock();
    const content = { 'a-long': { t: `sha256:${'a'.repeat(64)}` }, ...repositories(12, 'b') };
    const { importer, run } = setup(content);
    importer.wait = (request) => clock.sleep(request.sourceRepository === 'a-long' ? 25 * MINUTE : 4 * MINUTE);
    importer.now = () => clock.now();
    let stoppedAt: number | undefined;
    // 30 min, 2 at once: a-long runs 0–25; the 4-minute imports run one after another beside it,
    // with an 8-minute reserve, until 24 min (6 min left); a-long then still finishes, at 25.
    const report = await run({ timeBudgetMinutes: '30', maxConcurrency: '2' }, { clock, events: { budgetReached: () => (stoppedAt = clock.now()) } });

    const startedAt = clock.now() - report.durationMs;
    assert.equal(stoppedAt !== undefined ? (stoppedAt - startedAt) / MINUTE : undefined, 24);
    const long = importer.calls.find((c) => c.sourceRepository === 'a-long');
    assert.equal(long && (long.finishedAt - startedAt) / MINUTE, 25);
    assert.equal(report.repositories[0].status, 'done', 'the import in flight finished and was verified');
    assert.equal(report.repositories[0].imports[0].durationMs, 25 * MINUTE);
    assert.ok(importer.calls.every((c) => c.startedAt < (stoppedAt ?? 0)), 'nothing started after the stop');
    assert.equal(importer.calls.length, 7);
    assert.deepEqual(
      report.repositories.flatMap((r) => r.imports.map((i) => i.outcome)),
      [...Array<string>(7).fill('succeeded'), ...Array<string>(6).fill('deferred')],
    );
    assert.equal(report.totals.repositories.remaining, 6);
    assert.equal(report.stoppedBy, 'timeBudget');
  });

  it('stops planning at the deadline: listings in flight are cancelled, unlisted repositories are remaining', async () => {
    const clock = new VirtualClock();
    const { source, target, importer, run } = setup(repositories(20));
    const cancelled: string[] = [];
    source.listingDelay = (repository, signal) =>
      clock.sleep(MINUTE, signal).catch((error: unknown) => {
        cancelled.push(repository);
        throw error;
      });
    // 2 min: the reserve is min(30 s, 1 min), so planning stops at 1.5 min. Listings take a
    // minute, L at a time: the first L are planned, the next ones are cut off half-way.
    const report = await run({ timeBudgetMinutes: '2' }, { clock });

    assert.equal(importer.calls.length, 0, 'no time was left for imports');
    assert.deepEqual(target.snapshot(), {});
    assert.deepEqual(cancelled.sort(), Object.keys(repositories(20)).slice(L, 2 * L));
    assert.equal(report.totals.repositories.selected, 20);
    assert.equal(report.totals.repositories.deferred, 20);
    assert.equal(report.totals.repositories.remaining, 20);
    assert.equal(report.totals.repositories.withWork, L, 'only listed repositories are known to have work');
    assert.ok(report.repositories.every((r) => r.status === 'deferred' && r.deferredBy === 'timeBudget'));
    assert.deepEqual(report.repositories[0].tags.map((t) => [t.decision, t.outcome]), [['new', 'deferred']], 'listed: the plan is reported');
    assert.deepEqual(report.repositories[L].tags, [], 'not listed: nothing is known about its tags');
    assert.equal(report.stoppedBy, 'timeBudget');
    assert.equal(report.result, 'succeededWithIssues');
    assert.equal(report.durationMs, 1.5 * MINUTE);
  });

  it('applies to a dry run too: planning stops at the deadline', async () => {
    const clock = new VirtualClock();
    const { source, run } = setup(repositories(20));
    source.listingDelay = (_, signal) => clock.sleep(MINUTE, signal);
    const report = await run({ timeBudgetMinutes: '2', dryRun: true }, { clock });
    assert.deepEqual(report.repositories.map((r) => r.status), [...Array<string>(L).fill('planned'), ...Array<string>(20 - L).fill('deferred')]);
    assert.equal(report.totals.repositories.remaining, 20);
    assert.equal(report.stoppedBy, 'timeBudget');
  });

  it('leaves a run without a budget alone, and a budget with room to spare unmentioned', async () => {
    const clock = new VirtualClock();
    const { importer, run } = setup(repositories(3));
    importer.wait = () => clock.sleep(MINUTE);
    const report = await run({ timeBudgetMinutes: '60', maxConcurrency: '1' }, { clock });
    assert.equal(report.result, 'succeeded');
    assert.equal(report.stoppedBy, undefined);
    assert.ok(!('stoppedBy' in report));
    assert.equal(report.totals.repositories.done, 3);
    const unlimited = await setup(repositories(2)).run();
    assert.deepEqual(unlimited.limits, { importTimeoutMinutes: 30 });
  });
});
