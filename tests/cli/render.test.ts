/**
 * What the command line prints for the new outcomes: a stop on the time budget, indexes of too
 * many manifests, the shard and the request counts — from real engine reports.
 */
import { strict as assert } from 'node:assert';
import { progressEvents, renderPlan, renderSummary } from '../../src/cli/render';
import { DEFAULT_LIST_CONCURRENCY as L } from '../../src/engine/syncOptions';
import { D } from '../engine/memoryRegistry';
import { repositories, setup } from '../engine/syncHarness';
import { MINUTE, VirtualClock } from '../engine/virtualClock';

function printed(): { lines: string[]; print: (line: string) => void } {
  const lines: string[] = [];
  return { lines, print: (line) => lines.push(line) };
}

describe('command-line output', () => {
  it('says a run stopped on its time budget, what is left, and how to continue', async () => {
    const clock = new VirtualClock();
    const { importer, run } = setup(repositories(6));
    importer.wait = () => clock.sleep(10 * MINUTE);
    const progress = printed();
    const report = await run({ timeBudgetMinutes: '35', maxConcurrency: '1' }, { clock, events: progressEvents(progress.print) });
    assert.ok(progress.lines.includes('Time budget: 1050 s left or less; no new work starts, imports in flight finish.'), progress.lines.join('\n'));

    const summary = printed();
    renderSummary(report, summary.print);
    assert.equal(summary.lines[1], 'Run succeeded with issues in 1200.0 s.');
    assert.equal(summary.lines[2], '  stopped on its time budget (35 minutes): 4 repositories still have work; run again to continue');
  });

  it('warns of an index of too many manifests, in the plan and in the summary', async () => {
    const { source, run } = setup({ app: { big: D(2), small: D(1) } });
    source.manifestCounts.set(D(2), 64);
    const plan = printed();
    const report = await run({ dryRun: true }, { events: { planned: (p) => renderPlan(p, true, plan.print) } });
    const row = plan.lines.find((l) => l.startsWith('app') && l.includes(' big '));
    assert.match(row ?? '', /TOO MANY MANIFESTS .* never \(index of 64 manifests; importImage accepts at most 50\)$/);
    const summary = printed();
    renderSummary(report, summary.print);
    assert.ok(summary.lines.includes('  warning: app:big would not be imported: image index with 64 manifests; importImage accepts at most 50'), summary.lines.join('\n'));
    assert.ok(summary.lines.some((l) => l.includes('1 too many manifests')));
  });

  it('a dry run says what would happen and warns of a re-tag only once it is written', async () => {
    const { run } = setup({ app: { moved: D(1) } }, { app: { moved: D(9) } });
    const plan = printed();
    const dry = await run({ dryRun: true }, { events: { planned: (p) => renderPlan(p, true, plan.print) } });
    assert.match(plan.lines.find((l) => l.startsWith('app')) ?? '', /RE-TAGGED .* would import Force$/i);
    const drySummary = printed();
    renderSummary(dry, drySummary.print);
    assert.ok(!drySummary.lines.some((l) => l.includes('warning')), drySummary.lines.join('\n'));
    const real = printed();
    renderSummary(await run({}), real.print);
    assert.ok(real.lines.some((l) => l.startsWith('  warning: app:moved was re-tagged')), real.lines.join('\n'));
  });

  it('says what is locked in the target: the repository or a manifest, in the plan and in the summary', async () => {
    const { target, run } = setup({ frozen: { v2: D(1) }, app: { release: D(2) } }, { frozen: { v1: D(8) }, app: { release: D(9) } });
    target.lockRepository('frozen');
    target.lockManifest('app', D(9));
    const plan = printed();
    const report = await run({ dryRun: true }, { events: { planned: (p) => renderPlan(p, true, plan.print) } });
    assert.match(plan.lines.find((l) => l.startsWith('frozen')) ?? '', /LOCKED .* never \(locked repository\)$/);
    assert.match(plan.lines.find((l) => l.startsWith('app')) ?? '', /LOCKED .* never \(locked manifest\)$/);
    const summary = printed();
    renderSummary(report, summary.print);
    const short = 'sha256:000000000000';
    assert.ok(summary.lines.includes(`  warning: frozen:v2 would not be copied: the repository is locked in the target (target —, source ${short})`), summary.lines.join('\n'));
    assert.ok(summary.lines.includes(`  warning: app:release would not be copied: manifest ${short} is locked in the target (target ${short}, source ${short})`), summary.lines.join('\n'));
    assert.ok(summary.lines.some((l) => l.includes(' 2 locked,')), summary.lines.join('\n'));
  });

  it('names the shard and shows request counts when known', async () => {
    const { run } = setup(repositories(10));
    const plan = printed();
    const report = await run({ shardIndex: '2', shardCount: '3' }, { events: { planned: (p) => renderPlan(p, false, plan.print) }, requestStats: () => ({ requests: 42, throttled: 3, retried: 5 }) });
    assert.match(plan.lines[1], /^Shard 2 of 3: \d+ of the 10 repositories all shards select\.$/);
    const summary = printed();
    renderSummary(report, summary.print);
    assert.ok(summary.lines.includes('  shard 2 of 3'));
    assert.ok(summary.lines.includes('  requests: 42 sent, 3 throttled, 5 retried'));
  });

  it('marks repositories the budget kept from being listed', async () => {
    const clock = new VirtualClock();
    const { source, run } = setup(repositories(L + 4));
    source.listingDelay = (_, signal) => clock.sleep(MINUTE, signal);
    const plan = printed();
    await run({ timeBudgetMinutes: '2', dryRun: true }, { clock, events: { planned: (p) => renderPlan(p, true, plan.print) } });
    // L listed in the first minute, 4 cut off at 1.5 min (the reserve is 30 s of 2 min).
    assert.ok(plan.lines.includes('4 repositories were not listed: the time budget ran out while planning (deferred to the next run).'), plan.lines.join('\n'));
    assert.ok(!plan.lines.some((l) => l.startsWith(`repo${L + 3}`)), 'not listed one by one');
    assert.ok(plan.lines.some((l) => l.startsWith(`repo${String(L - 1).padStart(2, '0')} `)), 'a listed repository with work is in the table');
  });
});
