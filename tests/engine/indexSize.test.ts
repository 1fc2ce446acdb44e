import { strict as assert } from 'node:assert';
import { DEFAULT_LIST_CONCURRENCY } from '../../src/engine/syncOptions';
import { renderReportMarkdown } from '../../src/reporting/markdown';
import { D, withoutManifestCounts } from './memoryRegistry';
import { setup } from './syncHarness';

describe('image indexes of more than 50 manifests', () => {
  const content = { app: { small: D(1), big: D(2), 'big-too': D(2), edge: D(3), same: D(4), moved: D(5) } };
  const targetContent = { app: { same: D(4), moved: D(2) } };

  function withCounts() {
    const harness = setup(content, targetContent);
    harness.source.manifestCounts.set(D(2), 51);
    harness.source.manifestCounts.set(D(3), 50);
    harness.source.manifestCounts.set(D(4), 60);
    return harness;
  }

  it('are never imported, are warned, and the run ends with issues', async () => {
    const { source, importer, target, run } = withCounts();
    const report = await run();

    assert.deepEqual(importer.calls.map((c) => [c.sourceDigest, c.targetTags]), [
      [D(3), ['edge']],
      [D(5), ['moved']],
      [D(1), ['small']],
    ]);
    assert.equal(target.digestOf('app', 'big'), undefined);
    const tags = Object.fromEntries(report.repositories[0].tags.map((t) => [t.tag, [t.decision, t.outcome, t.manifestCount]]));
    assert.deepEqual(tags, {
      big: ['tooManyManifests', 'skipped', 51],
      'big-too': ['tooManyManifests', 'skipped', 51],
      edge: ['new', 'imported', undefined],
      moved: ['retagged', 'imported', undefined],
      small: ['new', 'imported', undefined],
    });
    assert.equal(report.repositories[0].tagsInSync, 1, 'same: counted, not listed');
    assert.equal(report.totals.tags.inSync, 1);
    assert.equal(report.totals.tags.tooManyManifests, 2);
    assert.equal(report.result, 'succeededWithIssues');
    assert.equal(report.repositories[0].status, 'done');
    // Asked once per digest to import: not per tag, not for tags in sync.
    assert.deepEqual([...source.countCalls].sort(), [`app@${D(1)}`, `app@${D(2)}`, `app@${D(3)}`, `app@${D(5)}`]);
    const markdown = renderReportMarkdown(report);
    assert.match(markdown, /\| `app` \| `big` \| too many manifests \| image index with 51 manifests; importImage accepts at most 50 \|/);
  });

  it('shows in a dry run exactly as a real run decides', async () => {
    const { importer, run } = withCounts();
    const dry = await run({ dryRun: true });
    assert.equal(importer.calls.length, 0);
    assert.deepEqual(
      dry.repositories[0].tags.filter((t) => t.decision === 'tooManyManifests').map((t) => t.tag),
      ['big', 'big-too'],
    );
    assert.deepEqual(dry.repositories[0].imports.map((i) => i.sourceDigest), [D(3), D(5), D(1)]);
    assert.equal(dry.result, 'succeededWithIssues');
  });

  it('leave a repository with nothing else to do blocked, like a locked tag', async () => {
    const { source, run } = setup({ app: { big: D(2) } });
    source.manifestCounts.set(D(2), 64);
    const report = await run();
    assert.equal(report.repositories[0].status, 'blocked');
    assert.equal(report.totals.repositories.withWork, 0);
    assert.equal(report.totals.repositories.remaining, 0);
  });

  it('are imported when the reader cannot count, and when a count fails', async () => {
    const blind = withCounts();
    const report = await blind.run({}, { sourceReader: withoutManifestCounts(blind.source) });
    assert.equal(report.totals.tags.tooManyManifests, 0);
    assert.ok(blind.importer.calls.some((c) => c.sourceDigest === D(2)));

    const flaky = withCounts();
    flaky.source.failCounts.add(D(2));
    const second = await flaky.run();
    assert.ok(flaky.importer.calls.some((c) => c.sourceDigest === D(2)), 'the service decides');
    assert.equal(second.repositories[0].error, undefined);
  });

  it('counts a few at a time', async () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, D(100 + i)]));
    const { source, run } = setup({ app: many, web: many });
    source.countDelay = () => new Promise((resolve) => setTimeout(resolve, 2));
    await run({ dryRun: true });
    assert.equal(source.countCalls.length, 80);
    assert.ok(source.maxCountsInFlight <= DEFAULT_LIST_CONCURRENCY && source.maxCountsInFlight > 1, `at most ${DEFAULT_LIST_CONCURRENCY} at once, got ${source.maxCountsInFlight}`);
  });
});
