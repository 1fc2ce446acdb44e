import type { PlannedRepository } from './events';
import type { TagDecision } from './plan';
import type { ImportOutcome, RepositoryReport, RepositoryStatus, TagOutcome, TagReport } from './report';

function tagReport(decision: TagDecision, movedOutcome: TagOutcome, error?: string): TagReport {
  const outcome: TagOutcome = decision.kind === 'inSync' ? 'unchanged' : decision.kind === 'locked' ? 'skipped' : movedOutcome;
  const report: TagReport = {
    tag: decision.tag,
    decision: decision.kind,
    outcome,
    sourceDigest: decision.sourceDigest,
  };
  if (decision.targetDigest !== undefined) report.targetDigest = decision.targetDigest;
  if (error !== undefined && outcome === 'failed') report.error = error;
  return report;
}

/**
 * The report of a repository on which no import ran: unreadable, in sync, blocked by locks,
 * planned (dry run) or deferred (max repositories).
 */
export function reportWithoutImports(planned: PlannedRepository, dryRun: boolean): RepositoryReport {
  if (planned.plan === undefined) {
    return { name: planned.repository, status: 'failed', error: planned.error, tags: [], imports: [] };
  }
  const { decisions, groups } = planned.plan;
  let status: RepositoryStatus;
  let pending: TagOutcome & ImportOutcome;
  if (groups.length === 0) {
    status = decisions.some((d) => d.kind === 'locked') ? 'blocked' : 'inSync';
    pending = 'planned';
  } else if (planned.deferred) {
    status = 'deferred';
    pending = 'deferred';
  } else if (dryRun) {
    status = 'planned';
    pending = 'planned';
  } else {
    throw new Error(`repository ${planned.repository} has imports to run`);
  }
  return {
    name: planned.repository,
    status,
    tags: decisions.map((d) => tagReport(d, pending)),
    imports: groups.map((g) => ({ sourceDigest: g.sourceDigest, mode: g.mode, tags: [...g.tags], outcome: pending })),
  };
}

export { tagReport };
