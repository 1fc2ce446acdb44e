import type { TagInfo } from './ports';

/**
 * Which source tags a run copies, already checked (src/options builds it). Every part is
 * optional; a run without any copies every tag. Applied in this order: the name patterns
 * (`include` — at least one tag pattern, if any, and no ignore-tag pattern), then
 * `updatedSince`, then `keepLatest` of what is left. Tags filtered out are counted, never
 * imported, and their target tags are never touched.
 */
export interface TagFilter {
  /** The patterns as the user wrote them, for the report. */
  readonly patterns: readonly string[];
  readonly ignorePatterns: readonly string[];
  /** Whether a tag name passes the tag patterns and the ignore-tag patterns. */
  include(tag: string): boolean;
  /** Only tags whose source `lastUpdateTime` is at or after this instant (ms since the epoch). */
  readonly updatedSince?: { readonly text: string; readonly time: number };
  /** Only the N most recently updated source tags of each repository (ties: by name). */
  readonly keepLatest?: number;
}

/** Whether the filter can leave anything out. */
export function filtersTags(filter: TagFilter | undefined): filter is TagFilter {
  return filter !== undefined && (filter.patterns.length > 0 || filter.ignorePatterns.length > 0 || filter.updatedSince !== undefined || filter.keepLatest !== undefined);
}

/** Name patterns only: what target-only tags are matched with (the times are the source's). */
export function namePasses(filter: TagFilter | undefined, tag: string): boolean {
  return filter === undefined || filter.include(tag);
}

/** Whether a keepLatest filter ranks the tags: only then does a tag's fate depend on the others. */
export function ranksTags(filter: TagFilter | undefined): boolean {
  return filter?.keepLatest !== undefined;
}

/**
 * What can be told of one source tag on its own: the name patterns and `updatedSince`
 * (`keepLatest` then ranks what passes, see applyTagFilter).
 */
export function passesAlone(filter: TagFilter | undefined, tag: TagInfo): boolean {
  if (filter === undefined) return true;
  const since = filter.updatedSince?.time;
  return filter.include(tag.name) && (since === undefined || (tag.lastUpdated ?? -Infinity) >= since);
}

/**
 * The source tags the run copies and how many it leaves out. A tag listed without a
 * `lastUpdateTime` (ACR always sends one) counts as the oldest: it fails `updatedSince` and
 * comes last for `keepLatest`.
 */
export function applyTagFilter(tags: readonly TagInfo[], filter: TagFilter | undefined): { kept: readonly TagInfo[]; filteredOut: number } {
  if (!filtersTags(filter)) return { kept: tags, filteredOut: 0 };
  let kept = tags.filter((t) => passesAlone(filter, t));
  if (filter.keepLatest !== undefined && kept.length > filter.keepLatest) {
    // Newest first; equal times by name, so two runs over the same listing keep the same tags.
    kept = [...kept]
      .sort((a, b) => (b.lastUpdated ?? -Infinity) - (a.lastUpdated ?? -Infinity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .slice(0, filter.keepLatest);
  }
  return { kept, filteredOut: tags.length - kept.length };
}
