import type { ImportMode, TagInfo } from './ports';

/**
 * What happens to one source tag:
 * - new: missing in the target → imported with NoForce;
 * - retagged: the target tag points at another digest → imported with Force (warned);
 * - inSync: same digest → skipped;
 * - forced: same digest but `force` asks to re-import → imported with Force;
 * - locked: the tag would have to change in the target, but a lock there forbids it (the tag
 *   itself, its repository, or a manifest the import would tag or move it off: `lockedBy`) →
 *   never attempted, warned;
 * - tooManyManifests: would be imported, but the source manifest is an image index of more
 *   manifests than importImage accepts → never attempted, warned.
 */
export type TagDecisionKind = 'new' | 'retagged' | 'inSync' | 'forced' | 'locked' | 'tooManyManifests';

/**
 * What in the target is locked (`changeableAttributes.writeEnabled: false`) for a locked tag:
 * - tag: the target tag itself (seen in the tag listing);
 * - repository: the target repository as a whole;
 * - manifest: a target manifest the import would tag (the source digest, already there) or
 *   move the tag off (the tag's current digest): `lockedManifest` names it.
 */
export type LockScope = 'tag' | 'repository' | 'manifest';

export interface TagDecision {
  tag: string;
  kind: TagDecisionKind;
  sourceDigest: string;
  /** The target tag's digest before the run; absent for new tags. */
  targetDigest?: string;
  /** Only for locked: what is locked; the first found, in the order tag, repository, manifest. */
  lockedBy?: LockScope;
  /** Only for a manifest lock: the locked manifest's digest. */
  lockedManifest?: string;
  /** Only for tooManyManifests: how many manifests the source index references. */
  manifestCount?: number;
}

/** One importImage call: a source manifest (by digest) written under all of its target tags. */
export interface ImportGroup {
  /** The source repository. */
  repository: string;
  /** Where the tags go: the target repository of `repository` (repositoryMapping.ts). */
  targetRepository: string;
  sourceDigest: string;
  mode: ImportMode;
  tags: string[];
}

export interface RepositoryPlan {
  /** The source repository. */
  repository: string;
  /** Its repository in the target (repositoryMapping.ts): listed, locked, imported into and verified there. */
  targetRepository: string;
  /**
   * Every source tag that is not in sync (new, re-tagged, forced, locked, too many manifests),
   * sorted by name. In-sync tags are only counted (`inSync`): a plan's memory follows the work,
   * not the registry's size (decision 016).
   */
  decisions: TagDecision[];
  /** Source tags already at the source's digest in the target: left alone. */
  inSync: number;
  /**
   * The distinct digests of the in-sync tags, only when planned with `keepInSyncDigests`
   * (referrers `all` looks at in-sync manifests too); absent otherwise.
   */
  inSyncDigests?: readonly string[];
  /** The imports to run, in the order their first tag sorts. Empty: nothing to do. */
  groups: ImportGroup[];
  /** Source tags the tag filters left out (not in `decisions`): never imported, their target tags never touched. */
  filteredOut: number;
  /**
   * Tags of the target repository that the source repository does not have (and that the tag
   * name patterns would take), sorted: listed for a person to look at, never deleted.
   */
  targetOnlyTags: readonly string[];
}

/** Shared by the many plans without target-only tags: one empty list, not one per repository. */
export const NO_TAGS: readonly string[] = Object.freeze([]);

/**
 * One source tag's decision. Built as a literal of one shape, `targetDigest` always present, and
 * an in-sync tag keeps the source's digest string: docs/decisions/007-object-shapes-for-memory.md.
 */
export function decide(source: TagInfo, target: TagInfo | undefined, force: boolean): TagDecision {
  const tag = source.name;
  const sourceDigest = source.digest;
  if (target === undefined) return { tag, kind: 'new', sourceDigest, targetDigest: undefined };
  const sameDigest = target.digest === sourceDigest;
  const targetDigest = sameDigest ? sourceDigest : target.digest;
  const wouldChange = !sameDigest || force;
  if (wouldChange && !target.writeEnabled) return { tag, kind: 'locked', sourceDigest, targetDigest, lockedBy: 'tag' };
  if (!sameDigest) return { tag, kind: 'retagged', sourceDigest, targetDigest };
  return { tag, kind: force ? 'forced' : 'inSync', sourceDigest, targetDigest };
}

const MODE_OF: Partial<Record<TagDecisionKind, ImportMode>> = {
  new: 'NoForce',
  retagged: 'Force',
  forced: 'Force',
};

/**
 * A repository's plan from the decisions of its tags that are not in sync (sorted here by
 * name) and the count of those that are: the imports are grouped by (digest, mode).
 */
export function planOf(
  repository: string,
  targetRepository: string,
  decisions: TagDecision[],
  inSync: number,
  inSyncDigests?: readonly string[],
): RepositoryPlan {
  decisions.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  // One import per (digest, mode): NoForce and Force tags of one digest must not share a call,
  // because NoForce fails the whole call when any of its tags already exists.
  const groups = new Map<string, ImportGroup>();
  for (const decision of decisions) {
    const mode = MODE_OF[decision.kind];
    if (mode === undefined) continue;
    const key = `${decision.sourceDigest} ${mode}`;
    const group = groups.get(key);
    // Started with its first tag rather than pushed into `[]`: a push into an empty array
    // reserves room for 17, and a first sync has about one import (one tag) per digest.
    if (group === undefined) groups.set(key, { repository, targetRepository, sourceDigest: decision.sourceDigest, mode, tags: [decision.tag] });
    else group.tags.push(decision.tag);
  }
  return {
    repository,
    targetRepository,
    decisions,
    inSync,
    ...(inSyncDigests !== undefined ? { inSyncDigests } : {}),
    groups: [...groups.values()],
    filteredOut: 0,
    targetOnlyTags: NO_TAGS,
  };
}
