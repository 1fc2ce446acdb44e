/**
 * How a run ends when it is stopped from outside or breaks inside, through both front ends:
 * SIGINT / SIGTERM (Ctrl-C, a cancelled job) cancel it gracefully — nothing new starts, what
 * finished is verified and reported, the run is marked cancelled; an error nothing caught is one
 * line and a failed result, never a stack trace; the time budget covers signing in too.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { figures } from './support/figures';
import { FRONT_ENDS, runFrontEnd } from './support/frontEnds';
import { assertNothingLost, assertNothingShown, snapshotTarget } from './support/invariants';
import { faultEmulators } from './support/session';

const THROW_LATER = join(__dirname, 'support', 'throwLater.js');

describe('fault injection: cancellation, unexpected errors and the whole-run time budget', function () {
  this.timeout(240_000);
  const start = faultEmulators();

  for (const frontEnd of FRONT_ENDS) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`${frontEnd}: ${signal} during imports: nothing new starts, what finished is verified, the report says cancelled`, async () => {
        // Imports of 2 s (polled at once, then a second apart), one at a time: the signal comes with the third.
        const e = await start({ importDurationMs: 2000 });
        let posts = 0;
        let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
        const stopHook = e.onRequest('arm.importImage', () => {
          posts++;
          if (posts === 3) child?.kill(signal);
        });
        figures.faultsInjected++;
        figures.faultScenarios++;
        const before = snapshotTarget(e);
        const run = await runFrontEnd(frontEnd, e, { maxConcurrency: '1' }, { onSpawn: (c) => (child = c) });
        stopHook();

        if (frontEnd === 'cli') assert.equal(run.code, 130, run.stderr);
        else assert.match(run.reason, /^The run was cancelled: \d+ tags? imported and verified; \d+ repositor(y still has|ies still have) work/);
        assert.equal(run.outcome, 'failed');
        assert.equal(posts, 3, 'no import started after the signal');
        assert.equal(run.report?.stoppedBy, 'cancelled');
        assert.equal(run.report?.result, 'failed');
        const repositories = run.report?.repositories ?? [];
        assert.ok(repositories.some((r) => r.deferredBy === 'cancelled'), 'what did not start is left for the next run');
        assert.ok((run.report?.totals.repositories.remaining ?? 0) > 0);
        assert.ok(repositories.filter((r) => r.status === 'done').length >= 2, 'the imports before the signal were verified');
        assert.match(run.everything, /cancel/i);
        assertNothingLost(e, before, [run.report]);
        assertNothingShown(run);

        const next = await runFrontEnd(frontEnd, e, { maxConcurrency: '4' });
        assert.equal(next.report?.totals.repositories.remaining, 0, next.reason);
      });
    }

    for (const how of ['throw', 'reject'] as const) {
      it(`${frontEnd}: an error nothing caught (${how === 'throw' ? 'thrown in a callback' : 'a rejected promise nobody awaits'}) is one line and a failed result, no stack trace`, async () => {
        const e = await start({ importDurationMs: 2000 });
        figures.faultsInjected++;
        figures.faultScenarios++;
        const run = await runFrontEnd(frontEnd, e, { maxConcurrency: '1' }, { preload: [THROW_LATER], env: { THROW_LATER_MS: '1500', THROW_LATER_HOW: how } });
        if (frontEnd === 'cli') {
          assert.equal(run.code, 3, run.stderr);
          assert.deepEqual(run.stderr.trim().split('\n').filter((l) => /unexpected error/.test(l)).length, 1, run.stderr);
          assert.match(run.stderr, /^acr-transfer: unexpected error: planted failure in a callback/m);
        } else {
          // The process ends there: no report, a Failed result with the one line.
          assert.match(run.stdout, /^##vso\[task\.complete result=Failed;\]Unexpected error: planted failure in a callback/m);
        }
        assert.doesNotMatch(run.stdout + run.stderr, /^\s+at /m, 'no stack trace');
        assert.doesNotMatch(run.stdout + run.stderr, /planted-secret-value/, 'redacted');
      });
    }

    it(`${frontEnd}: the time budget covers signing in: a sign-in that hangs ends the run at the budget, nothing written`, async () => {
      const e = await start();
      e.addFault({ route: 'entra.token', kind: 'hang', times: Infinity });
      figures.faultsInjected++;
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e, { timeBudgetMinutes: '0.05' });
      if (frontEnd === 'cli') {
        assert.equal(run.code, 3, run.stderr);
        assert.match(run.reason, /^acr-transfer: the time budget of 0\.05 minutes ran out before the run could start/);
      } else {
        assert.equal(run.outcome, 'badInput', 'no report: the run never started');
        assert.match(run.reason, /^The time budget ran out before the run could start/);
      }
      assert.equal(e.log.count('arm.importImage'), 0);
      assertNothingLost(e, before, []);
    });
  }
});
