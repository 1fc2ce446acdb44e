import { strict as assert } from 'node:assert';
import type { RunPlan } from '../../src/engine/events';
import { D } from './memoryRegistry';
import { setup } from './syncHarness';

describe('runSync', () => {
  it('copies new and re-tagged tags, skips in-sync ones, and verifies the target', async () => {
    const { target, importer, run } = setup(
      { app: { '1.0': D(1), '2.0': D(2), latest: D(2) }, web: { v1: D(3) } },
      { app: { '1.0': D(1), latest: D(1) }, web: { v1: D(3) } },
    );
    const report = await run();
    assert.deepEqual(target.snapshot(), { app: { '1.0': D(1), '2.0': D(2), latest: D(2) }, web: { v1: D(3) } });
    assert.deepEqual(
      importer.calls.map((c) => [c.sourceRepository, c.sourceDigest, c.mode, c.targetTags]),
      [
        ['app', D(2), 'NoForce', ['2.0']],
        ['app', D(2), 'Force', ['latest']],
      ],
    );
    assert.equal(report.result, 'succeeded');
    assert.deepEqual(report.totals.tags, { new: 1, retagged: 1, inSync: 2, forced: 0, locked: 0, tooManyManifests: 0, filteredOut: 0, imported: 2, failed: 0 });
    assert.deepEqual(report.totals.repositories, { scanned: 2, selected: 2, ignored: 0, withWork: 1, done: 1, failed: 0, deferred: 0, remaining: 0 });
    assert.equal(report.totals.importCalls, 2);
    assert.deepEqual(report.repositories.map((r) => [r.name, r.status]), [['app', 'done'], ['web', 'inSync']]);
  });

  it('imports N tags sharing a digest with one call', async () => {
    const { importer, target, run } = setup({ app: { a: D(7), b: D(7), c: D(7), d: D(7) } });
    await run();
    assert.equal(importer.calls.length, 1);
    assert.deepEqual(importer.calls[0].targetTags, ['a', 'b', 'c', 'd']);
    assert.deepEqual(target.snapshot(), { app: { a: D(7), b: D(7), c: D(7), d: D(7) } });
  });

  it('dry run makes no import and reports exactly the plan a real run executes', async () => {
    const content = { app: { '1.0': D(1), '2.0': D(2) }, svc: { x: D(4) } };
    const dry = setup(content, { app: { '1.0': D(9) } });
    let dryPlan: RunPlan | undefined;
    const dryReport = await dry.run({ dryRun: true }, { events: { planned: (p) => (dryPlan = p) } });
    assert.equal(dry.importer.calls.length, 0);
    assert.deepEqual(dry.target.snapshot(), { app: { '1.0': D(9) } });
    assert.deepEqual(dryReport.repositories.map((r) => r.status), ['planned', 'planned']);
    assert.equal(dryReport.totals.repositories.remaining, 2);

    const real = setup(content, { app: { '1.0': D(9) } });
    const realReport = await real.run();
    const planned = dryPlan!.repositories.flatMap((r) => r.plan!.groups).map((g) => [g.repository, g.sourceDigest, g.mode, g.tags]);
    assert.deepEqual(real.importer.calls.map((c) => [c.sourceRepository, c.sourceDigest, c.mode, c.targetTags]), planned);
    assert.deepEqual(dryReport.repositories.map((r) => r.imports.map((i) => [i.sourceDigest, i.mode, i.tags])), realReport.repositories.map((r) => r.imports.map((i) => [i.sourceDigest, i.mode, i.tags])));
  });

  it('max repositories counts only repositories with work, so limited runs advance', async () => {
    const content = { a1: { t: D(1) }, b1: { t: D(2) }, c1: { t: D(3) }, d1: { t: D(4) }, e1: { t: D(5) } };
    const { target, run } = setup(content, { a1: { t: D(1) }, c1: { t: D(3) } });
    const first = await run({ maxRepositories: '2' });
    assert.deepEqual(Object.keys(target.snapshot()), ['a1', 'b1', 'c1', 'd1']);
    assert.deepEqual(first.repositories.map((r) => r.status), ['inSync', 'done', 'inSync', 'done', 'deferred']);
    assert.equal(first.totals.repositories.remaining, 1);
    assert.equal(first.result, 'succeeded');
    const second = await run({ maxRepositories: '2' });
    assert.deepEqual(second.repositories.map((r) => r.status), ['inSync', 'inSync', 'inSync', 'inSync', 'done']);
    assert.equal(second.totals.repositories.remaining, 0);
    const third = await run({ maxRepositories: '2' });
    assert.equal(third.totals.importCalls, 0);
  });

  it('filters by repository, letters and ignore patterns before listing tags', async () => {
    const content = { alpha: { t: D(1) }, 'beta/x': { t: D(2) }, 'beta/y/z': { t: D(3) }, gamma: { t: D(4) } };
    const one = setup(content);
    const r1 = await one.run({ repository: 'gamma', letters: 'a' });
    assert.equal(one.source.catalogListings, 0);
    assert.deepEqual(Object.keys(one.target.snapshot()), ['gamma']);
    assert.equal(r1.totals.repositories.scanned, 1);

    const letters = setup(content);
    const r2 = await letters.run({ letters: 'a-b', ignorePatterns: ['beta/*'] });
    assert.deepEqual(Object.keys(letters.target.snapshot()), ['alpha', 'beta/y/z']);
    assert.deepEqual(r2.selection.ignored, [{ name: 'beta/x', pattern: 'beta/*' }]);
    assert.deepEqual([...new Set(letters.source.tagListings)].sort(), ['alpha', 'beta/y/z']);
  });

  it('tells the readers, before listing, which repositories it will list and in which order', async () => {
    const content = { gamma: { t: D(4) }, alpha: { t: D(1) }, 'beta/x': { t: D(2) }, delta: { t: D(5) } };
    const { source, target, run } = setup(content, { alpha: { t: D(1) } });
    await run({ ignorePatterns: ['delta'] });
    assert.deepEqual(source.expectations, [['alpha', 'beta/x', 'gamma']]);
    // Then, before the imports, the repositories whose imports are read back.
    assert.deepEqual(target.expectations, [['alpha', 'beta/x', 'gamma'], ['beta/x', 'gamma']]);
    // The hints are the order in which listings start.
    assert.deepEqual(source.tagListings, ['alpha', 'beta/x', 'gamma']);
    assert.deepEqual(target.tagListings, ['alpha', 'beta/x', 'gamma', 'beta/x', 'gamma']);
  });

  it('warns on a locked tag, never imports it, and ends with issues', async () => {
    const { importer, target, run } = setup({ app: { keep: D(1), fresh: D(2) } }, { app: { keep: { digest: D(5), writeEnabled: false } } });
    const report = await run();
    assert.deepEqual(importer.calls.map((c) => c.targetTags), [['fresh']]);
    assert.equal(target.digestOf('app', 'keep'), D(5));
    assert.equal(report.result, 'succeededWithIssues');
    assert.equal(report.totals.tags.locked, 1);
  });

  it('keeps going after a failed import or an unreadable repository, and fails at the end', async () => {
    const { importer, target, source, run } = setup({ a: { t: D(1) }, b: { t: D(2) }, c: { t: D(3) } });
    importer.failures.set(D(1), 'Error copying blobs');
    source.failListing.add('b');
    const report = await run();
    assert.deepEqual(target.snapshot(), { c: { t: D(3) } });
    assert.equal(report.result, 'failed');
    assert.deepEqual(report.repositories.map((r) => [r.name, r.status]), [['a', 'failed'], ['b', 'failed'], ['c', 'done']]);
    assert.equal(report.repositories[0].tags[0].error, 'Error copying blobs');
    assert.equal(report.repositories[0].imports[0].error, 'Error copying blobs');
    assert.match(report.repositories[1].error ?? '', /500 internal error/);
    assert.equal(report.totals.repositories.remaining, 2);
  });

  it('fails a tag that the import reported done but that points elsewhere in the target', async () => {
    const { importer, run } = setup({ app: { good: D(1), bad: D(2) } });
    importer.misdirect.set('bad', D(66));
    const report = await run();
    const bad = report.repositories[0].tags.find((t) => t.tag === 'bad');
    assert.equal(bad?.outcome, 'failed');
    assert.equal(bad?.error, `tag points at ${D(66)} in the target after the import, expected ${D(2)}`);
    assert.equal(report.result, 'failed');
  });

  it('takes a failed import whose tags landed meanwhile at its digest as done (a NoForce conflict with an earlier copy), not one that landed elsewhere', async () => {
    const { importer, target, run } = setup({ app: { right: D(1), other: D(2) } });
    // Another copy lands while each import runs (a killed run's import, server-side): the same digest for
    // one tag, another for the other; NoForce then meets "already exists".
    importer.wait = (request) => {
      target.set('app', request.targetTags[0], request.targetTags[0] === 'right' ? D(1) : D(99));
      return Promise.resolve();
    };
    const report = await run();
    const outcome = (tag: string) => report.repositories[0].tags.find((t) => t.tag === tag);
    assert.equal(outcome('right')?.outcome, 'imported');
    assert.equal(outcome('other')?.outcome, 'failed');
    assert.match(outcome('other')?.error ?? '', /already exists in target registry/);
    assert.deepEqual(report.repositories[0].imports.map((i) => i.outcome), ['failed', 'succeeded']);
    assert.equal(report.result, 'failed');
  });

  it('bounds imports in flight and spaces their starts, both at once', async () => {
    const content = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`repo${i}`, { t: D(i + 1) }]));
    const { importer, run } = setup(content);
    importer.durationMs = 150;
    await run({ maxConcurrency: '2', delaySeconds: '0.05' });
    assert.equal(importer.calls.length, 6);
    assert.equal(importer.maxInFlight, 2);
    const starts = importer.calls.map((c) => c.startedAt).sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 45, `starts ${i - 1}→${i} were ${starts[i] - starts[i - 1]} ms apart`);
  });

  it('runs imports in parallel up to max concurrency', async () => {
    const content = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`repo${i}`, { t: D(i + 1) }]));
    const { importer, run } = setup(content);
    importer.durationMs = 100;
    await run({ maxConcurrency: '4' });
    assert.equal(importer.maxInFlight, 4);
  });
});
