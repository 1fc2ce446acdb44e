/**
 * The index-size check with a reader that can list manifest kinds: one listing per repository
 * with more than two digests to import, counts only for what it lists as an index or does not
 * describe; per-digest counts for small repositories and when the listing fails; only a run
 * being stopped propagates.
 */
import { strict as assert } from 'node:assert';
import { systemClock } from '../../src/engine/clock';
import { MAX_DIGESTS_COUNTED_WITHOUT_LISTING, withIndexSizeLimit } from '../../src/engine/indexSize';
import { Pacer } from '../../src/engine/pacer';
import { planRepository } from '../../src/engine/tagMatcher';
import type { ManifestKind, RegistryReader, TagInfo } from '../../src/engine/ports';
import { D, MemoryRegistry } from './memoryRegistry';
import { setup } from './syncHarness';

/**
 * A memory registry seen through a reader that also lists manifest kinds, as the ACR reader
 * does: a digest whose count is above 0 is listed as an index, every other tagged one as single.
 */
class ListingReader implements RegistryReader {
  readonly kindListings: string[] = [];
  /** Repositories whose manifest listing fails. */
  readonly failKindListing = new Set<string>();
  /** Digests the listing leaves out (not listed, or listed without a media type). */
  readonly unlisted = new Set<string>();
  /** Called before a listing answers. */
  kindDelay?: (signal?: AbortSignal) => Promise<void>;

  constructor(readonly registry: MemoryRegistry) {}

  listRepositories(): AsyncIterable<string> {
    return this.registry.listRepositories();
  }

  listTags(repository: string, signal?: AbortSignal): Promise<TagInfo[] | null> {
    return this.registry.listTags(repository, signal);
  }

  countReferencedManifests(repository: string, digest: string): Promise<number> {
    return this.registry.countReferencedManifests(repository, digest);
  }

  async listManifestKinds(repository: string, signal?: AbortSignal): Promise<ReadonlyMap<string, ManifestKind>> {
    this.kindListings.push(repository);
    await this.kindDelay?.(signal);
    if (this.failKindListing.has(repository)) throw new Error(`listing the manifests of ${repository} failed: 503 service unavailable`);
    const kinds = new Map<string, ManifestKind>();
    for (const { digest } of this.registry.repos.get(repository)?.values() ?? []) {
      if (this.unlisted.has(digest)) continue;
      kinds.set(digest, (this.registry.manifestCounts.get(digest) ?? 0) > 0 ? 'index' : 'single');
    }
    return kinds;
  }
}

