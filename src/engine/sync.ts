import { systemClock, type Clock } from './clock';
import type { RunPlan, SyncEvents } from './events';
import { executeRepository, type ExecutionContext } from './execute';
import type { SyncOptions } from './syncOptions';
import { Pacer } from './pacer';
import { planRun } from './planning';
import type { SyncPorts } from './ports';
import { computeResult, computeTotals, REPORT_VERSION, requestTotals, stopReason, type RepositoryReport, type RunReport } from './report';
import { reportWithoutImports } from './repositoryReport';
import { selectRepositories } from './selection';
import { TimeBudget } from './timeBudget';

export interface SyncContext {
  toolVersion: string;
  events?: SyncEvents;
  signal?: AbortSignal;
  /** Defaults to the system clock; tests pass a virtual one. */
  clock?: Clock;
}

async function execute(plan: RunPlan, run: ExecutionContext): Promise<RepositoryReport[]> {
  // Each repository with imports is listed once more in the target (the read-back), roughly in
  // plan order as its imports finish; long after planning, so the reader is told again.
  const toImport = plan.repositories.filter((p) => p.deferredBy === undefined && (p.plan?.groups.length ?? 0) > 0);
  run.ports.target.expectRepositories?.(toImport.map((p) => p.repository));
  return Promise.all(
    plan.repositories.map(async (planned) => {
      const repositoryPlan = planned.plan;
      if (planned.deferredBy !== undefined || repositoryPlan === undefined || repositoryPlan.groups.length === 0) {
        const report = reportWithoutImports(planned, false);
        run.events.repositoryFinished?.(report);
        return report;
      }
      return executeRepository({ ...planned, plan: repositoryPlan }, run);
    }),
  );
}

function dryRun(plan: RunPlan, events: SyncEvents): RepositoryReport[] {
  return plan.repositories.map((planned) => {
    const report = reportWithoutImports(planned, true);
    events.repositoryFinished?.(report);
    return report;
  });
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
  const budget = new TimeBudget(clock, started, budgetMs, (reserveMs) => events.budgetReached?.(reserveMs));

  const selection = await selectRepositories(ports.source, options, context.signal);
  const plan = await planRun(selection, options, ports, budget, clock, context.signal);
  events.planned?.(plan);

  const reports = options.dryRun
    ? dryRun(plan, events)
    : await execute(plan, {
        ports,
        imports: new Pacer(options.maxConcurrency, Math.round(options.delaySeconds * 1000), clock),
        events,
        budget,
        clock,
        importTimeoutMinutes: options.importTimeoutMinutes,
        signal: context.signal,
      });

  const totals = computeTotals(reports, { scanned: selection.scanned, ignored: selection.ignored.length });
  if (ports.requestStats !== undefined) totals.requests = requestTotals(ports.requestStats());
  const stoppedBy = stopReason(reports);
  const finished = clock.now();
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
      ...(options.repository !== undefined ? { repository: options.repository } : {}),
      ...(options.letters !== undefined ? { letters: options.letters.source } : {}),
      ignorePatterns: [...options.ignore.patterns],
      ...(options.maxRepositories !== undefined ? { maxRepositories: options.maxRepositories } : {}),
      ...(selection.shard !== undefined ? { shard: selection.shard } : {}),
      force: options.force,
      ignored: selection.ignored,
    },
    limits: {
      ...(options.timeBudgetMinutes !== undefined ? { timeBudgetMinutes: options.timeBudgetMinutes } : {}),
      importTimeoutMinutes: options.importTimeoutMinutes,
    },
    result: computeResult(totals, stoppedBy),
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
    totals,
    repositories: reports,
  };
}
