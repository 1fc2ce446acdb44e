import { anySignal, unlessAborted } from './abort';
import type { PlannedRepository, RunPlan } from './events';
import type { Clock } from './clock';
import { withIndexSizeLimit } from './indexSize';
import type { SyncOptions } from './syncOptions';
import { withTargetLocks } from './targetLocks';
import { Pacer } from './pacer';
import { planRepository } from './plan';
import type { RegistryReader, TagInfo } from './ports';
import type { Selection } from './selection';
import type { TimeBudget } from './timeBudget';
import { applyTagFilter, namePasses, type TagFilter } from './tagFilter';
import { NO_TAGS } from './plan';
import { MAX_TARGET_REPOSITORY_LENGTH, targetRepositoryOf } from './repositoryMapping';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Target tags the source does not have, sorted; only those the tag name patterns would take
 * (a tag the patterns leave out is not this mirror's business). The time filters are the
 * source's, so they do not apply here.
 */
function targetOnly(sourceTags: readonly TagInfo[], targetTags: readonly TagInfo[] | null, filter: TagFilter | undefined): readonly string[] {
  if (targetTags === null || targetTags.length === 0) return NO_TAGS;
  const inSource = new Set(sourceTags.map((t) => t.name));
  const only = targetTags.filter((t) => !inSource.has(t.name) && namePasses(filter, t.name)).map((t) => t.name);
  return only.length === 0 ? NO_TAGS : only.sort();
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
      const listings = Promise.all([readers.source.listTags(repository, signal, wantedTag), readers.target.listTags(targetRepository, signal)]);
      const [sourceTags, targetTags] = await unlessAborted(listings, signal);
      if (sourceTags === null) {
        return { repository, error: 'repository not found in the source registry' };
      }
      // Filtered out before planning: a filtered tag is neither imported nor compared.
      const { kept, filteredOut } = applyTagFilter(sourceTags, options.tagFilter);
      // Referrers `all` looks at the in-sync manifests too: only then are their digests kept.
      const plan = planRepository(repository, kept, targetTags ?? [], options.force, targetRepository, options.referrers === 'all');
      plan.filteredOut = filteredOut;
      plan.targetOnlyTags = targetOnly(sourceTags, targetTags, options.tagFilter);
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
