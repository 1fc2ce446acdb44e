import { anySignal, unlessAborted } from './abort';
import type { PlannedRepository, RunPlan } from './events';
import type { Clock } from './clock';
import { withIndexSizeLimit } from './indexSize';
import type { SyncOptions } from './syncOptions';
import { withTargetLocks } from './targetLocks';
import { Pacer } from './pacer';
import { planRepository } from './plan';
import type { RegistryReader } from './ports';
import type { Selection } from './selection';
import { targetRepositoryOf } from './targetRepository';
import type { TimeBudget } from './timeBudget';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why planning's listings were cut short: the time budget or a cancellation, not a registry fault. */
export class PlanningStopped extends Error {
  constructor() {
    super('the run stopped starting work while planning (time budget or cancellation)');
    this.name = 'PlanningStopped';
  }
}

/**
 * Lists both sides of every selected repository (a few at a time), classifies its tags, takes
 * out what locks in the target forbid and checks the size of image indexes to import. A
 * repository that cannot be read is recorded with its error and the rest go on. When the time budget runs out, listings in flight are cancelled
 * and the repositories not yet planned are deferred (`timeBudget`), so the report counts them
 * as remaining instead of failing them.
 * `max repositories` then keeps the first N repositories that have work, in sorted order, and
 * defers the others, so consecutive limited runs advance through the registry.
 */
export async function planRun(
  selection: Selection,
  options: Pick<SyncOptions, 'listConcurrency' | 'force' | 'maxRepositories'>,
  readers: { source: RegistryReader; target: RegistryReader },
  budget: TimeBudget,
  clock: Clock,
  runSignal?: AbortSignal,
): Promise<RunPlan> {
  const stopped = new AbortController();
  const cancelWatch = budget.whenStopped(() => stopped.abort(new PlanningStopped()));
  const signal = anySignal(stopped.signal, runSignal);
  const reads = new Pacer(options.listConcurrency, 0, clock);
  // The checks of a planned repository (target locks, index sizes), apart from `reads`: a
  // listing job waiting on its checks must not hold the slots the checks need.
  const checks = new Pacer(options.listConcurrency, 0, clock);

  const planOne = async (repository: string): Promise<PlannedRepository> => {
    if (!budget.allowsStart()) return { repository, deferredBy: budget.stopCause ?? 'timeBudget' };
    try {
      const listings = Promise.all([readers.source.listTags(repository, signal), readers.target.listTags(targetRepositoryOf(repository), signal)]);
      const [sourceTags, targetTags] = await unlessAborted(listings, signal);
      if (sourceTags === null) {
        return { repository, error: 'repository not found in the source registry' };
      }
      const plan = planRepository(repository, sourceTags, targetTags ?? [], options.force);
      // Locks first: a locked tag needs no index count.
      const unlocked = await unlessAborted(withTargetLocks(plan, targetTags, readers.target, checks, signal), signal);
      return { repository, plan: await unlessAborted(withIndexSizeLimit(unlocked, readers.source, checks, signal), signal) };
    } catch (error) {
      if (stopped.signal.aborted && runSignal?.aborted !== true) return { repository, deferredBy: budget.stopCause ?? 'timeBudget' };
      return { repository, error: errorMessage(error) };
    }
  };
  // `reads` starts the listings in selection order, on both sides.
  readers.source.expectRepositories?.(selection.selected);
  readers.target.expectRepositories?.(selection.selected);
  let repositories: PlannedRepository[];
  try {
    repositories = await Promise.all(selection.selected.map((name) => reads.run(() => planOne(name))));
  } finally {
    cancelWatch();
  }

  let withWork = 0;
  for (const planned of repositories) {
    if ((planned.plan?.groups.length ?? 0) === 0) continue;
    withWork++;
    if (options.maxRepositories !== undefined && withWork > options.maxRepositories) planned.deferredBy = 'maxRepositories';
  }
  return { selection, repositories };
}
