import { decide, NO_TAGS, planOf, type RepositoryPlan, type TagDecision } from './plan';
import type { TagInfo } from './ports';
import { applyTagFilter, namePasses, passesAlone, ranksTags, type TagFilter } from './tagFilter';

export interface MatchOptions {
  force: boolean;
  filter?: TagFilter;
  /** Referrers `all` looks at the in-sync manifests too: only then are their digests kept. */
  keepInSyncDigests?: boolean;
}

/** A repository's plan, and what its target's tags point at (what target locks are read for). */
export interface MatchedRepository {
  plan: RepositoryPlan;
  /** The distinct digests of the target's tags. */
  targetDigests: ReadonlySet<string>;
}

/** A waiting source tag that the filters leave out: matched by name only, so its target tag is not target-only. */
const FILTERED_OUT = null;

/**
 * Matches a repository's source tags with its target tags by name as the pages of both
 * listings arrive, in any order, and keeps only what is not matched yet (decision 017). Both
 * registries list tags in name order, so the tags waiting for their other side are about a
 * page's worth, not the repository: the planner's memory follows the pages in flight and the
 * work, not the tag count. An in-sync pair is counted and let go.
 *
 * `keepLatest` ranks every source tag against the others, so with it the source tags are held
 * until the listing ends (and the target tags wait for them).
 */
export class TagMatcher {
  private readonly waitingSource = new Map<string, TagInfo | typeof FILTERED_OUT>();
  private readonly waitingTarget = new Map<string, TagInfo>();
  /** keepLatest only: the whole source listing, ranked at the end. */
  private readonly ranked: TagInfo[] | undefined;
  private readonly decisions: TagDecision[] = [];
  private readonly inSyncDigests: Set<string> | undefined;
  private readonly digestsOfTarget = new Set<string>();
  private inSync = 0;
  private filteredOut = 0;
  // A name listed twice in a row (a page ending and the next starting on it) is read once.
  private lastSource: string | undefined;
  private lastTarget: string | undefined;

  constructor(private readonly options: MatchOptions) {
    this.ranked = ranksTags(options.filter) ? [] : undefined;
    this.inSyncDigests = options.keepInSyncDigests === true ? new Set() : undefined;
  }

  /** Tags held for now: listed on one side, not yet on the other (or held for ranking). */
  get waiting(): number {
    return this.waitingSource.size + this.waitingTarget.size + (this.ranked?.length ?? 0);
  }

  /** Source tags as listed, before the filters. */
  addSource(tags: readonly TagInfo[]): void {
    for (const tag of tags) {
      if (tag.name === this.lastSource || this.waitingSource.has(tag.name)) continue;
      this.lastSource = tag.name;
      if (this.ranked !== undefined) this.ranked.push(tag);
      else this.matchSource(tag, passesAlone(this.options.filter, tag));
    }
  }

  addTarget(tags: readonly TagInfo[]): void {
    for (const tag of tags) {
      if (tag.name === this.lastTarget) continue;
      this.lastTarget = tag.name;
      this.digestsOfTarget.add(tag.digest);
      const source = this.waitingSource.get(tag.name);
      if (source === undefined) {
        this.waitingTarget.set(tag.name, tag);
        continue;
      }
      this.waitingSource.delete(tag.name);
      if (source !== FILTERED_OUT) this.compare(source, tag);
    }
  }

  /** The plan once both listings are complete: unmatched source tags are new, unmatched target tags target-only. */
  finish(repository: string, targetRepository: string): MatchedRepository {
    if (this.ranked !== undefined) {
      const { kept } = applyTagFilter(this.ranked, this.options.filter);
      const keep = new Set(kept);
      for (const tag of this.ranked) this.matchSource(tag, keep.has(tag));
      this.ranked.length = 0;
    }
    for (const source of this.waitingSource.values()) if (source !== FILTERED_OUT) this.decisions.push(decide(source, undefined, this.options.force));
    const inSyncDigests = this.inSyncDigests === undefined ? undefined : [...this.inSyncDigests];
    const plan = planOf(repository, targetRepository, this.decisions, this.inSync, inSyncDigests);
    plan.filteredOut = this.filteredOut;
    const targetOnly = [...this.waitingTarget.keys()].filter((name) => namePasses(this.options.filter, name)).sort();
    plan.targetOnlyTags = targetOnly.length === 0 ? NO_TAGS : targetOnly;
    return { plan, targetDigests: this.digestsOfTarget };
  }

  private matchSource(tag: TagInfo, kept: boolean): void {
    if (!kept) this.filteredOut++;
    const target = this.waitingTarget.get(tag.name);
    if (target === undefined) {
      this.waitingSource.set(tag.name, kept ? tag : FILTERED_OUT);
      return;
    }
    this.waitingTarget.delete(tag.name);
    if (kept) this.compare(tag, target);
  }

  private compare(source: TagInfo, target: TagInfo): void {
    // The common case, an in-sync tag, is counted without a decision object.
    if (source.digest === target.digest && !this.options.force) {
      this.inSync++;
      this.inSyncDigests?.add(source.digest);
      return;
    }
    this.decisions.push(decide(source, target, this.options.force));
  }
}

/**
 * Compares a repository's source and target tags by manifest digest, the listings given whole.
 * Tags only in the target are left alone: the tool adds and updates, it never deletes.
 */
export function planRepository(
  repository: string,
  sourceTags: readonly TagInfo[],
  targetTags: readonly TagInfo[],
  force: boolean,
  targetRepository: string = repository,
  keepInSyncDigests = false,
): RepositoryPlan {
  const matcher = new TagMatcher({ force, keepInSyncDigests });
  matcher.addTarget(targetTags);
  matcher.addSource(sourceTags);
  return matcher.finish(repository, targetRepository).plan;
}
