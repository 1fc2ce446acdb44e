/**
 * A catalog that lists a name twice (paging that repeats itself, as a broken proxy or
 * registry may): the repository is selected, planned and imported once.
 */
import { strict as assert } from 'node:assert';
import type { RegistryReader } from '../../src/engine/ports';
import { D } from './memoryRegistry';
import { setup } from './syncHarness';

/** The source as a reader whose catalog repeats some names, the way overlapping pages would. */
function repeatingCatalog(reader: RegistryReader, repeated: readonly string[]): RegistryReader {
  return {
    async *listRepositories(signal?: AbortSignal) {
      for await (const name of reader.listRepositories(signal)) yield name;
      yield* repeated;
    },
    listTags: (repository, signal) => reader.listTags(repository, signal),
  };
}

describe('selection: a catalog that repeats names', () => {
  it('selects, plans and imports each repository once, and counts it once', async () => {
    const { source, importer, target, run } = setup({ app: { '1.0': D(1), latest: D(1) }, web: { v1: D(2) }, 'team/api': { v2: D(3) } });
    const report = await run({}, { sourceReader: repeatingCatalog(source, ['web', 'app', 'web']) });
    assert.deepEqual(
      importer.calls.map((c) => [c.sourceRepository, c.sourceDigest, c.targetTags]),
      [
        ['app', D(1), ['1.0', 'latest']],
        ['team/api', D(3), ['v2']],
        ['web', D(2), ['v1']],
      ],
    );
    assert.deepEqual(report.repositories.map((r) => r.name), ['app', 'team/api', 'web']);
    assert.equal(report.totals.repositories.scanned, 3);
    assert.equal(report.totals.repositories.selected, 3);
    assert.deepEqual(Object.keys(target.snapshot()), ['app', 'team/api', 'web']);
    // The source lists the tags of each repository once (planning), not once per mention.
    assert.deepEqual([...source.tagListings].sort(), ['app', 'team/api', 'web']);
  });

  it('lists a repeated, ignored name once among the ignored', async () => {
    const { source, run } = setup({ app: { '1.0': D(1) }, 'legacy/old': { v1: D(2) } });
    const report = await run({ ignorePatterns: ['legacy/*'] }, { sourceReader: repeatingCatalog(source, ['legacy/old']) });
    assert.deepEqual(report.selection.ignored, [{ name: 'legacy/old', pattern: 'legacy/*' }]);
    assert.equal(report.totals.repositories.scanned, 2);
  });
});
