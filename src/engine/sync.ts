import { anySignal } from './abort';
import { systemClock, type Clock } from './clock';
import type { PlannedRepository, RunPlan, SyncEvents } from './events';
import { executeRepository, referrersOf, referrerSubjects, type ExecutionContext } from './execute';
import type { SyncOptions } from './syncOptions';
import { Pacer } from './pacer';
import { planRun, PlanningStopped } from './planning';
import type { SyncPorts } from './ports';
import { checkReport, computeResult, computeTotals, withCheck, REPORT_VERSION, requestTotals, stopReason, type RepositoryReport, type RunReport, type TagFilterReport } from './report';
import { reportWithoutImports } from './repositoryReport';
import { selectRepositories, type Selection } from './selection';
import { TimeBudget } from './timeBudget';
import { findTargetOnlyRepositories } from './targetOnlyRepositories';
import { filtersTags, type TagFilter } from './tagFilter';

export interface SyncContext {
  toolVersion: string;
  events?: SyncEvents;
  signal?: AbortSignal;
  /**
   * Cancels the run gracefully (a front end fires it on SIGINT / SIGTERM): nothing new starts,
   * imports in flight get `cancelGraceMs` to finish (and are verified), then the run stops
   * waiting for them and reports what was done and what is left, `stoppedBy: 'cancelled'`.
   */
  stop?: AbortSignal;
  /** How long imports in flight may still finish after `stop` (default CANCEL_GRACE_MS). */
  cancelGraceMs?: number;
  /**
   * When the time budget started counting (default: now). Front ends pass when the process
   * started, so signing in and finding the registries spend the budget too.
   */
  startedAt?: number;
  /** Defaults to the system clock; tests pass a virtual one. */
  clock?: Clock;
}

/**
 * Imports in flight may finish for this long after a cancellation. The Azure Pipelines agent
 * sends SIGTERM 7.5 s after SIGINT (and kills 2.5 s later): 3 s leaves time to verify, write the
 * reports and upload the summary before that.
 */
export const CANCEL_GRACE_MS = 3_000;

/** What imports in flight are abandoned with when a cancelled run's grace is over. */
export class RunCancelled extends Error {
  constructor() {
    // The service may still complete an abandoned import; the next run compares digests again.
    super('the run was cancelled; stopped waiting for this import');
    this.name = 'RunCancelled';
  }
}

/** Nothing selected: the catalog was cut short. */
const NOTHING_SELECTED: Selection = { scanned: 0, selected: [], ignored: [] };

/**
 * The catalog, unless the run stops starting work first (time budget, cancellation): then no
 * repository is selected (`cut`) and the report says why.
 */
async function selectUnlessStopped(
  ports: SyncPorts,
  options: SyncOptions,
  budget: TimeBudget,
  signal: AbortSignal | undefined,
  catalog?: Set<string>,
  events: SyncEvents = {},
): Promise<{ selection: Selection; cut: boolean }> {
  const stopped = new AbortController();
  const cancelWatch = budget.whenStopped(() => stopped.abort(new PlanningStopped()));
  try {
    return { selection: await selectRepositories(ports.source, options, anySignal(stopped.signal, signal), catalog, (scanned) => events.catalogProgress?.(scanned)), cut: false };
  } catch (error) {
    if (stopped.signal.aborted && signal?.aborted !== true) return { selection: NOTHING_SELECTED, cut: true };
    throw error;
  } finally {
    cancelWatch();
  }
}

/**
 * The plan's repositories, each given to `each` in order and let go by the run at once: a
 * repository's plan is garbage once its report is built (the report shares its strings and tag
 * lists), where a dry run of 100,000 tags with work held both for every repository (decision
 * 016). `owned` is the run's own copy of the list; front ends count what they need at
 * `planned` and keep no plan.
 */
function letGo<T>(owned: Array<PlannedRepository | undefined>, each: (planned: PlannedRepository) => T): T[] {
  const results: T[] = [];
  for (let i = 0; i < owned.length; i++) {
    const planned = owned[i]!;
    owned[i] = undefined;
    results.push(each(planned));
  }
  return results;
}

function execute(owned: Array<PlannedRepository | undefined>, run: ExecutionContext): Promise<RepositoryReport[]> {
  return Promise.all(
    letGo(owned, (planned) => {
      const repositoryPlan = planned.plan;
      if (planned.deferredBy === undefined && repositoryPlan !== undefined && repositoryPlan.groups.length > 0) {
        return executeRepository({ ...planned, plan: repositoryPlan }, run);
      }
      return withReferrers(reportWithoutImports(planned, false), repositoryPlan?.inSyncDigests, run, false).then((report) => {
        run.events.repositoryFinished?.(report);
        return report;
      });
    }),
  );
}

