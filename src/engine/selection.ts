import type { SyncOptions } from './options';
import type { RegistryReader } from './ports';
import type { IgnoredRepository } from './report';

/** The repositories a run looks at, sorted, and what the ignore patterns kept out. */
export interface Selection {
  scanned: number;
  selected: string[];
  ignored: IgnoredRepository[];
}

type SelectionFilters = Pick<SyncOptions, 'repository' | 'letters' | 'ignore'>;

/**
 * Applies `repository` (exact, overrides letters) or `letters`, then the ignore patterns.
 * A named repository costs no catalog read; ignore patterns still apply to it, because an
 * ignore list is often a "never copy these" safety net.
 */
export async function selectRepositories(source: RegistryReader, filters: SelectionFilters, signal?: AbortSignal): Promise<Selection> {
  const candidates: string[] = [];
  let scanned = 0;
  if (filters.repository !== undefined) {
    scanned = 1;
    candidates.push(filters.repository);
  } else {
    for await (const name of source.listRepositories(signal)) {
      scanned++;
      if (filters.letters === undefined || filters.letters.matches(name)) candidates.push(name);
    }
  }
  const selected: string[] = [];
  const ignored: IgnoredRepository[] = [];
  for (const name of candidates) {
    const pattern = filters.ignore.match(name);
    if (pattern === undefined) selected.push(name);
    else ignored.push({ name, pattern });
  }
  selected.sort();
  ignored.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { scanned, selected, ignored };
}
