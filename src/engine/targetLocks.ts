import type { Pacer } from './pacer';
import type { LockScope, RepositoryPlan, TagDecision } from './plan';
import type { RegistryReader } from './ports';

/**
 * Up to this many target manifests to check are read one by one; more, and one listing of the
 * repository's manifests tells them all. The listing costs one request per 1,000 manifests of
 * the repository, untagged ones included: for one or two manifests the reads cost about the
 * same and, in a repository of thousands of untagged manifests, far less (as for the index size).
 */
export const MAX_MANIFESTS_READ_WITHOUT_LISTING = 2;

/**
 * Takes out of the plan every tag a lock above the tag forbids to change in the target: the
 * target repository locked as a whole, or a locked target manifest that the import would tag
 * (the source digest is already there, locked) or move the tag off (the tag's digest now).
 * Those tags become `locked` with `lockedBy` — never attempted, warned, counted — like tags
 * locked themselves, which the tag listing shows and the plan already holds. A lock breaks the
 * whole import call (all or nothing), so a tag left in would fail the others of its call too.
 *
 * What it costs, per repository with imports whose target repository exists — nothing for one
 * in sync, one with nothing to import, or one new in the target (nothing there can be locked):
 * - one read of the repository's attributes (`GET /acr/v1/{repo}` on ACR), and if it is locked,
 *   nothing more;
 * - then, for the target manifests that matter — the digests to import and those the tags to
 *   move point at now, as far as the target's tag listing names them — nothing when there are
 *   none (a new release: new digests only), one read each up to
 *   MAX_MANIFESTS_READ_WITHOUT_LISTING, else one manifest listing.
 * The tag listing cannot name an untagged manifest: a locked untagged copy of a digest to import
 * is not seen, and that import fails with the service's message.
 *
 * A read that fails is not fatal, as for the index size: the import is then attempted and, if a
 * lock refuses it, fails with the service's own message. Only a run being stopped propagates.
 */
export async function withTargetLocks(
  plan: RepositoryPlan,
  targetDigests: ReadonlySet<string> | null,
  target: RegistryReader,
  checks: Pacer,
  signal?: AbortSignal,
): Promise<RepositoryPlan> {
  if (plan.groups.length === 0 || targetDigests === null) return plan;
  const moving = new Set(plan.groups.flatMap((g) => g.tags));

  if ((await repositoryWritable(plan.targetRepository, target, checks, signal)) === false) {
    return withLocked(plan, moving, () => ({ lockedBy: 'repository' }));
  }

  const candidates = new Set<string>();
  for (const group of plan.groups) if (targetDigests.has(group.sourceDigest)) candidates.add(group.sourceDigest);
  for (const d of plan.decisions) if (d.targetDigest !== undefined && moving.has(d.tag)) candidates.add(d.targetDigest);
  if (candidates.size === 0) return plan;

  const locked = await lockedManifests(plan.targetRepository, [...candidates], target, checks, signal);
  if (locked.size === 0) return plan;
  return withLocked(plan, moving, (d) => {
    const digest = locked.has(d.sourceDigest) ? d.sourceDigest : d.targetDigest !== undefined && locked.has(d.targetDigest) ? d.targetDigest : undefined;
    return digest === undefined ? undefined : { lockedBy: 'manifest', lockedManifest: digest };
  });
}

interface Lock {
  lockedBy: LockScope;
  lockedManifest?: string;
}

/** The repository lock as the reader tells it; undefined when it cannot tell (no method, a failed read). */
async function repositoryWritable(repository: string, target: RegistryReader, checks: Pacer, signal: AbortSignal | undefined): Promise<boolean | null | undefined> {
  const read = target.repositoryWriteEnabled?.bind(target);
  if (read === undefined) return undefined;
  try {
    return await checks.run(() => read(repository, signal));
  } catch (error) {
    if (signal?.aborted === true) throw error;
    return undefined;
  }
}

/** Which of `digests` are locked manifests of the repository, by reads or by one listing (see above). */
async function lockedManifests(
  repository: string,
  digests: readonly string[],
  target: RegistryReader,
  checks: Pacer,
  signal: AbortSignal | undefined,
): Promise<ReadonlySet<string>> {
  const list = target.listLockedManifests?.bind(target);
  const read = target.manifestWriteEnabled?.bind(target);
  if (list !== undefined && (read === undefined || digests.length > MAX_MANIFESTS_READ_WITHOUT_LISTING)) {
    try {
      const all = await checks.run(() => list(repository, signal));
      return new Set(digests.filter((d) => all.has(d)));
    } catch (error) {
      if (signal?.aborted === true) throw error;
      // A failed listing: read each instead, as the index size counts each.
    }
  }
  const locked = new Set<string>();
  if (read === undefined) return locked;
  await Promise.all(
    digests.map((digest) =>
      checks.run(async () => {
        try {
          if ((await read(repository, digest, signal)) === false) locked.add(digest);
        } catch (error) {
          if (signal?.aborted === true) throw error;
        }
      }),
    ),
  );
  return locked;
}

/** The plan with every moving tag that `lockOf` finds locked turned `locked` and out of its import. */
function withLocked(plan: RepositoryPlan, moving: ReadonlySet<string>, lockOf: (decision: TagDecision) => Lock | undefined): RepositoryPlan {
  const lockedTags = new Set<string>();
  const decisions = plan.decisions.map((d) => {
    const lock = moving.has(d.tag) ? lockOf(d) : undefined;
    if (lock === undefined) return d;
    lockedTags.add(d.tag);
    // Literals in TagDecision's field order: docs/decisions/007-object-shapes-for-memory.md.
    const { tag, sourceDigest, targetDigest } = d;
    return lock.lockedManifest === undefined
      ? { tag, kind: 'locked' as const, sourceDigest, targetDigest, lockedBy: lock.lockedBy }
      : { tag, kind: 'locked' as const, sourceDigest, targetDigest, lockedBy: lock.lockedBy, lockedManifest: lock.lockedManifest };
  });
  if (lockedTags.size === 0) return plan;
  const groups = plan.groups
    .map((g) => (g.tags.some((t) => lockedTags.has(t)) ? { ...g, tags: g.tags.filter((t) => !lockedTags.has(t)) } : g))
    .filter((g) => g.tags.length > 0);
  return { ...plan, decisions, groups };
}
