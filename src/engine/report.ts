import type { ImportMode, RequestStats } from './ports';
import type { LockScope, TagDecisionKind } from './plan';
import type { ReferrersMode } from './referrers';
import type { IgnoredRepository, ShardSelection } from './selection';

/**
 * The run report: what was selected, decided and done, per repository, and per tag for the tags
 * with work or a finding (in-sync tags are counted per repository, decision 016). Written as
 * JSON (documented in docs/run-report.md; bump REPORT_VERSION on any incompatible change) and
 * rendered as Markdown. It names registries and repositories only: no subscription ids,
 * resource ids or tokens.
 */
export const REPORT_VERSION = 2;

export type RunResult = 'succeeded' | 'succeededWithIssues' | 'failed';

/**
 * Why a repository with work was left for a later run: `maxRepositories` (the run's limit on
 * repositories with work), `timeBudget` (the run's time budget ran out before its imports, or
 * before it was even listed) or `cancelled` (the run was cancelled before them).
 */
export type DeferralReason = 'maxRepositories' | 'timeBudget' | 'cancelled';

/**
 * Why a run stopped before doing everything it selected; absent when it did not stop early:
 * `timeBudget` (succeeded with issues: the next run continues) or `cancelled` (SIGINT/SIGTERM:
 * failed, with what was done and what is left reported).
 */
export type StopReason = 'timeBudget' | 'cancelled';

/**
 * - inSync: every tag already matches;
 * - blocked: nothing to import, but a tag differs that a lock or the index size keeps from being copied;
 * - planned: has work (dry run: nothing was written);
 * - deferred: left for a later run (`deferredBy` says why); may have some tags imported when the
 *   time budget stopped it half-way, and no tags when the budget ran out before it was listed;
 * - done: every import finished and every moved tag verified in the target;
 * - failed: unreadable, or an import or its verification failed.
 */
export type RepositoryStatus = 'inSync' | 'blocked' | 'planned' | 'deferred' | 'done' | 'failed';

/**
 * - skipped: locked in the target (tag, repository or manifest), or an index of too many
 *   manifests: never attempted;
 * - planned / deferred: would be imported (dry run / later run);
 * - imported: imported and verified; failed: the import or the verification failed.
 */
export type TagOutcome = 'skipped' | 'planned' | 'deferred' | 'imported' | 'failed';

