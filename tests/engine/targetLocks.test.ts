/**
 * Locks above the tag, in planning: a target repository locked as a whole and locked target
 * manifests (one the import would tag, one a tag would be moved off) make their tags `locked`
 * — never attempted, counted, the run succeeded with issues — while the rest is synced; and
 * what the planner reads for it: nothing for repositories in sync or new in the target, one
 * repository read per repository with imports, manifest reads only for digests the target's
 * tags name, a listing above two of them.
 */
import { strict as assert } from 'node:assert';
import type { RegistryReader } from '../../src/engine/ports';
import { MAX_MANIFESTS_READ_WITHOUT_LISTING } from '../../src/engine/targetLocks';
import { D, type MemoryRegistry } from './memoryRegistry';
import { setup } from './syncHarness';

const tagsOf = (report: Awaited<ReturnType<ReturnType<typeof setup>['run']>>, repository: string) =>
  report.repositories.find((r) => r.name === repository)?.tags.map((t) => [t.tag, t.decision, t.outcome, t.lockedBy, t.lockedManifest]);

/** The registry seen through a reader that reads tags only: it cannot tell any lock above the tag. */
function tagsOnly(registry: MemoryRegistry): RegistryReader {
  return { listRepositories: () => registry.listRepositories(), listTags: (repository, signal) => registry.listTags(repository, signal) };
}

