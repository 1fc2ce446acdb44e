import type { TagFilter } from '../engine/tagFilter';
import { compilePattern } from './ignorePatterns';

/**
 * The tag filters, checked and compiled: the patterns go through the same checks as the
 * repository ignore patterns (a regex that could hang the run is bad input), but match case
 * exactly, because tag names keep their case. Undefined when no tag filter is given.
 */
export function compileTagFilter(given: {
  tagPatterns: readonly string[];
  ignoreTagPatterns: readonly string[];
  tagsUpdatedSince?: { text: string; time: number };
  keepLatestTags?: number;
}): TagFilter | undefined {
  const { tagPatterns, ignoreTagPatterns, tagsUpdatedSince, keepLatestTags } = given;
  if (tagPatterns.length === 0 && ignoreTagPatterns.length === 0 && tagsUpdatedSince === undefined && keepLatestTags === undefined) return undefined;
  const include = tagPatterns.map((p) => compilePattern(p, 'tag pattern', false));
  const exclude = ignoreTagPatterns.map((p) => compilePattern(p, 'ignore tag pattern', false));
  return {
    patterns: [...tagPatterns],
    ignorePatterns: [...ignoreTagPatterns],
    include: (tag) => (include.length === 0 || include.some((test) => test(tag))) && !exclude.some((test) => test(tag)),
    ...(tagsUpdatedSince !== undefined ? { updatedSince: tagsUpdatedSince } : {}),
    ...(keepLatestTags !== undefined ? { keepLatest: keepLatestTags } : {}),
  };
}
