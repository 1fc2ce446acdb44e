/**
 * ARM throttling that behaves like ARM (a per-subscription write bucket answering 429 with
 * Retry-After, and 429 on polls), requests that hang, and imports that never finish — through
 * both front ends. Every run must finish what it can, honour Retry-After, pace itself rather
 * than hammer, and lose nothing.
 */
import { strict as assert } from 'node:assert';
import { figures } from './support/figures';
import { FRONT_ENDS, runFrontEnd } from './support/frontEnds';
import { assertInSync, assertNothingLost, assertNothingShown, snapshotTarget } from './support/invariants';
import { faultEmulators } from './support/session';

describe('fault injection: throttling and hangs', function () {
  this.timeout(180_000);
  const start = faultEmulators();

  for (const frontEnd of FRONT_ENDS) {
    it(`${frontEnd}: ARM's write and read buckets run dry; every import still lands, paced, with few 429s`, async () => {
      // A tight budget: 4 writes in a burst, two more per second; polls and lookups share 12 reads, +6/s.
      const e = await start({ armThrottling: { writes: { capacity: 4, refillPerSecond: 2 }, reads: { capacity: 12, refillPerSecond: 6 } } });
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e, { maxConcurrency: '8' });
      const writes = e.log.count('arm.importImage');
      const throttledWrites = e.log.count('arm.importImage', 429);
      const throttledReads = e.log.count('arm.importImage.poll', 429) + e.log.count('arm.registries.list', 429) + e.log.count('arm.permissions', 429);
      console.log(`      ${frontEnd}: ${throttledWrites} of ${writes} writes and ${throttledReads} reads throttled`);
      figures.faultsInjected += throttledWrites + throttledReads;
      figures.faultScenarios++;
      assert.equal(run.outcome, 'succeededWithIssues', `${run.reason}\n${run.stdout.slice(-2000)}`);
      assert.equal(run.report?.totals.tags.failed, 0);
      assertInSync(e);
      // Pacing: the client learns the budget from the remaining-writes header and its own
      // 429s, so only a small share of the writes is refused.
      assert.ok(throttledWrites <= Math.ceil(writes * 0.25), `${throttledWrites} of ${writes} writes throttled`);
      assert.equal(run.report?.totals.requests?.throttled, throttledWrites + throttledReads + e.log.count('acr.tags', 429));
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });

    it(`${frontEnd}: a hung request is abandoned after the request time limit and retried`, async () => {
      const e = await start();
      e.addFault({ route: 'acr.tags', kind: 'hang', after: 2, times: 2 });
      e.addFault({ route: 'arm.importImage.poll', kind: 'hang', after: 1, times: 1 });
      figures.faultsInjected += 3;
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const started = Date.now();
      const run = await runFrontEnd(frontEnd, e, { requestTimeoutSeconds: '2' });
      assert.equal(run.outcome, 'succeededWithIssues', run.reason);
      assert.equal(run.report?.totals.tags.failed, 0);
      assert.ok((run.report?.totals.requests?.retried ?? 0) >= 3, 'the hung requests were retried');
      assert.ok(Date.now() - started < 60_000);
      assertInSync(e);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });

    it(`${frontEnd}: an import that never finishes is failed at the per-import limit; the others land`, async () => {
      const e = await start();
      e.addFault({ route: 'arm.importImage', kind: 'importHangs', after: 3, times: 1 });
      figures.faultsInjected++;
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e, { importTimeoutMinutes: '0.05', maxConcurrency: '4' });
      assert.equal(run.outcome, 'failed', run.reason);
      const failed = (run.report?.repositories ?? []).filter((r) => r.status === 'failed');
      assert.equal(failed.length, 1);
      assert.match(failed[0].imports.find((i) => i.outcome === 'failed')?.error ?? '', /did not finish within 0\.05 minutes/);
      assertInSync(e, [failed[0].name]);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });
  }
});
