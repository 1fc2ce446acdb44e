import type { RunPlan, SyncEvents } from './events';
import { executeRepository } from './execute';
import { ImportScheduler } from './importScheduler';
import type { SyncOptions } from './options';
import { planRun } from './planning';
import type { Importer, RegistryReader } from './ports';
import { computeResult, computeTotals, REPORT_VERSION, type RepositoryReport, type RunReport } from './report';
import { reportWithoutImports } from './repositoryReport';
import { selectRepositories } from './selection';

export interface SyncPorts {
  source: RegistryReader;
  target: RegistryReader;
  /** Never called in a dry run. */
  importer: Importer;
}

export interface SyncContext {
  toolVersion: string;
  events?: SyncEvents;
  signal?: AbortSignal;
}

async function execute(plan: RunPlan, options: SyncOptions, ports: SyncPorts, context: SyncContext): Promise<RepositoryReport[]> {
  const events = context.events ?? {};
  const scheduler = new ImportScheduler(options.maxConcurrency, options.delaySeconds);
  return Promise.all(
    plan.repositories.map(async (planned) => {
      const plan = planned.plan;
      if (planned.deferred || plan === undefined || plan.groups.length === 0) {
        const report = reportWithoutImports(planned, false);
        events.repositoryFinished?.(report);
        return report;
      }
      return executeRepository({ ...planned, plan }, ports, scheduler, events, context.signal);
    }),
  );
}

function dryRun(plan: RunPlan, context: SyncContext): RepositoryReport[] {
  return plan.repositories.map((planned) => {
    const report = reportWithoutImports(planned, true);
    context.events?.repositoryFinished?.(report);
    return report;
  });
}

/**
 * The whole sync: select → plan → (unless dry run) import and verify → report.
 * Per-repository failures are recorded and the run goes on; only a failure to list the source
 * catalog (nothing can be selected) rejects.
 */
export async function runSync(options: SyncOptions, ports: SyncPorts, context: SyncContext): Promise<RunReport> {
  const started = new Date();
  const selection = await selectRepositories(ports.source, options, context.signal);
  const plan = await planRun(selection, options, ports, context.signal);
  context.events?.planned?.(plan);

  const reports = options.dryRun ? dryRun(plan, context) : await execute(plan, options, ports, context);

  const totals = computeTotals(reports, { scanned: selection.scanned, ignored: selection.ignored.length });
  const finished = new Date();
  return {
    reportVersion: REPORT_VERSION,
    tool: { name: 'acr-transfer', version: context.toolVersion },
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    dryRun: options.dryRun,
    source: { registry: options.sourceRegistry },
    target: { registry: options.targetRegistry },
    selection: {
      ...(options.repository !== undefined ? { repository: options.repository } : {}),
      ...(options.letters !== undefined ? { letters: options.letters.source } : {}),
      ignorePatterns: [...options.ignore.patterns],
      ...(options.maxRepositories !== undefined ? { maxRepositories: options.maxRepositories } : {}),
      force: options.force,
      ignored: selection.ignored,
    },
    result: computeResult(totals),
    totals,
    repositories: reports,
  };
}
