/**
 * Cancelling a run (a front end's answer to SIGINT / SIGTERM): nothing new starts, imports in
 * flight get a short grace and are verified when they finish in it, then the run stops waiting
 * and reports what was done and what is left, marked cancelled. All in virtual time.
 */
import { strict as assert } from 'node:assert';
import { CANCEL_GRACE_MS } from '../../src/engine/sync';
import { repositories, setup } from './syncHarness';
import { MINUTE, VirtualClock } from './virtualClock';

describe('cancelling a run', () => {
  it('starts nothing new, lets imports in flight finish within the grace, and reports the rest as cancelled', async () => {
    const clock = new VirtualClock();
    const { importer, target, run } = setup(repositories(8));
    importer.now = () => clock.now();
    // Imports take 2 s; the run is cancelled at 5 s, while the third of four pairs is in flight.
    importer.wait = (_request, signal) => clock.sleep(2_000, signal);
    const stop = new AbortController();
    clock.after(5_000, () => stop.abort());
    const report = await run({ maxConcurrency: '2' }, { clock, stop: stop.signal });

    assert.equal(importer.calls.length, 6, 'three pairs started: at 0, 2 and 4 s');
    assert.ok(importer.calls.every((c) => c.startedAt - (clock.now() - report.durationMs) <= 4_000), 'nothing started after the cancellation');
    assert.deepEqual(Object.keys(target.snapshot()).sort(), Object.keys(repositories(6)), 'the pair in flight finished within the grace');
    assert.equal(report.stoppedBy, 'cancelled');
    assert.equal(report.result, 'failed');
    assert.deepEqual(
      report.repositories.map((r) => [r.status, r.deferredBy]),
      [...Array<[string, string | undefined]>(6).fill(['done', undefined]), ['deferred', 'cancelled'], ['deferred', 'cancelled']],
    );
    assert.equal(report.totals.repositories.remaining, 2);
  });

  it('abandons imports still in flight when the grace is over, and defers what did not start', async () => {
    const clock = new VirtualClock();
    const { importer, target, run } = setup(repositories(4));
    importer.now = () => clock.now();
    importer.wait = (_request, signal) => clock.sleep(10 * MINUTE, signal);
    const stop = new AbortController();
    clock.after(MINUTE, () => stop.abort());
    const report = await run({ maxConcurrency: '2' }, { clock, stop: stop.signal });

    assert.equal(importer.calls.length, 2);
    assert.deepEqual(target.snapshot(), {});
    assert.equal(report.durationMs, MINUTE + CANCEL_GRACE_MS, 'the run ends when the grace is over');
    assert.deepEqual(
      report.repositories.map((r) => [r.name, r.status, r.deferredBy]),
      [
        ['repo00', 'failed', undefined],
        ['repo01', 'failed', undefined],
        ['repo02', 'deferred', 'cancelled'],
        ['repo03', 'deferred', 'cancelled'],
      ],
    );
    assert.match(report.repositories[0].imports[0].error ?? '', /the run was cancelled; stopped waiting for this import/);
    assert.equal(report.stoppedBy, 'cancelled');
    assert.equal(report.result, 'failed');
    assert.equal(report.totals.repositories.remaining, 4);
  });

  it('cuts planning short: listings in flight are cancelled and unlisted repositories are deferred', async () => {
    const clock = new VirtualClock();
    const { source, importer, run } = setup(repositories(30));
    source.listingDelay = (_repository, signal) => clock.sleep(MINUTE, signal);
    const stop = new AbortController();
    clock.after(30_000, () => stop.abort());
    const report = await run({}, { clock, stop: stop.signal });

    assert.equal(importer.calls.length, 0);
    assert.equal(report.durationMs, 30_000, 'planning stops at once, nothing is in flight to wait for');
    assert.ok(report.repositories.every((r) => r.status === 'deferred' && r.deferredBy === 'cancelled'));
    assert.equal(report.stoppedBy, 'cancelled');
  });

  it('cuts the catalog short: nothing is selected and the report says the run was cancelled', async () => {
    const clock = new VirtualClock();
    const { source, importer, run } = setup(repositories(3));
    source.catalogDelay = (signal) => clock.sleep(MINUTE, signal);
    const stop = new AbortController();
    clock.after(1_000, () => stop.abort());
    const report = await run({}, { clock, stop: stop.signal });

    assert.equal(importer.calls.length, 0);
    assert.equal(report.totals.repositories.selected, 0);
    assert.equal(report.stoppedBy, 'cancelled');
    assert.equal(report.result, 'failed');
  });

  it('a run cancelled before it starts writes nothing', async () => {
    const { importer, target, run } = setup(repositories(3));
    const stop = new AbortController();
    stop.abort();
    const report = await run({}, { stop: stop.signal });
    assert.equal(importer.calls.length, 0);
    assert.deepEqual(target.snapshot(), {});
    assert.equal(report.stoppedBy, 'cancelled');
  });
});

describe('the time budget covers the whole run', () => {
  it('counts the time before the engine (sign-in, finding the registries)', async () => {
    const clock = new VirtualClock();
    const { importer, run } = setup(repositories(4));
    importer.now = () => clock.now();
    importer.wait = () => clock.sleep(MINUTE);
    // A 10-minute budget of which sign-in already spent 9: the reserve of 30 s leaves 30 s,
    // enough for the first import to start and none after it.
    const report = await run({ timeBudgetMinutes: '10', maxConcurrency: '1' }, { clock, startedAt: clock.now() - 9 * MINUTE });
    assert.equal(importer.calls.length, 1);
    assert.equal(report.stoppedBy, 'timeBudget');
    assert.equal(report.totals.repositories.remaining, 3);
  });

  it('cuts a catalog listing that outlasts the budget: nothing is selected, the next run continues', async () => {
    const clock = new VirtualClock();
    const { source, importer, run } = setup(repositories(3));
    source.catalogDelay = (signal) => clock.sleep(10 * MINUTE, signal);
    const report = await run({ timeBudgetMinutes: '2' }, { clock });
    assert.equal(importer.calls.length, 0);
    assert.equal(report.totals.repositories.selected, 0);
    assert.equal(report.stoppedBy, 'timeBudget');
    assert.equal(report.result, 'succeededWithIssues');
    assert.equal(report.durationMs, 1.5 * MINUTE);
  });
});
