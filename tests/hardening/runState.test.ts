/**
 * The run and the world change under it: a source tag moves mid-run, tokens expire mid-run,
 * the process is killed half-way, the time budget runs out. Through both front ends.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipelineFederatedCredential } from '../../testkit/emulator';
import type { Emulator } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import { pipelineEnv, workloadIdentityConnection } from '../task/connections/support/agentEnv';
import { figures } from './support/figures';
import { FRONT_ENDS, runFrontEnd } from './support/frontEnds';
import { assertNothingLost, assertNothingShown, snapshotTarget } from './support/invariants';
import { faultEmulators } from './support/session';
import { CONNECTIONS, faultWorld, SOURCE, SOURCE_APP, SUB_SOURCE, SUB_TARGET, TARGET, TARGET_APP, TENANT } from './support/world';

function importedGroups(report: RunReport | undefined): string[] {
  return (report?.repositories ?? []).flatMap((r) => r.imports.filter((i) => i.outcome === 'succeeded').map((i) => `${r.name}@${i.sourceDigest}`));
}

describe('fault injection: the world changes during the run', function () {
  this.timeout(240_000);
  const start = faultEmulators();

  for (const frontEnd of FRONT_ENDS) {
    it(`${frontEnd}: a source tag that moves mid-run is imported at the digest that was compared`, async () => {
      const e = await start();
      const repo = 'team1/app04';
      const compared = e.registry(SOURCE).tags(repo).get('latest')!;
      let moved = '';
      e.onRequest('arm.importImage', () => {
        if (moved === '') moved = e.registry(SOURCE).push(repo, 'latest', { kind: 'image', seed: 'pushed-during-the-run' });
      });
      figures.faultsInjected++;
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e, { maxConcurrency: '2' });
      assert.notEqual(moved, compared);
      assert.equal(run.outcome, 'succeededWithIssues', run.reason);
      // Pinned: the target tag is the digest the plan compared, and the target holds it.
      assert.equal(e.registry(TARGET).tags(repo).get('latest'), compared);
      assert.ok(e.registry(TARGET).hasManifest(repo, compared));
      const bodies = e.log.entries().filter((x) => x.route === 'arm.importImage').map((x) => (x.body as { source: { sourceImage: string } }).source.sourceImage);
      assert.ok(bodies.includes(`${repo}@${compared}`));
      assert.ok(bodies.every((image) => /@sha256:[0-9a-f]{64}$/.test(image)));
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
      // The next run sees the move as a re-tag and follows it.
      const next = await runFrontEnd(frontEnd, e);
      assert.equal(e.registry(TARGET).tags(repo).get('latest'), moved);
      assertNothingLost(e, before, [run.report, next.report]);
    });

    it(`${frontEnd}: tokens that expire mid-run are renewed without a failure`, async () => {
      // Two-second tokens and slow answers: the run outlives several generations of tokens.
      const e = await start({ tokenLifetimeSeconds: 2, latencyMs: 40, importDurationMs: 1000 });
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const started = Date.now();
      const run = await runFrontEnd(frontEnd, e, { maxConcurrency: '2' });
      assert.ok(Date.now() - started > 4000, 'the run outlived its first tokens');
      assert.equal(run.outcome, 'succeededWithIssues', run.reason);
      assert.equal(run.report?.totals.tags.failed, 0);
      assert.ok(e.log.count('entra.token') >= 4, `${e.log.count('entra.token')} Entra token requests`);
      assert.ok(e.log.count('acr.exchange') >= 4, `${e.log.count('acr.exchange')} registry token exchanges`);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });

    it(`${frontEnd}: killed half-way, the next run does exactly the remaining work`, async () => {
      const e = await start();
      const before = snapshotTarget(e);
      const full = await runFrontEnd(frontEnd, e, { dryRun: true });
      const planned = (full.report?.repositories ?? []).flatMap((r) => r.imports.map((i) => `${r.name}@${i.sourceDigest}`));
      assert.ok(planned.length >= 10);
      // Kill the process (SIGKILL: no clean-up) when the fifth import is asked for.
      let posts = 0;
      let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
      const stopHook = e.onRequest('arm.importImage', () => {
        posts++;
        if (posts === 5) child?.kill('SIGKILL');
      });
      figures.faultsInjected++;
      figures.faultScenarios++;
      const killed = await runFrontEnd(frontEnd, e, { maxConcurrency: '1' }, { onSpawn: (c) => (child = c) });
      stopHook();
      assert.equal(killed.signal, 'SIGKILL');
      const doneBeforeKill = new Set(
        e.log
          .entries()
          .filter((x) => x.route === 'arm.importImage' && x.status === 202)
          .map((x) => (x.body as { source: { sourceImage: string } }).source.sourceImage)
          .filter((image) => e.registry(TARGET).tags(image.split('@')[0]).size > 0 && [...e.registry(TARGET).tags(image.split('@')[0]).values()].includes(image.split('@')[1])),
      );
      assert.ok(doneBeforeKill.size >= 3 && doneBeforeKill.size < planned.length, `${doneBeforeKill.size} imports landed before the kill`);
      const resumed = await runFrontEnd(frontEnd, e, { maxConcurrency: '4' });
      assert.equal(resumed.outcome, 'succeededWithIssues', resumed.reason);
      const second = importedGroups(resumed.report);
      // Nothing that had landed is imported again, and together the two runs did the plan.
      assert.deepEqual(second.filter((g) => doneBeforeKill.has(g)), []);
      assert.deepEqual([...new Set([...doneBeforeKill, ...second])].sort(), [...planned].sort());
      assertNothingLost(e, before, [resumed.report], new Set([...doneBeforeKill].flatMap((g) => tagsOf(e, g))));
      assertNothingShown(resumed);
    });

    it(`${frontEnd}: near the end of its time budget no import starts; the report lists what remains`, async () => {
      // Slow imports (2 s each, polled a second apart) and one at a time: the budget runs out first.
      const e = await start({ importDurationMs: 2000 });
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e, { maxConcurrency: '1', timeBudgetMinutes: '0.2' });
      assert.equal(run.outcome, 'succeededWithIssues', run.reason);
      assert.equal(run.report?.stoppedBy, 'timeBudget');
      const remaining = run.report?.totals.repositories.remaining ?? 0;
      assert.ok(remaining > 0 && (run.report?.totals.repositories.done ?? 0) > 0, `done ${run.report?.totals.repositories.done}, remaining ${remaining}`);
      assert.ok((run.report?.repositories ?? []).some((r) => r.deferredBy === 'timeBudget'));
      assert.equal(run.report?.totals.tags.failed, 0, 'in-flight imports finished');
      assert.match(run.everything, /time budget/i);
      assertNothingLost(e, before, [run.report]);
      const next = await runFrontEnd(frontEnd, e, { maxConcurrency: '4' });
      assert.equal(next.report?.totals.repositories.remaining, 0);
      assertNothingLost(e, before, [run.report, next.report]);
    });
  }

  it('task: workload identity federation with ID tokens shorter than the run keeps signing in', async () => {
    const fixture = faultWorld();
    fixture.principals = fixture.principals.map((p) => {
      const { secret, ...rest } = p;
      void secret;
      return { ...rest, federated: pipelineFederatedCredential(p.clientId === SOURCE_APP ? 'source-wif' : 'target-wif') };
    });
    fixture.pipeline = { serviceConnections: [{ id: CONNECTIONS.source, name: 'source-wif' }, { id: CONNECTIONS.target, name: 'target-wif' }] };
    const e = await start({ tokenLifetimeSeconds: 2, idTokenLifetimeSeconds: 2, latencyMs: 40, importDurationMs: 1000 }, fixture);
    figures.faultScenarios++;
    const before = snapshotTarget(e);
    const connections = [
      workloadIdentityConnection(e, { id: CONNECTIONS.source, tenantId: TENANT, subscriptionId: SUB_SOURCE, clientId: SOURCE_APP }),
      workloadIdentityConnection(e, { id: CONNECTIONS.target, tenantId: TENANT, subscriptionId: SUB_TARGET, clientId: TARGET_APP }),
    ];
    const started = Date.now();
    const run = await runFrontEnd('task', e, { maxConcurrency: '2' }, { taskConnections: connections, env: pipelineEnv(e) });
    assert.ok(Date.now() - started > 4000, 'the run outlived its first ID tokens');
    assert.equal(run.outcome, 'succeededWithIssues', run.reason);
    assert.ok(e.log.count('pipeline.oidcToken', 200) >= 4, `${e.log.count('pipeline.oidcToken', 200)} ID tokens`);
    assertNothingLost(e, before, [run.report]);
    assertNothingShown(run);
  });

  it('cli: a federated token file rotated during the run keeps signing in', async () => {
    const fixture = faultWorld();
    fixture.principals = fixture.principals.map((p) => (p.clientId === TARGET_APP ? { ...p, federated: pipelineFederatedCredential('cli-wif') } : p));
    const e = await start({ tokenLifetimeSeconds: 2, latencyMs: 40, importDurationMs: 1000 }, fixture);
    figures.faultScenarios++;
    const dir = mkdtempSync(join(tmpdir(), 'federated-'));
    const file = join(dir, 'token');
    // As Kubernetes does for workload identity: a fresh short-lived token in the file, often.
    const rotate = (): void => writeFileSync(file, e.mintFederatedToken(TARGET_APP, 3));
    rotate();
    const timer = setInterval(rotate, 1000);
    const before = snapshotTarget(e);
    try {
      const started = Date.now();
      const run = await runFrontEnd('cli', e, { maxConcurrency: '2' }, { cliCredential: { clientId: TARGET_APP, federatedTokenFile: file } });
      assert.equal(run.outcome, 'succeededWithIssues', run.reason);
      assert.ok(Date.now() - started > 4000, 'the run outlived its first federated token');
      assert.ok(e.log.count('entra.token') >= 4);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    } finally {
      clearInterval(timer);
    }
  });
});

/** The target tags that point at a group's digest (for imports that landed before a kill). */
function tagsOf(e: Emulator, group: string): string[] {
  const [repo, digest] = group.split('@');
  return [...e.registry(TARGET).tags(repo)].filter(([, d]) => d === digest).map(([tag]) => `${repo}:${tag}`);
}
