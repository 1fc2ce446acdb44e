import type { Pacer } from './pacer';
import type { RepositoryPlan } from './plan';
import type { ManifestKind, RegistryReader } from './ports';

/** importImage refuses an image index that references more manifests than this. */
export const MAX_INDEX_MANIFESTS = 50;

/**
 * A repository with at most this many digests to import has each of them counted directly;
 * above it, one manifest listing first tells which of them are indexes. The listing costs one
 * request per 1,000 manifests of the repository, untagged ones included, so for one or two
 * digests the direct reads cost no more and, in a repository of thousands of untagged
 * manifests, far less.
 */
export const MAX_DIGESTS_COUNTED_WITHOUT_LISTING = 2;

/**
 * Finds, for every digest to import, how many manifests it references, and takes every import
 * of an index over the limit out of the plan: its tags become `tooManyManifests`, never
 * attempted (importImage would refuse the whole call). Part of planning, so a dry run shows it.
 *
 * What is asked: with more than MAX_DIGESTS_COUNTED_WITHOUT_LISTING digests and a reader that
 * can list manifest kinds, one listing of the repository's manifests, then a count only for the
 * digests it lists as an index or does not describe (missing, or without a media type) — a
 * single image or artifact references none. Otherwise, or when the listing fails, a count per
 * digest. A reader that cannot count is not asked at all; a count that fails is not fatal —
 * the import then runs and, if the service refuses it, fails with the service's own message.
 * Only a run being stopped propagates.
 */
export async function withIndexSizeLimit(
  plan: RepositoryPlan,
  source: RegistryReader,
  counts: Pacer,
  signal?: AbortSignal,
): Promise<RepositoryPlan> {
  const count = source.countReferencedManifests?.bind(source);
  if (count === undefined || plan.groups.length === 0) return plan;

  const distinct = new Set(plan.groups.map((g) => g.sourceDigest));
  const digests = [...distinct];
  const kinds = await listedKinds(plan.repository, distinct, source, counts, signal);
  const toCount = kinds === undefined ? digests : digests.filter((digest) => kinds.get(digest) !== 'single');
  const oversized = new Map<string, number>();
  await Promise.all(
    toCount.map((digest) =>
      counts.run(async () => {
        try {
          const manifests = await count(plan.repository, digest, signal);
          if (manifests > MAX_INDEX_MANIFESTS) oversized.set(digest, manifests);
        } catch (error) {
          // A run that is being stopped must not pass as "checked"; anything else is not fatal.
          if (signal?.aborted === true) throw error;
        }
      }),
    ),
  );
  if (oversized.size === 0) return plan;

  const imported = new Set(plan.groups.flatMap((g) => g.tags));
  const decisions = plan.decisions.map((d) => {
    const manifests = oversized.get(d.sourceDigest);
    if (manifests === undefined || !imported.has(d.tag)) return d;
    // A literal in TagDecision's field order: docs/decisions/007-object-shapes-for-memory.md.
    return { tag: d.tag, kind: 'tooManyManifests' as const, sourceDigest: d.sourceDigest, targetDigest: d.targetDigest, manifestCount: manifests };
  });
  const groups = plan.groups.filter((g) => !oversized.has(g.sourceDigest));
  return { ...plan, decisions, groups };
}

/**
 * The listing's kinds for a repository with enough digests to import, or undefined when every
 * digest is to be counted: the reader cannot list, there are too few digests for a listing to
 * pay, or the listing failed (not fatal, as a failed count is not).
 */
async function listedKinds(
  repository: string,
  digests: ReadonlySet<string>,
  source: RegistryReader,
  counts: Pacer,
  signal: AbortSignal | undefined,
): Promise<ReadonlyMap<string, ManifestKind> | undefined> {
  const list = source.listManifestKinds?.bind(source);
  if (list === undefined || digests.size <= MAX_DIGESTS_COUNTED_WITHOUT_LISTING) return undefined;
  try {
    // In the counts' pacer: the listing is one more read of the same registry.
    return await counts.run(() => list(repository, signal, digests));
  } catch (error) {
    if (signal?.aborted === true) throw error;
    return undefined;
  }
}
