import type { SyncOptions } from './syncOptions';
import type { RegistryReader } from './ports';
import { inShard, type Shard } from './sharding';

/** A repository an ignore pattern kept out, with the pattern (reported). */
export interface IgnoredRepository {
  name: string;
  pattern: string;
}

/** The repositories a run looks at, sorted, and what the ignore patterns kept out. */
export interface Selection {
  scanned: number;
  selected: string[];
  ignored: IgnoredRepository[];
  /** Only with sharding: which shard this is and how many repositories all shards select. */
  shard?: ShardSelection;
}

export interface ShardSelection extends Shard {
  selectedInAllShards: number;
}

type SelectionFilters = Pick<SyncOptions, 'repositories' | 'letters' | 'ignore' | 'shard'>;

/**
 * Applies `repositories` (exact names, override letters) or `letters`, then the ignore patterns,
 * then the shard. Named repositories cost no catalog read (a registry without a catalog, such
 * as Docker Hub, is read this way); ignore patterns still apply to it,
 * because an ignore list is often a "never copy these" safety net. The shard splits the
 * ignored repositories too, so the reports of all shards together list each repository once.
 * A name the catalog lists twice (a registry's or a proxy's paging that repeats itself) counts
 * and is planned once: twice would mean its imports twice.
 */
export async function selectRepositories(
  source: RegistryReader,
  filters: SelectionFilters,
  signal?: AbortSignal,
  catalog?: Set<string>,
  onScanned?: (scanned: number) => void,
): Promise<Selection> {
  const candidates: string[] = [];
  // `catalog`, when given, receives every name listed (target-only repositories are found with it).
  const listed = catalog ?? new Set<string>();
  if (filters.repositories !== undefined) {
    for (const name of filters.repositories) {
      if (listed.has(name)) continue;
      listed.add(name);
      candidates.push(name);
    }
  } else {
    for await (const name of source.listRepositories(signal)) {
      if (listed.has(name)) continue;
      listed.add(name);
      onScanned?.(listed.size);
      if (filters.letters === undefined || filters.letters.matches(name)) candidates.push(name);
    }
  }
  const scanned = listed.size;
  const selected: string[] = [];
  const ignored: IgnoredRepository[] = [];
  let selectedInAllShards = 0;
  for (const name of candidates) {
    const pattern = filters.ignore.match(name);
    if (pattern === undefined) selectedInAllShards++;
    if (!inShard(name, filters.shard)) continue;
    if (pattern === undefined) selected.push(name);
    else ignored.push({ name, pattern });
  }
  selected.sort();
  ignored.sort((a, b) => (a.name < b.name ? -1 : 1));
  const shard = filters.shard === undefined ? undefined : { ...filters.shard, selectedInAllShards };
  return { scanned, selected, ignored, ...(shard !== undefined ? { shard } : {}) };
}