describe('locks above the tag in the target', () => {
  it('a locked repository: none of its tags attempted, each counted locked by the repository; the rest synced', async () => {
    const { importer, target, run } = setup({ frozen: { '1.0': D(1), '2.0': D(2), same: D(3) }, open: { a: D(4) } }, { frozen: { '1.0': D(9), same: D(3) } });
    target.lockRepository('frozen');
    const report = await run();
    assert.deepEqual(importer.calls.map((c) => [c.sourceRepository, c.targetTags]), [['open', ['a']]]);
    assert.deepEqual(tagsOf(report, 'frozen'), [
      ['1.0', 'locked', 'skipped', 'repository', undefined],
      ['2.0', 'locked', 'skipped', 'repository', undefined],
    ]);
    assert.equal(report.repositories.find((r) => r.name === 'frozen')?.tagsInSync, 1, 'same: in sync, counted');
    assert.deepEqual(target.snapshot(), { frozen: { '1.0': D(9), same: D(3) }, open: { a: D(4) } });
    assert.equal(report.repositories.find((r) => r.name === 'frozen')?.status, 'blocked');
    assert.equal(report.totals.tags.locked, 2);
    assert.equal(report.result, 'succeededWithIssues');
    // One read for the repository with imports that exists in the target; `open` is new there.
    assert.deepEqual(target.lockReads, ['repository frozen']);
  });

  it('a locked manifest: a new tag onto it and a tag moved off it are locked by the manifest; a new digest is imported', async () => {
    const { importer, target, run } = setup(
      { app: { old: D(1), pinned: D(1), release: D(2), fresh: D(3) } },
      { app: { pinned: D(1), release: D(1) } },
    );
    target.lockManifest('app', D(1));
    const report = await run();
    assert.deepEqual(importer.calls.map((c) => [c.sourceDigest, c.mode, c.targetTags]), [[D(3), 'NoForce', ['fresh']]]);
    assert.deepEqual(tagsOf(report, 'app'), [
      ['fresh', 'new', 'imported', undefined, undefined],
      ['old', 'locked', 'skipped', 'manifest', D(1)],
      ['release', 'locked', 'skipped', 'manifest', D(1)],
    ]);
    assert.deepEqual(target.snapshot(), { app: { fresh: D(3), pinned: D(1), release: D(1) } });
    assert.equal(report.repositories[0].tagsInSync, 1, 'pinned: in sync, counted');
    assert.equal(report.repositories[0].status, 'done');
    assert.equal(report.totals.tags.locked, 2);
    assert.equal(report.result, 'succeededWithIssues');
    // D(1) is the only digest the target's tags name among those the plan touches: one read.
    assert.deepEqual(target.lockReads, ['repository app', `manifest app@${D(1)}`]);
  });

  it('force does not re-import onto a locked manifest, and a tag lock keeps its own reason', async () => {
    const { importer, target, run } = setup({ app: { a: D(1), b: D(2) } }, { app: { a: D(1), b: { digest: D(2), writeEnabled: false } } });
    target.lockManifest('app', D(1));
    target.lockRepository('other-unrelated');
    const report = await run({ force: true });
    assert.deepEqual(importer.calls, []);
    assert.deepEqual(tagsOf(report, 'app'), [
      ['a', 'locked', 'skipped', 'manifest', D(1)],
      ['b', 'locked', 'skipped', 'tag', undefined],
    ]);
  });

  it('the tag lock is found first: a locked tag in a locked repository says so, and costs no lock read', async () => {
    const { target, run } = setup({ frozen: { t: D(1) } }, { frozen: { t: { digest: D(9), writeEnabled: false } } });
    target.lockRepository('frozen');
    const report = await run();
    assert.deepEqual(tagsOf(report, 'frozen'), [['t', 'locked', 'skipped', 'tag', undefined]]);
    assert.deepEqual(target.lockReads, [], 'nothing to import: no read');
  });

  it('reads nothing for repositories in sync or new in the target, and no manifest for new digests only', async () => {
    const { target, run } = setup({ same: { t: D(1) }, fresh: { t: D(2) }, grows: { old: D(3), new: D(4) } }, { same: { t: D(1) }, grows: { old: D(3) } });
    const report = await run();
    assert.equal(report.result, 'succeeded');
    assert.deepEqual(target.lockReads, ['repository grows']);
  });

  it(`lists the manifests once above ${MAX_MANIFESTS_READ_WITHOUT_LISTING} digests to check, and reads each when the listing fails`, async () => {
    assert.equal(MAX_MANIFESTS_READ_WITHOUT_LISTING, 2);
    const source = { app: { a: D(1), b: D(2), c: D(3) } };
    const targetContent = { app: { a: D(11), b: D(12), c: D(13) } };
    const listed = setup(source, targetContent);
    listed.target.lockManifest('app', D(12));
    const report = await listed.run();
    assert.deepEqual(listed.target.lockReads, ['repository app', 'listing app']);
    assert.deepEqual(tagsOf(report, 'app')?.map((t) => t[1]), ['retagged', 'locked', 'retagged']);

    const failing = setup(source, targetContent);
    failing.target.lockManifest('app', D(12));
    const reads: string[] = [];
    // The listing fails; the single reads answer.
    const reader: RegistryReader = {
      ...tagsOnly(failing.target),
      repositoryWriteEnabled: (repository) => failing.target.repositoryWriteEnabled(repository),
      listLockedManifests: () => Promise.reject(new Error('listing failed: 503 service unavailable')),
      manifestWriteEnabled: (repository, digest) => {
        reads.push(digest);
        return failing.target.manifestWriteEnabled(repository, digest);
      },
    };
    const again = await failing.run({}, { targetReader: reader });
    assert.deepEqual(reads.sort(), [D(11), D(12), D(13)]);
    assert.deepEqual(tagsOf(again, 'app')?.map((t) => t[1]), ['retagged', 'locked', 'retagged']);
  });

  it('a failed lock read is not fatal: the import runs, and the service refusing it is the failure', async () => {
    const { importer, target, run } = setup({ frozen: { t: D(1) } }, { frozen: { t: D(9) } });
    target.lockRepository('frozen');
    target.failLockReads.add('frozen');
    const report = await run();
    assert.equal(importer.calls.length, 1);
    assert.equal(report.repositories[0].tags[0].outcome, 'failed');
    assert.match(report.repositories[0].tags[0].error ?? '', /repository frozen is locked/);
    assert.equal(report.result, 'failed');
  });

  it('a reader that cannot tell locks above the tag is not asked', async () => {
    const { importer, target, run } = setup({ frozen: { t: D(1) } }, { frozen: { t: D(9) } });
    target.lockRepository('frozen');
    const report = await run({}, { targetReader: tagsOnly(target) });
    assert.equal(importer.calls.length, 1);
    assert.equal(report.result, 'failed');
    assert.deepEqual(target.lockReads, []);
  });

  it('a dry run shows the locks and writes nothing', async () => {
    const { importer, target, run } = setup({ frozen: { t: D(1) }, app: { x: D(2) } }, { frozen: { t: D(9) }, app: { x: D(3) } });
    target.lockRepository('frozen');
    target.lockManifest('app', D(3));
    const report = await run({ dryRun: true });
    assert.deepEqual(importer.calls, []);
    assert.deepEqual(tagsOf(report, 'frozen'), [['t', 'locked', 'skipped', 'repository', undefined]]);
    assert.deepEqual(tagsOf(report, 'app'), [['x', 'locked', 'skipped', 'manifest', D(3)]]);
    assert.equal(report.result, 'succeededWithIssues');
  });
});
