/**
 * Locks above the tag, through both front ends: a target repository locked as a whole and a
 * locked target manifest are found while planning, so no import is attempted for what they
 * guard (the emulator refuses such imports as a strict Azure would), the rest is synced, each
 * kept tag is warned with what is locked, and the run succeeds with issues (command line exit
 * 0, task SucceededWithIssues) — where before both imports were attempted, refused, and the run
 * failed.
 */
import { strict as assert } from 'node:assert';
import type { Emulator, Fixture, TagFixture } from '../../testkit/emulator/api';
import { figures } from './support/figures';
import { FRONT_ENDS, runFrontEnd } from './support/frontEnds';
import { assertInSync, assertNothingLost, assertNothingShown, snapshotTarget } from './support/invariants';
import { faultEmulators } from './support/session';
import { faultWorld, SOURCE, TARGET } from './support/world';

const image = (seed: string): TagFixture => ({ content: { kind: 'image', seed } });

/**
 * The fault world plus `frozen/app`, locked as a whole in the target (a re-tagged and a new
 * tag), and `pinned/app`, whose target `release` points at a locked manifest: the source moves
 * `release` off it, adds `extra` onto it, and adds `fresh`, a new digest nothing locks.
 */
function lockedWorld(): Fixture {
  const fixture = faultWorld();
  const source = fixture.subscriptions[0].registries[0];
  const target = fixture.subscriptions[1].registries[0];
  source.repositories = {
    ...source.repositories,
    'frozen/app': { '1.0': image('frozen-new'), '2.0': image('frozen-two') },
    'pinned/app': { release: image('pinned-new'), extra: image('pinned-old'), fresh: image('pinned-fresh') },
  };
  target.repositories = {
    ...target.repositories,
    'frozen/app': { '1.0': image('frozen-old') },
    'pinned/app': { release: { ...image('pinned-old'), manifestWriteEnabled: false } },
  };
  target.lockedRepositories = ['frozen/app'];
  return fixture;
}

/** importImage requests that name a repository, by the body the emulator logged. */
function importsOf(e: Emulator, repository: string): { source: { sourceImage: string }; targetTags: string[] }[] {
  return e.log
    .entries()
    .filter((x) => x.route === 'arm.importImage' && (x.body as { source?: { sourceImage?: string } } | undefined)?.source?.sourceImage?.startsWith(`${repository}@`))
    .map((x) => x.body as { source: { sourceImage: string }; targetTags: string[] });
}

/** Successful reads of one route on the target registry's data plane. */
const targetReads = (e: Emulator, route: 'acr.repository' | 'acr.manifestProperties' | 'acr.manifests'): number =>
  e.log.entries().filter((x) => x.service === `acr:${TARGET}` && x.route === route && x.status === 200).length;

describe('fault injection: locks above the tag in the target', function () {
  this.timeout(180_000);
  const start = faultEmulators();

  for (const frontEnd of FRONT_ENDS) {
    it(`${frontEnd}: a locked repository and a locked manifest are never imported into; the rest is synced; succeeded with issues`, async () => {
      const e = await start({}, lockedWorld());
      figures.faultScenarios++;
      figures.faultsInjected += 2;
      const before = snapshotTarget(e);
      const pinnedOld = before.get('pinned/app')?.get('release') ?? '';
      const fresh = e.registry(SOURCE).tags('pinned/app').get('fresh') ?? '';

      const run = await runFrontEnd(frontEnd, e);

      assert.equal(run.outcome, 'succeededWithIssues', `${run.reason}\n${run.stderr}`);
      if (frontEnd === 'cli') assert.equal(run.code, 0, run.stderr);
      // No import for what the locks guard: none for frozen/app, and for pinned/app only the new digest.
      assert.deepEqual(importsOf(e, 'frozen/app'), []);
      assert.deepEqual(importsOf(e, 'pinned/app').map((b) => [b.source.sourceImage, b.targetTags]), [[`pinned/app@${fresh}`, ['pinned/app:fresh']]]);
      assert.equal(e.log.count('arm.importImage.poll', 409), 0, 'no import was refused');
      // The target is unchanged there; the new digest arrived; everything else is in step.
      assert.deepEqual(e.registry(TARGET).tags('frozen/app'), before.get('frozen/app'));
      assert.deepEqual(e.registry(TARGET).tags('pinned/app'), new Map([['release', pinnedOld], ['fresh', fresh]]));
      assertInSync(e, ['frozen/app', 'pinned/app']);

      const tags = (repository: string) => run.report?.repositories.find((r) => r.name === repository)?.tags.map((t) => [t.tag, t.decision, t.outcome, t.lockedBy, t.lockedManifest]);
      assert.deepEqual(tags('frozen/app'), [
        ['1.0', 'locked', 'skipped', 'repository', undefined],
        ['2.0', 'locked', 'skipped', 'repository', undefined],
      ]);
      assert.deepEqual(tags('pinned/app'), [
        ['extra', 'locked', 'skipped', 'manifest', pinnedOld],
        ['fresh', 'new', 'imported', undefined, undefined],
        ['release', 'locked', 'skipped', 'manifest', pinnedOld],
      ]);
      // The fault world's locked tag, plus these four.
      assert.equal(run.report?.totals.tags.locked, 5);
      assert.equal(run.report?.totals.tags.failed, 0);

      // Warned with what is locked, in each front end's words.
      if (frontEnd === 'cli') {
        assert.match(run.stdout, /warning: frozen\/app:2\.0 not copied: the repository is locked in the target \(target —, source sha256:[0-9a-f]{12}\)/);
        assert.match(run.stdout, new RegExp(`warning: pinned/app:release not copied: manifest ${pinnedOld.slice(0, 19)} is locked in the target`));
      } else {
        assert.match(run.stdout, /^##vso\[task\.issue type=warning;[^\]]*\]frozen\/app:2\.0 was not copied: its repository is locked in the target /m);
        assert.match(run.stdout, new RegExp(`^##vso\\[task\\.issue type=warning;[^\\]]*\\]pinned/app:extra was not copied: the manifest ${pinnedOld.slice(0, 19)} is locked in the target `, 'm'));
        assert.match(run.reason, /^5 tags left unchanged: a lock in the target \(on the tag, its repository or a manifest\) forbids the change\./);
      }

      // What finding the locks cost on the target: one repository read per repository with
      // imports that exists there (team0/app00, frozen/app, pinned/app), manifest reads only
      // for digests its tags name (two for team0/app00's re-tagged `latest`, one for
      // pinned/app), no manifest listing.
      assert.equal(targetReads(e, 'acr.repository'), 3);
      assert.equal(targetReads(e, 'acr.manifestProperties'), 3);
      assert.equal(targetReads(e, 'acr.manifests'), 0);

      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });
  }
});