describe('image indexes of more than 50 manifests, found through a manifest listing', () => {
  // app: D(1), D(2), D(3), D(5) to import (4 digests), D(4) in sync. small: 2 digests. quiet: nothing to import.
  const content = {
    app: { small: D(1), big: D(2), 'big-too': D(2), edge: D(3), same: D(4), moved: D(5) },
    small: { one: D(6), two: D(2) },
    quiet: { v1: D(7) },
  };
  const targetContent = { app: { same: D(4), moved: D(2) }, quiet: { v1: D(7) } };

  function withCounts() {
    const harness = setup(content, targetContent);
    harness.source.manifestCounts.set(D(2), 51);
    harness.source.manifestCounts.set(D(3), 50);
    harness.source.manifestCounts.set(D(4), 60);
    const reader = new ListingReader(harness.source);
    return { ...harness, reader };
  }

  const sorted = (calls: readonly string[]): string[] => [...calls].sort();

  it('lists once per repository with more than two digests to import and counts only its indexes', async () => {
    assert.equal(MAX_DIGESTS_COUNTED_WITHOUT_LISTING, 2);
    const { source, reader, importer, run } = withCounts();
    const report = await run({}, { sourceReader: reader });

    assert.deepEqual(reader.kindListings, ['app'], 'not small (2 digests), not quiet (nothing to import)');
    // app: only its two indexes to import (D(4) is in sync); small: both digests, without a listing.
    assert.deepEqual(sorted(source.countCalls), [`app@${D(2)}`, `app@${D(3)}`, `small@${D(2)}`, `small@${D(6)}`]);
    const app = Object.fromEntries(report.repositories.find((r) => r.name === 'app')!.tags.map((t) => [t.tag, [t.decision, t.manifestCount]]));
    assert.deepEqual(app, {
      big: ['tooManyManifests', 51],
      'big-too': ['tooManyManifests', 51],
      edge: ['new', undefined],
      moved: ['retagged', undefined],
      small: ['new', undefined],
    });
    assert.deepEqual(report.repositories.find((r) => r.name === 'small')!.tags.map((t) => [t.tag, t.decision]), [
      ['one', 'new'],
      ['two', 'tooManyManifests'],
    ]);
    assert.deepEqual(
      importer.calls.map((c) => `${c.sourceRepository}@${c.sourceDigest}`).sort(),
      [`app@${D(1)}`, `app@${D(3)}`, `app@${D(5)}`, `small@${D(6)}`].sort(),
    );
    assert.equal(report.totals.tags.tooManyManifests, 3);
  });

  it('decides a dry run the same way', async () => {
    const { source, reader, run } = withCounts();
    const dry = await run({ dryRun: true }, { sourceReader: reader });
    assert.deepEqual(reader.kindListings, ['app']);
    assert.equal(source.countCalls.length, 4);
    assert.deepEqual(dry.repositories.find((r) => r.name === 'app')!.imports.map((i) => i.sourceDigest).sort(), [D(1), D(3), D(5)]);
  });

  it('counts a digest the listing does not describe (missing, or without a media type)', async () => {
    const { source, reader, run } = withCounts();
    reader.unlisted.add(D(5));
    reader.unlisted.add(D(2));
    const report = await run({}, { sourceReader: reader });
    assert.deepEqual(sorted(source.countCalls.filter((c) => c.startsWith('app@'))), [`app@${D(2)}`, `app@${D(3)}`, `app@${D(5)}`]);
    assert.equal(report.repositories.find((r) => r.name === 'app')!.tags.find((t) => t.tag === 'big')!.decision, 'tooManyManifests');
  });

  it('counts every digest when the listing fails, and goes on', async () => {
    const { source, reader, run } = withCounts();
    reader.failKindListing.add('app');
    const report = await run({}, { sourceReader: reader });
    assert.deepEqual(reader.kindListings, ['app']);
    assert.deepEqual(sorted(source.countCalls.filter((c) => c.startsWith('app@'))), [`app@${D(1)}`, `app@${D(2)}`, `app@${D(3)}`, `app@${D(5)}`]);
    const app = report.repositories.find((r) => r.name === 'app')!;
    assert.equal(app.error, undefined);
    assert.equal(app.tags.find((t) => t.tag === 'big')!.decision, 'tooManyManifests');
  });

  it('is not fatal when an index count fails after the listing: the import is attempted', async () => {
    const { source, reader, importer, run } = withCounts();
    source.failCounts.add(D(2));
    const report = await run({}, { sourceReader: reader });
    assert.deepEqual(reader.kindListings, ['app']);
    assert.ok(importer.calls.some((c) => c.sourceRepository === 'app' && c.sourceDigest === D(2)), 'the service decides');
    assert.equal(report.repositories.find((r) => r.name === 'app')!.error, undefined);
  });

  it('does not list for a reader that cannot count', async () => {
    const { reader, run } = withCounts();
    const lister: RegistryReader = {
      listRepositories: () => reader.listRepositories(),
      listTags: (repository, signal) => reader.listTags(repository, signal),
      listManifestKinds: (repository, signal) => reader.listManifestKinds(repository, signal),
    };
    const report = await run({}, { sourceReader: lister });
    assert.deepEqual(reader.kindListings, []);
    assert.equal(report.totals.tags.tooManyManifests, 0);
  });

  describe('a run being stopped', () => {
    const registry = new MemoryRegistry({ app: { a: D(1), b: D(2), c: D(3) } });
    const plan = planRepository('app', [...registry.repos.get('app')!.values()], [], false);
    const pacer = (): Pacer => new Pacer(8, 0, systemClock);

    it('propagates from the listing, and nothing is counted', async () => {
      const reader = new ListingReader(registry);
      const stop = new AbortController();
      const stopped = new Error('stopped');
      reader.kindDelay = (signal) => {
        stop.abort(stopped);
        return Promise.reject(signal?.reason as Error);
      };
      const before = registry.countCalls.length;
      await assert.rejects(withIndexSizeLimit(plan, reader, pacer(), stop.signal), (e) => e === stopped);
      assert.equal(registry.countCalls.length, before);
    });

    it('propagates from a count after the listing', async () => {
      const reader = new ListingReader(registry);
      registry.manifestCounts.set(D(2), 3);
      const stop = new AbortController();
      const stopped = new Error('stopped');
      registry.countDelay = () => {
        stop.abort(stopped);
        return Promise.reject(stopped);
      };
      try {
        await assert.rejects(withIndexSizeLimit(plan, reader, pacer(), stop.signal), (e) => e === stopped);
        assert.deepEqual(reader.kindListings, ['app']);
      } finally {
        registry.countDelay = undefined;
        registry.manifestCounts.clear();
      }
    });
  });
});
