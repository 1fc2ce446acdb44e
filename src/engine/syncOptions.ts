import type { ReferrersMode } from './referrers';
import type { Shard } from './sharding';
import type { TagFilter } from './tagFilter';

/**
 * What one run of the engine is asked to do, already checked: the front ends build it from
 * their input through src/options (the only place that parses and validates), and the engine
 * takes it as it is. Nothing here is about how to reach Azure.
 */
export interface SyncOptions {
  /** Names only, for the report: the adapters have already resolved both registries. */
  sourceRegistry: string;
  targetRegistry: string;
  /** Only these repositories, named (overrides `letters`; no catalog is read). */
  repositories?: readonly string[];
  letters?: LetterFilter;
  ignore: IgnoreMatcher;
  /** Source `app` syncs into target `prefix + app` (repositoryMapping.ts); absent: the same name. */
  targetRepositoryPrefix?: string;
  /**
   * A drift check (the front ends also set `dryRun`: nothing is written): when anything would be
   * imported, the run's result is at least `onDrift`. Absent: a normal run.
   */
  check?: { onDrift: 'failed' | 'succeededWithIssues' };
  /** Read the target catalog to list target repositories no source repository maps to (targetOnlyRepositories.ts). */
  listTargetOnlyRepositories?: boolean;
  /** Which source tags to copy; absent: every tag. */
  tagFilter?: TagFilter;
  maxRepositories?: number;
  delaySeconds: number;
  maxConcurrency: number;
  /** How many repositories are listed at once while planning. */
  listConcurrency: number;
  /** Absent: no budget. */
  timeBudgetMinutes?: number;
  importTimeoutMinutes: number;
  /** Absent: this run takes every selected repository. */
  shard?: Shard;
  dryRun: boolean;
  force: boolean;
  /** Which manifests' OCI referrers are copied too (docs/decisions/012-referrers.md); absent: none. */
  referrers?: ReferrersMode;
}

/**
 * The `letters` filter, matched case-insensitively against the first character of a
 * repository name.
 */
export interface LetterFilter {
  /** The filter as the user wrote it, for reports. */
  readonly source: string;
  matches(repository: string): boolean;
}

/** The ignore patterns, compiled; they match the whole repository name and ignore case. */
export interface IgnoreMatcher {
  readonly patterns: readonly string[];
  /** The first pattern that matches the repository, or undefined. */
  match(repository: string): string | undefined;
}

/**
 * Repositories listed at once while planning, each on both registries. 8 left a 10,000-repository
 * no-op at 30 s (20 ms latency); 12 takes it to 20 s. A registry's read limit is not ours to
 * guess: its 429s are waited out and `maxReadsPerSecond` caps the rate when asked.
 */
export const DEFAULT_LIST_CONCURRENCY = 12;
