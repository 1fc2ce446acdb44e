import type { ImportMode } from './ports';
import type { TagDecisionKind } from './plan';

/**
 * The run report: what was selected, decided and done, per repository and per tag. Written as
 * JSON (documented in docs/run-report.md; bump REPORT_VERSION on any incompatible change) and
 * rendered as Markdown. It names registries and repositories only: no subscription ids,
 * resource ids or tokens.
 */
export const REPORT_VERSION = 1;

export type RunResult = 'succeeded' | 'succeededWithIssues' | 'failed';

/**
 * - inSync: every tag already matches;
 * - blocked: nothing to import, but a locked target tag differs;
 * - planned: has work (dry run: nothing was written);
 * - deferred: has work, left for a later run by `max repositories`;
 * - done: every import finished and every moved tag verified in the target;
 * - failed: unreadable, or an import or its verification failed.
 */
export type RepositoryStatus = 'inSync' | 'blocked' | 'planned' | 'deferred' | 'done' | 'failed';

/**
 * - unchanged: in sync, left alone;
 * - skipped: locked in the target, never attempted;
 * - planned / deferred: would be imported (dry run / later run);
 * - imported: imported and verified; failed: the import or the verification failed.
 */
export type TagOutcome = 'unchanged' | 'skipped' | 'planned' | 'deferred' | 'imported' | 'failed';

export interface TagReport {
  tag: string;
  decision: TagDecisionKind;
  outcome: TagOutcome;
  sourceDigest: string;
  /** Target digest before the run (absent for new tags). */
  targetDigest?: string;
  error?: string;
}

export type ImportOutcome = 'planned' | 'deferred' | 'succeeded' | 'failed';

export interface ImportReport {
  sourceDigest: string;
  mode: ImportMode;
  tags: string[];
  outcome: ImportOutcome;
  error?: string;
  durationMs?: number;
}

export interface RepositoryReport {
  name: string;
  status: RepositoryStatus;
  error?: string;
  tags: TagReport[];
  imports: ImportReport[];
}

export interface IgnoredRepository {
  name: string;
  pattern: string;
}

export interface RunTotals {
  repositories: {
    /** Names read from the source catalog (1 when a single repository was named). */
    scanned: number;
    /** Left after the repository/letters filters and the ignore patterns. */
    selected: number;
    ignored: number;
    /** Selected repositories with at least one import to do. */
    withWork: number;
    done: number;
    failed: number;
    deferred: number;
    /** Repositories that still have work after this run: deferred, failed or (dry run) planned. */
    remaining: number;
  };
  tags: {
    new: number;
    retagged: number;
    inSync: number;
    forced: number;
    locked: number;
    imported: number;
    failed: number;
  };
  /** importImage calls made (0 in a dry run). */
  importCalls: number;
}

export interface RunReport {
  reportVersion: typeof REPORT_VERSION;
  tool: { name: 'acr-transfer'; version: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  dryRun: boolean;
  source: { registry: string };
  target: { registry: string };
  selection: {
    repository?: string;
    letters?: string;
    ignorePatterns: string[];
    maxRepositories?: number;
    force: boolean;
    ignored: IgnoredRepository[];
  };
  result: RunResult;
  totals: RunTotals;
  repositories: RepositoryReport[];
}

export function computeTotals(
  repositories: readonly RepositoryReport[],
  counts: { scanned: number; ignored: number },
): RunTotals {
  const byStatus = (status: RepositoryStatus) => repositories.filter((r) => r.status === status).length;
  const tags = repositories.flatMap((r) => r.tags);
  const byDecision = (kind: TagDecisionKind) => tags.filter((t) => t.decision === kind).length;
  const byOutcome = (outcome: TagOutcome) => tags.filter((t) => t.outcome === outcome).length;
  const withWork = repositories.filter((r) => r.imports.length > 0).length;
  return {
    repositories: {
      scanned: counts.scanned,
      selected: repositories.length,
      ignored: counts.ignored,
      withWork,
      done: byStatus('done'),
      failed: byStatus('failed'),
      deferred: byStatus('deferred'),
      remaining: byStatus('deferred') + byStatus('failed') + byStatus('planned'),
    },
    tags: {
      new: byDecision('new'),
      retagged: byDecision('retagged'),
      inSync: byDecision('inSync'),
      forced: byDecision('forced'),
      locked: byDecision('locked'),
      imported: byOutcome('imported'),
      failed: byOutcome('failed'),
    },
    importCalls: repositories.flatMap((r) => r.imports).filter((i) => i.outcome === 'succeeded' || i.outcome === 'failed').length,
  };
}

/** Failed when anything failed; with issues when a locked tag was skipped; else succeeded. */
export function computeResult(totals: RunTotals): RunResult {
  if (totals.repositories.failed > 0 || totals.tags.failed > 0) return 'failed';
  if (totals.tags.locked > 0) return 'succeededWithIssues';
  return 'succeeded';
}
