import type { PlannedRepository } from './events';
import type { TagDecision } from './plan';
import type { ImportOutcome, RepositoryReport, RepositoryStatus, TagOutcome, TagReport } from './report';

/** Decisions that are never imported, whatever the run does. */
function neverImported(decision: TagDecision): boolean {
  return decision.kind === 'locked' || decision.kind === 'tooManyManifests';
}

function tagReport(decision: TagDecision, movedOutcome: TagOutcome, error?: string): TagReport {
  const outcome: TagOutcome = neverImported(decision) ? 'skipped' : movedOutcome;
  const { tag, kind, sourceDigest, targetDigest } = decision;
  // Whole literals, one per shape: docs/decisions/007-object-shapes-for-memory.md.
  const report: TagReport =
    targetDigest === undefined ? { tag, decision: kind, outcome, sourceDigest } : { tag, decision: kind, outcome, sourceDigest, targetDigest };
  // Rare (a lock, an oversized index, a failed tag): added afterwards, in the JSON report's field order.
  if (decision.lockedBy !== undefined) report.lockedBy = decision.lockedBy;
  if (decision.lockedManifest !== undefined) report.lockedManifest = decision.lockedManifest;
  if (decision.manifestCount !== undefined) report.manifestCount = decision.manifestCount;
  if (error !== undefined && outcome === 'failed') report.error = error;
  return report;
}

/**
 * The report of a repository on which no import ran: unreadable, not listed before the time
 * budget ran out, in sync, blocked (locked tags, oversized indexes), planned (dry run) or
 * deferred (max repositories, time budget).
 */
export function reportWithoutImports(planned: PlannedRepository, dryRun: boolean): RepositoryReport {
  if (planned.plan === undefined) {
    if (planned.error === undefined && planned.deferredBy !== undefined) {
      return { name: planned.repository, status: 'deferred', deferredBy: planned.deferredBy, tagsInSync: 0, tags: [], imports: [] };
    }
    return { name: planned.repository, status: 'failed', error: planned.error, tagsInSync: 0, tags: [], imports: [] };
  }
  const { decisions, groups } = planned.plan;
  let status: RepositoryStatus;
  let pending: TagOutcome & ImportOutcome;
  if (groups.length === 0) {
    status = decisions.some(neverImported) ? 'blocked' : 'inSync';
    pending = 'planned';
  } else if (planned.deferredBy !== undefined) {
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
    ...(planned.plan.targetRepository !== planned.repository ? { targetName: planned.plan.targetRepository } : {}),
    status,
    ...(status === 'deferred' ? { deferredBy: planned.deferredBy } : {}),
    tagsInSync: planned.plan.inSync,
    ...(planned.plan.filteredOut > 0 ? { tagsFilteredOut: planned.plan.filteredOut } : {}),
    ...(planned.plan.targetOnlyTags.length > 0 ? { targetOnlyTags: [...planned.plan.targetOnlyTags] } : {}),
    tags: decisions.map((d) => tagReport(d, pending)),
    // The group's tag list, shared (see execute.ts importReport).
    imports: groups.map((g) => ({ sourceDigest: g.sourceDigest, mode: g.mode, tags: g.tags, outcome: pending })),
  };
}

export { tagReport };