/**
 * A repository no import ran on, with the referrers its run looks at: with mode `all` those of
 * its in-sync digests (copied when missing), and in a dry run those its imports would bring
 * (listed, never copied).
 */
async function withReferrers(report: RepositoryReport, inSyncDigests: readonly string[] | undefined, run: ExecutionContext, dry: boolean): Promise<RepositoryReport> {
  if (report.status === 'failed' || report.status === 'deferred') return report;
  const subjects = referrerSubjects(report.tags, run.referrers ?? 'none', inSyncDigests);
  const found = await referrersOf(report.name, report.targetName ?? report.name, subjects, run, dry);
  if (found.referrers === undefined && found.referrersUnlisted === undefined) return report;
  const failed = found.referrersUnlisted !== undefined || found.referrers?.some((x) => x.outcome === 'failed') === true;
  const copied = found.referrers?.some((x) => x.outcome === 'copied') === true;
  const status = failed ? 'failed' : copied && report.status === 'inSync' ? 'done' : report.status;
  return { ...report, status, ...found };
}

/**
 * Referrers are listed after planning (in the source, and in the target where the source has
 * any), for the repositories with imports (with `all`, every planned one), in plan order: the
 * readers are told, so their `pull` tokens come several repositories to a request (decision
 * 005); a reader told of a repository it then never lists asks no token for it. With
 * `imported` in a real run these are the repositories whose tags are read back, which the
 * target has been told already.
 */
function expectReferrerListings(plan: RunPlan, run: ExecutionContext, dry: boolean): void {
  const mode = run.referrers ?? 'none';
  if (mode === 'none' || run.ports.source?.listReferrers === undefined || run.ports.target.listReferrers === undefined) return;
  const listed = plan.repositories
    .filter((p) => p.deferredBy === undefined && p.plan !== undefined && (mode === 'all' || p.plan.groups.length > 0))
    .map((p) => p.repository);
  run.ports.source?.expectRepositories?.(listed);
  // A real run has told the target already, unless `all` lists more than it reads back.
  if (dry || mode === 'all') run.ports.target.expectRepositories?.(listed);
}

async function dryRun(owned: Array<PlannedRepository | undefined>, run: ExecutionContext): Promise<RepositoryReport[]> {
  const reports = await Promise.all(letGo(owned, (planned) => withReferrers(reportWithoutImports(planned, true), planned.plan?.inSyncDigests, run, true)));
  // In plan order, as a dry run without referrers listings reports them: nothing ran, nothing finished first.
  for (const report of reports) run.events.repositoryFinished?.(report);
  return reports;
}

/**
 * Tells the readers what the run will read after planning: the target reads back each
 * repository with imports (roughly in plan order, long after planning, so it is told again),
 * and referrers are listed for the repositories the walk looks at.
 */
function expectReads(plan: RunPlan, run: ExecutionContext, dry: boolean): void {
  if (!dry) {
    const toImport = plan.repositories.filter((p) => p.deferredBy === undefined && (p.plan?.groups.length ?? 0) > 0);
    run.ports.target.expectRepositories?.(toImport.map((p) => p.repository));
  }
  expectReferrerListings(plan, run, dry);
}

/**
 * The whole sync: select → shard → plan → (unless dry run) import and verify → report.
 * Per-repository failures are recorded and the run goes on; only a failure to list the source
 * catalog (nothing can be selected) rejects. The time budget, when given, runs from here:
 * planning and imports stop starting near its end, and what is left is reported deferred.
 */