export interface TagReport {
  tag: string;
  decision: TagDecisionKind;
  outcome: TagOutcome;
  sourceDigest: string;
  /** Target digest before the run (absent for new tags). */
  targetDigest?: string;
  /** Only for locked: what is locked in the target — the tag, its repository, or a manifest. */
  lockedBy?: LockScope;
  /** Only for a manifest lock: the locked manifest's digest. */
  lockedManifest?: string;
  /** Only for tooManyManifests: the manifests the source index references. */
  manifestCount?: number;
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

/**
 * What happened to one OCI referrer (a signature, an SBOM…) of a manifest the run copied or,
 * with `--referrers all`, found in sync:
 * - copied: imported untagged into the target repository and read back there;
 * - present: the target already lists it for the same subject;
 * - planned: would be copied (dry run); deferred: the time budget or a cancellation stopped it;
 * - failed: the import or its read-back failed (`error`).
 */
export type ReferrerOutcome = 'copied' | 'present' | 'planned' | 'deferred' | 'failed';

export interface ReferrerReport {
  /** The manifest it refers to (a tag's digest, or another referrer's). */
  subject: string;
  digest: string;
  artifactType?: string;
  outcome: ReferrerOutcome;
  error?: string;
}

/** A referrers listing that failed (either side): the subject's referrers are unknown. */
export interface UnlistedReferrers {
  subject: string;
  error: string;
}

export interface RepositoryReport {
  /** The source repository. */
  name: string;
  /** Only with a target repository prefix: the repository it syncs into in the target. */
  targetName?: string;
  status: RepositoryStatus;
  /** Only when status is deferred. */
  deferredBy?: DeferralReason;
  error?: string;
  /** Source tags already in sync in the target: counted, not listed in `tags`. */
  tagsInSync: number;
  /** Source tags the tag filters left out (only when there were any): not in `tags`, never imported. */
  tagsFilteredOut?: number;
  /** Only when there are any: tags of the target repository the source does not have (never deleted). */
  targetOnlyTags?: string[];
  /** Every source tag that is not in sync (to import, imported, locked, too large, failed), by name. */
  tags: TagReport[];
  imports: ImportReport[];
  /** Referrers found for the manifests copied (or, with `referrers: all`, in sync); absent when none. */
  referrers?: ReferrerReport[];
  /** Referrers listings that failed; absent when none. */
  referrersUnlisted?: UnlistedReferrers[];
}

/** Referrers counted over a run (docs/decisions/012-referrers.md). */
export interface ReferrerTotals {
  /** Listed in the source for the manifests the run looked at (recursively). */
  found: number;
  copied: number;
  /** Already in the target. */
  present: number;
  /** Would be copied (dry run) or left for a later run. */
  planned: number;
  /** Imports or read-backs that failed, plus listings that failed. */
  failed: number;
}

export interface RunTotals {
  repositories: {
    /** Names read from the source catalog (1 when a single repository was named). */
    scanned: number;
    /** Left after the repository/letters filters, the ignore patterns and the shard. */
    selected: number;
    ignored: number;
    /** Selected repositories with at least one import to do (as far as they were listed). */
    withWork: number;
    done: number;
    failed: number;
    /** Left for a later run by max repositories or the time budget (see each `deferredBy`). */
    deferred: number;
    /**
     * Repositories that still have (or, not listed before the time budget ran out, may have)
     * work after this run: deferred, failed or (dry run) planned.
     */
    remaining: number;
  };
  tags: {
    new: number;
    retagged: number;
    inSync: number;
    forced: number;
    locked: number;
    tooManyManifests: number;
    /** Source tags the tag filters left out. */
    filteredOut: number;
    imported: number;
    failed: number;
  };
  /** What exists only in the target: listed, never deleted. */
  targetOnly: {
    /** Target tags, in the selected repositories, that the source does not have. */
    tags: number;
    /** Only when the target catalog was read (`listTargetOnlyRepositories`): target repositories with no source repository. */
    repositories?: number;
  };
  referrers: ReferrerTotals;
  /** importImage calls made (0 in a dry run), referrer copies included. */
  importCalls: number;
  /** HTTP requests the adapters sent, when the front end can count them. */
  requests?: RequestTotals;
}

export interface RequestTotals {
  /** Requests sent, retries included. */
  total: number;
  /** Answers 429 that made a client wait and try again. */
  throttled: number;
  /** Requests sent again after throttling, a transient fault or a time-out. */
  retried: number;
}

export function requestTotals(stats: RequestStats): RequestTotals {
  return { total: stats.requests, throttled: stats.throttled, retried: stats.retried };
}

/** A registry's announced pull allowance: `remaining` of `limit` in a window of `windowSeconds`. */
export interface SourceRateLimit {
  remaining: number;
  limit?: number;
  windowSeconds?: number;
}

export interface RunReport {
  reportVersion: typeof REPORT_VERSION;
  tool: { name: 'acr-transfer'; version: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  dryRun: boolean;
  source: {
    registry: string;
    /**
     * The pull allowance the source registry announced last (Docker Hub's `ratelimit-remaining`
     * and `ratelimit-limit`), set by the front end from the source reader; absent when none.
     */
    rateLimit?: SourceRateLimit;
  };
  target: { registry: string };
  selection: {
    /** The one repository named, when exactly one was. */
    repository?: string;
    /** Every repository named (--repository, --repository-list), when any was. */
    repositories?: string[];
    letters?: string;
    ignorePatterns: string[];
    maxRepositories?: number;
    /** Only with sharding: this run's shard (1-based) and the repositories all shards select. */
    shard?: ShardSelection;
    force: boolean;
    /** Which manifests' referrers the run copied (`none`, `imported`, `all`). */
    referrers: ReferrersMode;
    ignored: IgnoredRepository[];
    /** Only when given: source `app` syncs into target `targetRepositoryPrefix + app`. */
    targetRepositoryPrefix?: string;
    /** Only when tag filters were given. */
    tagFilter?: TagFilterReport;
  };
  limits: {
    /** Only when given. */
    timeBudgetMinutes?: number;
    importTimeoutMinutes: number;
  };
  result: RunResult;
  /** Only for a drift check (`--check`, the task's Fail when out of sync): nothing was written. */
  check?: CheckReport;
  /** Only when the run stopped early: `timeBudget` (work deferred by the time budget) or `cancelled`. */
  stoppedBy?: StopReason;
  totals: RunTotals;
  repositories: RepositoryReport[];
  /**
   * Only when asked for (`listTargetOnlyRepositories`, and the source catalog was read): the
   * target repositories that no source repository maps to, within the run's selection, sorted.
   * Never deleted.
   */
  targetOnlyRepositories?: string[];
  /** Only when the target catalog could not be read for that: why (the run goes on). */
  targetOnlyRepositoriesError?: string;
}

/**
 * What a drift check found: out of sync when anything would be imported (the repositories and
 * their planned tags are in `repositories`, as in a dry run); the result is then at least `onDrift`.
 */
export interface CheckReport {
  onDrift: 'failed' | 'succeededWithIssues';
  outOfSync: boolean;
  /** Repositories with something to import. */
  repositories: number;
  /** Tags that would be imported (new or re-tagged). */
  tags: number;
}

export function checkReport(totals: RunTotals, onDrift: CheckReport['onDrift']): CheckReport {
  const tags = totals.tags.new + totals.tags.retagged + totals.tags.forced;
  return { onDrift, outOfSync: totals.repositories.withWork > 0, repositories: totals.repositories.withWork, tags };
}

const SEVERITY: Record<RunResult, number> = { succeeded: 0, succeededWithIssues: 1, failed: 2 };

/** The result of a check: the run's own, made at least `onDrift` when out of sync. */
export function withCheck(result: RunResult, check: CheckReport | undefined): RunResult {
  if (check === undefined || !check.outOfSync) return result;
  return SEVERITY[check.onDrift] > SEVERITY[result] ? check.onDrift : result;
}

/** The tag filters of a run, as given. */
export interface TagFilterReport {
  tagPatterns: string[];
  ignoreTagPatterns: string[];
  /** As given (an ISO date or `Nd`), and the instant it stood for. */
  tagsUpdatedSince?: { value: string; time: string };
  keepLatestTags?: number;
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
      inSync: repositories.reduce((sum, r) => sum + r.tagsInSync, 0),
      forced: byDecision('forced'),
      locked: byDecision('locked'),
      tooManyManifests: byDecision('tooManyManifests'),
      filteredOut: repositories.reduce((sum, r) => sum + (r.tagsFilteredOut ?? 0), 0),
      imported: byOutcome('imported'),
      failed: byOutcome('failed'),
    },
    targetOnly: { tags: repositories.reduce((sum, r) => sum + (r.targetOnlyTags?.length ?? 0), 0) },
    referrers: referrerTotals(repositories),
    importCalls:
      repositories.flatMap((r) => r.imports).filter((i) => i.outcome === 'succeeded' || i.outcome === 'failed').length +
      repositories.flatMap((r) => r.referrers ?? []).filter((x) => x.outcome === 'copied' || x.outcome === 'failed').length,
  };
}

