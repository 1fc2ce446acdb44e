import { errorMessage } from './planning';
import type { RegistryReader } from './ports';
import { inShard } from './sharding';
import type { SyncOptions } from './syncOptions';

/**
 * The target repositories that no source repository maps to, within what this run selects:
 * with a prefix only names under it (the rest of the target is not this mirror's), and the
 * letters, ignore patterns and shard apply to the name without the prefix, as they apply to
 * source names. Costs one paged listing of the target catalog (1,000 names a page): the run
 * reads it only when asked, because the target identity may not have catalog rights (the
 * attribute-based permission mode needs Container Registry Repository Catalog Lister for it),
 * and a run that names one repository has no source catalog to compare with.
 * Listed, never deleted.
 */
export async function findTargetOnlyRepositories(
  target: RegistryReader,
  sourceCatalog: ReadonlySet<string>,
  options: Pick<SyncOptions, 'targetRepositoryPrefix' | 'letters' | 'ignore' | 'shard'>,
  signal?: AbortSignal,
): Promise<{ repositories: string[] } | { error: string }> {
  const prefix = options.targetRepositoryPrefix ?? '';
  const found = new Set<string>();
  try {
    for await (const name of target.listRepositories(signal)) {
      if (!name.startsWith(prefix)) continue;
      const source = name.slice(prefix.length);
      if (sourceCatalog.has(source)) continue;
      if (options.letters !== undefined && !options.letters.matches(source)) continue;
      if (options.ignore.match(source) !== undefined || !inShard(source, options.shard)) continue;
      found.add(name);
    }
  } catch (error) {
    return { error: `the target catalog could not be read to find target-only repositories: ${errorMessage(error)}` };
  }
  return { repositories: [...found].sort() };
}