export async function runSync(options: SyncOptions, ports: SyncPorts, context: SyncContext): Promise<RunReport> {
  const clock = context.clock ?? systemClock;
  const events = context.events ?? {};
  const started = clock.now();
  const budgetMs = options.timeBudgetMinutes === undefined ? undefined : options.timeBudgetMinutes * 60_000;
  const budget = new TimeBudget(clock, context.startedAt ?? started, budgetMs, (reserveMs) => events.budgetReached?.(reserveMs));
  // A cancellation stops starts at once and, after the grace, every wait of the run.
  const abandon = new AbortController();
  const signal = anySignal(context.signal, abandon.signal);
  let cancelGrace = (): void => undefined;
  const stopWatch = onAbort(context.stop, () => {
    budget.cancel();
    cancelGrace = clock.after(context.cancelGraceMs ?? CANCEL_GRACE_MS, () => abandon.abort(new RunCancelled()));
  });

  try {
    // Target-only repositories need the source catalog's names, and a run naming repositories has none.
    const listTargetOnly = options.listTargetOnlyRepositories === true && options.repositories === undefined;
    const catalog = listTargetOnly ? new Set<string>() : undefined;
    const { selection, cut } = await selectUnlessStopped(ports, options, budget, signal, catalog, events);
    events.planningStarted?.(selection);
    // Read beside the planning, which does not depend on it.
    const targetOnly = listTargetOnly && !cut ? findTargetOnlyRepositories(ports.target, catalog!, options, signal) : undefined;
    let plan: RunPlan | undefined = await planRun(selection, options, ports, budget, clock, signal, (done, total, planned) => events.repositoryPlanned?.(done, total, planned));
    const targetOnlyFound = await targetOnly;
    events.planned?.(plan);

    const run: ExecutionContext = {
      ports,
      imports: new Pacer(options.maxConcurrency, Math.round(options.delaySeconds * 1000), clock),
      referrerListings: new Pacer(options.listConcurrency, 0, clock),
      referrerWalks: new Pacer(options.listConcurrency, 0, clock),
      events,
      budget,
      clock,
      importTimeoutMinutes: options.importTimeoutMinutes,
      referrers: options.referrers ?? 'none',
      signal,
    };
    expectReads(plan, run, options.dryRun);
    // The run's own list of the plan's repositories; the plan itself is not held while the run
    // goes on, so each repository's plan is let go as its report is built (letGo).
    const owned: Array<PlannedRepository | undefined> = [...plan.repositories];
    plan = undefined;
    const reports = options.dryRun ? await dryRun(owned, run) : await execute(owned, run);
    const done = report(options, ports, context, { selection, reports, started, finished: clock.now(), stoppedBy: stopReason(reports, budget.stopCause, cut) });
    if (targetOnlyFound !== undefined && 'repositories' in targetOnlyFound) {
      done.targetOnlyRepositories = targetOnlyFound.repositories;
      done.totals.targetOnly.repositories = targetOnlyFound.repositories.length;
    } else if (targetOnlyFound !== undefined) done.targetOnlyRepositoriesError = targetOnlyFound.error;
    return done;
  } finally {
    stopWatch();
    cancelGrace();
  }
}

/** Calls `callback` once when `signal` fires (at once if it has); returns a cancel. */
function onAbort(signal: AbortSignal | undefined, callback: () => void): () => void {
  if (signal === undefined) return () => undefined;
  if (signal.aborted) {
    callback();
    return () => undefined;
  }
  signal.addEventListener('abort', callback, { once: true });
  return () => signal.removeEventListener('abort', callback);
}

function report(
  options: SyncOptions,
  ports: SyncPorts,
  context: SyncContext,
  run: { selection: Selection; reports: RepositoryReport[]; started: number; finished: number; stoppedBy: ReturnType<typeof stopReason> },
): RunReport {
  const { selection, reports, started, finished, stoppedBy } = run;
  const totals = computeTotals(reports, { scanned: selection.scanned, ignored: selection.ignored.length });
  if (ports.requestStats !== undefined) totals.requests = requestTotals(ports.requestStats());
  const check = options.check === undefined ? undefined : checkReport(totals, options.check.onDrift);
  return {
    reportVersion: REPORT_VERSION,
    tool: { name: 'acr-transfer', version: context.toolVersion },
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    dryRun: options.dryRun,
    source: { registry: options.sourceRegistry },
    target: { registry: options.targetRegistry },
    selection: {
      // `repository` as before when one is named, so readers of the report's version 1 keep working.
      ...(options.repositories?.length === 1 ? { repository: options.repositories[0] } : {}),
      ...(options.repositories !== undefined ? { repositories: [...options.repositories] } : {}),
      ...(options.letters !== undefined ? { letters: options.letters.source } : {}),
      ignorePatterns: [...options.ignore.patterns],
      ...(options.maxRepositories !== undefined ? { maxRepositories: options.maxRepositories } : {}),
      ...(selection.shard !== undefined ? { shard: selection.shard } : {}),
      force: options.force,
      referrers: options.referrers ?? 'none',
      ignored: selection.ignored,
      ...(options.targetRepositoryPrefix !== undefined ? { targetRepositoryPrefix: options.targetRepositoryPrefix } : {}),
      ...(filtersTags(options.tagFilter) ? { tagFilter: tagFilterReport(options.tagFilter) } : {}),
    },
    limits: {
      ...(options.timeBudgetMinutes !== undefined ? { timeBudgetMinutes: options.timeBudgetMinutes } : {}),
      importTimeoutMinutes: options.importTimeoutMinutes,
    },
    result: withCheck(computeResult(totals, stoppedBy), check),
    ...(check !== undefined ? { check } : {}),
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
    totals,
    repositories: reports,
  };
}

function tagFilterReport(filter: TagFilter): TagFilterReport {
  return {
    tagPatterns: [...filter.patterns],
    ignoreTagPatterns: [...filter.ignorePatterns],
    ...(filter.updatedSince !== undefined ? { tagsUpdatedSince: { value: filter.updatedSince.text, time: new Date(filter.updatedSince.time).toISOString() } } : {}),
    ...(filter.keepLatest !== undefined ? { keepLatestTags: filter.keepLatest } : {}),
  };
}