function referrerTotals(repositories: readonly RepositoryReport[]): ReferrerTotals {
  const all = repositories.flatMap((r) => r.referrers ?? []);
  const by = (outcome: ReferrerOutcome) => all.filter((x) => x.outcome === outcome).length;
  const unlisted = repositories.reduce((n, r) => n + (r.referrersUnlisted?.length ?? 0), 0);
  return { found: all.length, copied: by('copied'), present: by('present'), planned: by('planned') + by('deferred'), failed: by('failed') + unlisted };
}

/**
 * `cancelled` when the run was cancelled, whatever it had left; `timeBudget` when the time
 * budget left anything for a later run: a repository not listed or not imported, or — in a
 * repository that also failed — an import not started — or cut the catalog short.
 */
export function stopReason(repositories: readonly RepositoryReport[], cause: StopReason | undefined, selectionCut = false): StopReason | undefined {
  if (cause === 'cancelled') return 'cancelled';
  const byBudget = (r: RepositoryReport): boolean =>
    r.deferredBy === 'timeBudget' || (r.status === 'failed' && r.imports.some((i) => i.outcome === 'deferred'));
  return selectionCut || repositories.some(byBudget) ? 'timeBudget' : undefined;
}

/**
 * Failed when anything failed or the run was cancelled; with issues when a tag was skipped
 * (locked, or an index of too many manifests) or the time budget stopped the run; else
 * succeeded.
 */
export function computeResult(totals: RunTotals, stoppedBy?: StopReason): RunResult {
  if (totals.repositories.failed > 0 || totals.tags.failed > 0 || totals.referrers.failed > 0 || stoppedBy === 'cancelled') return 'failed';
  if (totals.tags.locked > 0 || totals.tags.tooManyManifests > 0 || stoppedBy !== undefined) return 'succeededWithIssues';
  return 'succeeded';
}
