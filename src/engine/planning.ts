import { anySignal, unlessAborted } from './abort';
import type { PlannedRepository, RunPlan } from './events';
import type { Clock } from './clock';
import { withIndexSizeLimit } from './indexSize';
import type { SyncOptions } from './syncOptions';
import { withTargetLocks } from './targetLocks';
import { Pacer } from './pacer';
import type { RegistryReader, TagInfo } from './ports';
import type { Selection } from './selection';
import type { TimeBudget } from './timeBudget';
import { TagMatcher } from './tagMatcher';
import { MAX_TARGET_REPOSITORY_LENGTH, targetRepositoryOf } from './repositoryMapping';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Feeds one side's listing of a repository to `take`, page by page when the reader lists in
 * pages (each page can then be matched and let go), else whole. False when the repository
 * does not exist.
 */
async function feed(reader: RegistryReader, repository: string, take: (tags: readonly TagInfo[]) => void, signal: AbortSignal, wanted?: (tag: string) => boolean): Promise<boolean> {
  if (reader.listTagPages === undefined) {
    const tags = await reader.listTags(repository, signal, wanted);
    if (tags === null) return false;
    take(tags);
    return true;
  }
  // Not `for await`: its variable would keep the last page while the next is fetched, long
  // enough for the page to land in the old generation (see the ACR client's handOn).
  const pages = reader.listTagPages(repository, signal)[Symbol.asyncIterator]();
  for (;;) {
    const next = await pages.next();
    if (next.done === true) return true;
    if (next.value === null) return false;
    take(next.value);
    next.value = [];
  }
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
  options: Pick<SyncOptions, 'listConcurrency' | 'force' | 'maxRepositories' | 'tagFilter' | 'targetRepositoryPrefix' | 'referrers'>,
  readers: { source: RegistryReader; target: RegistryReader },
  budget: TimeBudget,
  clock: Clock,
  runSignal?: AbortSignal,
  onPlanned?: (done: number, total: number, planned: PlannedRepository) => void,
): Promise<RunPlan> {
  const stopped = new AbortController();
  const cancelWatch = budget.whenStopped(() => stopped.abort(new PlanningStopped()));
  const signal = anySignal(stopped.signal, runSignal);
  const reads = new Pacer(options.listConcurrency, 0, clock);
  // The checks of a planned repository (target locks, index sizes), apart from `reads`: a
  // listing job waiting on its checks must not hold the slots the checks need.
  const checks = new Pacer(options.listConcurrency, 0, clock);

  // A per-tag source need not read the digests of tags the name patterns leave out.
  const filter = options.tagFilter;
  const wantedTag = filter !== undefined && (filter.patterns.length > 0 || filter.ignorePatterns.length > 0) ? (tag: string) => filter.include(tag) : undefined;
  const planOne = async (repository: string): Promise<PlannedRepository> => {
    if (!budget.allowsStart()) return { repository, deferredBy: budget.stopCause ?? 'timeBudget' };
    const targetRepository = targetRepositoryOf(repository, options.targetRepositoryPrefix);
    try {
      if (targetRepository.length > MAX_TARGET_REPOSITORY_LENGTH) {
        return { repository, error: `its target repository ${targetRepository} would be ${targetRepository.length} characters long: ACR allows at most ${MAX_TARGET_REPOSITORY_LENGTH}` };
      }
      // Both sides are listed at once and matched as their pages come (tagMatcher.ts). A tag the
      // filters leave out is neither imported nor compared.
      const matcher = new TagMatcher({ force: options.force, filter: options.tagFilter, keepInSyncDigests: options.referrers === 'all' });
      const listings = Promise.all([
        feed(readers.source, repository, (tags) => matcher.addSource(tags), signal, wantedTag),
        feed(readers.target, targetRepository, (tags) => matcher.addTarget(tags), signal),
      ]);
      const [sourceFound, targetFound] = await unlessAborted(listings, signal);
      if (!sourceFound) {
        return { repository, error: 'repository not found in the source registry' };
      }
      const { plan, targetDigests } = matcher.finish(repository, targetRepository);
      // Locks first: a locked tag needs no index count.
      const unlocked = await unlessAborted(withTargetLocks(plan, targetFound ? targetDigests : null, readers.target, checks, signal), signal);
      return { repository, plan: await unlessAborted(withIndexSizeLimit(unlocked, readers.source, checks, signal), signal) };
    } catch (error) {
      if (stopped.signal.aborted && runSignal?.aborted !== true) return { repository, deferredBy: budget.stopCause ?? 'timeBudget' };
      return { repository, error: errorMessage(error) };
    }
  };
  // `reads` starts the listings in selection order, on both sides.
  readers.source.expectRepositories?.(selection.selected);
  readers.target.expectRepositories?.(selection.selected.map((name) => targetRepositoryOf(name, options.targetRepositoryPrefix)));
  let repositories: PlannedRepository[];
  try {
    let done = 0;
    const total = selection.selected.length;
    repositories = await Promise.all(
      selection.selected.map((name) =>
        reads.run(async () => {
          const planned = await planOne(name);
          onPlanned?.(++done, total, planned);
          return planned;
        }),
      ),
    );
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
