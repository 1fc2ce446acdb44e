/**
 * Faults while listing and importing, through both front ends: registry 429 TOOMANYREQUESTS
 * and 5xx bursts, connection resets, and an import that ends Failed. Each run must end with
 * every other import done, and the before/after comparison must show nothing lost.
 */
import { strict as assert } from 'node:assert';
import type { FaultRule } from '../../testkit/emulator/api';
import { figures } from './support/figures';
import { FRONT_ENDS, runFrontEnd } from './support/frontEnds';
import { assertInSync, assertNothingLost, assertNothingShown, snapshotTarget } from './support/invariants';
import { faultEmulators } from './support/session';

describe('fault injection: listing and imports', function () {
  this.timeout(180_000);
  const start = faultEmulators();

  const recoverable: Array<[string, FaultRule[]]> = [
    ['registry 429 TOOMANYREQUESTS with Retry-After while listing tags', [{ route: 'acr.tags', kind: 'status', status: 429, retryAfterSeconds: 1, times: 6, body: { errors: [{ code: 'TOOMANYREQUESTS', message: 'too many requests' }] } }]],
    ['registry 429 without Retry-After on the catalog', [{ route: 'acr.catalog', kind: 'status', status: 429, times: 2 }]],
    ['a burst of 503 and 500 answers', [
      { route: 'acr.tags', kind: 'status', status: 503, times: 4 },
      { route: 'acr.token', kind: 'status', status: 500, times: 2 },
      { route: 'arm.registries.list', kind: 'status', status: 503, times: 1 },
    ]],
    ['connection resets on listing, token and import requests', [
      { route: 'acr.tags', kind: 'reset', after: 3, times: 3 },
      { route: 'acr.exchange', kind: 'reset', times: 1 },
      { route: 'arm.importImage.poll', kind: 'reset', after: 2, times: 2 },
    ]],
    ['ARM 429 with Retry-After on importImage and on polls', [
      { route: 'arm.importImage', kind: 'status', status: 429, retryAfterSeconds: 1, after: 1, times: 3 },
      { route: 'arm.importImage.poll', kind: 'status', status: 429, retryAfterSeconds: 1, after: 2, times: 2 },
    ]],
  ];

  for (const frontEnd of FRONT_ENDS) {
    for (const [what, faults] of recoverable) {
      it(`${frontEnd}: survives ${what}`, async () => {
        const e = await start();
        for (const fault of faults) e.addFault(fault);
        figures.faultsInjected += faults.reduce((n, f) => n + (f.times ?? 1), 0);
        figures.faultScenarios++;
        const before = snapshotTarget(e);
        const run = await runFrontEnd(frontEnd, e, { maxConcurrency: '4' });
        assert.equal(run.outcome, 'succeededWithIssues', `${run.reason}\n${run.stdout.slice(-3000)}`);
        assert.equal(run.report?.totals.tags.failed, 0);
        assertInSync(e);
        assertNothingLost(e, before, [run.report]);
        assertNothingShown(run);
      });
    }

    it(`${frontEnd}: an import that ends Failed is reported with the service's message; the others finish`, async () => {
      const e = await start();
      e.addFault({ route: 'arm.importImage', kind: 'importFails', after: 2, times: 1, code: 'InvalidParameters', message: 'Error copying blobs. Please try again.' });
      figures.faultsInjected++;
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e, { maxConcurrency: '1' });
      assert.equal(run.outcome, 'failed', run.reason);
      const failed = run.report?.repositories.filter((r) => r.status === 'failed') ?? [];
      assert.equal(failed.length, 1);
      assert.match(failed[0].imports.find((i) => i.outcome === 'failed')?.error ?? '', /Error copying blobs\. Please try again\./);
      assertInSync(e, [failed[0].name]);
      assert.match(run.everything, /Error copying blobs\. Please try again\./);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });
  }
});
