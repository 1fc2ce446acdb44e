import Bottleneck from 'bottleneck';
import type { PlannedRepository, RunPlan } from './events';
import type { SyncOptions } from './options';
import { planRepository } from './plan';
import type { RegistryReader } from './ports';
import type { Selection } from './selection';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Lists both sides of every selected repository (a few at a time) and classifies its tags.
 * A repository that cannot be read is recorded with its error and the rest go on.
 * `max repositories` then keeps the first N repositories that have work, in sorted order, and
 * defers the others, so consecutive limited runs advance through the registry.
 */
export async function planRun(
  selection: Selection,
  options: Pick<SyncOptions, 'listConcurrency' | 'force' | 'maxRepositories'>,
  readers: { source: RegistryReader; target: RegistryReader },
  signal?: AbortSignal,
): Promise<RunPlan> {
  const reads = new Bottleneck({ maxConcurrent: options.listConcurrency });
  const planOne = async (repository: string): Promise<PlannedRepository> => {
    try {
      const [sourceTags, targetTags] = await Promise.all([
        readers.source.listTags(repository, signal),
        readers.target.listTags(repository, signal),
      ]);
      if (sourceTags === null) {
        return { repository, error: 'repository not found in the source registry', deferred: false };
      }
      return { repository, plan: planRepository(repository, sourceTags, targetTags ?? [], options.force), deferred: false };
    } catch (error) {
      return { repository, error: errorMessage(error), deferred: false };
    }
  };
  const repositories = await Promise.all(selection.selected.map((name) => reads.schedule(() => planOne(name))));

  let withWork = 0;
  for (const planned of repositories) {
    if ((planned.plan?.groups.length ?? 0) === 0) continue;
    withWork++;
    planned.deferred = options.maxRepositories !== undefined && withWork > options.maxRepositories;
  }
  return { selection, repositories };
}
