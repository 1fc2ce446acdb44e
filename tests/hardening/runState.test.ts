/**
 * The run and the world change under it: a source tag moves mid-run, tokens expire mid-run,
 * the process is killed half-way, the time budget runs out. Through both front ends.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
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

    it(`${frontEnd}: killed just after an import was accepted, that import lands later; the resumed run neither loses nor duplicates work`, async () => {
      // Imports land as accepted, except the fifth: it runs on until the test lets it land.
      const e = await start();
      const before = snapshotTarget(e);
      const full = await runFrontEnd(frontEnd, e, { dryRun: true });
      const planned = (full.report?.repositories ?? []).flatMap((r) => r.imports.map((i) => `${r.name}@${i.sourceDigest}`));
      assert.ok(planned.length >= 10);
      let posts = 0;
      let inFlight: ImportBody | undefined;
      let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
      const stopPosts = e.onRequest('arm.importImage', (r) => {
        posts++;
        if (posts !== 5) return;
        inFlight = r.body as ImportBody;
        e.setImportDurationMs(UNTIL_TOLD);
      });
      // SIGKILL (no clean-up) once the fifth import is accepted: its client polls it at once, and dies there.
      const stopPolls = e.onRequest('arm.importImage.poll', () => {
        if (posts === 5) child?.kill('SIGKILL');
      });
      figures.faultsInjected++;
      figures.faultScenarios++;
      const killed = await runFrontEnd(frontEnd, e, { maxConcurrency: '1' }, { onSpawn: (c) => (child = c) });
      stopPosts();
      stopPolls();
      assert.equal(killed.signal, 'SIGKILL');
      assert.equal(e.log.count('arm.importImage', 202), 5, 'five imports accepted before the kill');
      assert.ok(inFlight);
      const inFlightGroup = inFlight.source.sourceImage;
      // A new tag (NoForce): what makes the resumed run's own import of it conflict.
      assert.equal(inFlight.mode, 'NoForce');
      assert.ok(!landed(e, inFlight), 'the accepted fifth import has not landed yet');
      const landedBeforeKill = new Set(acceptedBodies(e).filter((b) => landed(e, b)).map((b) => b.source.sourceImage));
      assert.equal(landedBeforeKill.size, 4);

      // It lands while the resumed run is under way: after that run planned it (as missing)
      // and just before its own NoForce POST of the same group.
      e.setImportDurationMs(0);
      const acceptedBeforeResume = acceptedBodies(e).length;
      const conflictsBeforeResume = e.log.count('arm.importImage.poll', 409);
      let landedLate = 0;
      const stopLanding = e.onRequest('arm.importImage', (r) => {
        if ((r.body as ImportBody).source.sourceImage === inFlightGroup && landedLate === 0) landedLate = e.completeImports();
      });
      const resumed = await runFrontEnd(frontEnd, e, { maxConcurrency: '4' });
      stopLanding();
      assert.equal(landedLate, 1, "the killed run's import landed during the resumed run");
      assert.ok(landed(e, inFlight));
      assert.equal(resumed.outcome, 'succeededWithIssues', resumed.reason);
      assert.equal(resumed.report?.totals.tags.failed, 0, 'a tag that is right is not a failure');

      const resumedBodies = acceptedBodies(e).slice(acceptedBeforeResume);
      const resumedGroups = resumedBodies.map((b) => b.source.sourceImage);
      // Nothing that had landed is imported again; the one in flight was asked for once more,
      // with NoForce, and Azure refused it: it wrote nothing, the first copy stands.
      assert.deepEqual(resumedGroups.filter((g) => landedBeforeKill.has(g)), []);
      assert.deepEqual(resumedGroups.filter((g) => g === inFlightGroup), [inFlightGroup]);
      assert.equal(e.log.count('arm.importImage.poll', 409) - conflictsBeforeResume, 1, 'one NoForce conflict');
      // Together the two runs did the plan, each group once.
      assert.deepEqual([...landedBeforeKill, ...resumedGroups].sort(), [...planned].sort());
      assert.deepEqual(importedGroups(resumed.report).sort(), [...resumedGroups].sort());
      assertNothingLost(e, before, [resumed.report], new Set([...landedBeforeKill].flatMap((g) => tagsOf(e, g))));
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
    // As Kubernetes does for workload identity: a fresh short-lived token in the file, often,
    // swapped in whole (its atomic writer renames); a write in place could be read half-done.
    const rotate = (): void => {
      writeFileSync(`${file}.next`, e.mintFederatedToken(TARGET_APP, 3));
      renameSync(`${file}.next`, file);
    };
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

/** Longer than any run: an import accepted with it lands only when the test says so. */
const UNTIL_TOLD = 600_000;

interface ImportBody {
  source: { sourceImage: string };
  targetTags: string[];
  mode: string;
}

/** The bodies of the import POSTs the emulator accepted, in order. */
function acceptedBodies(e: Emulator): ImportBody[] {
  return e.log
    .entries()
    .filter((x) => x.route === 'arm.importImage' && x.status === 202)
    .map((x) => x.body as ImportBody);
}

/** Whether every target tag of an import points at the digest it imports. */
function landed(e: Emulator, body: ImportBody): boolean {
  const digest = body.source.sourceImage.split('@')[1];
  return body.targetTags.every((t) => {
    const [repo, tag] = t.split(':');
    return e.registry(TARGET).tags(repo).get(tag) === digest;
  });
}

/** The target tags that point at a group's digest (for imports that landed before a kill). */
function tagsOf(e: Emulator, group: string): string[] {
  const [repo, digest] = group.split('@');
  return [...e.registry(TARGET).tags(repo)].filter(([, d]) => d === digest).map(([tag]) => `${repo}:${tag}`);
}
