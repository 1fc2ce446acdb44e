import type { ImportGroup, RepositoryPlan } from './plan';
import type { DeferralReason, RepositoryReport } from './report';
import type { Selection } from './selection';

/** The whole plan of a run, before anything is written. A dry run stops here. */
export interface RunPlan {
  selection: Selection;
  /** Selected repositories in order; `plan` absent when the repository could not be read or was not listed. */
  repositories: PlannedRepository[];
}

export interface PlannedRepository {
  repository: string;
  /** Absent when the repository could not be read (`error`) or the time budget ran out before it was listed. */
  plan?: RepositoryPlan;
  error?: string;
  /** Left for a later run: by `max repositories` (has work), or by the time budget while planning (not listed). */
  deferredBy?: DeferralReason;
}

/**
 * Progress callbacks for front ends (the command line prints, the task logs and sets
 * progress). The engine never prints.
 */
export interface SyncEvents {
  /**
   * While the source catalog is read: how many distinct repository names it has listed so far.
   * Called for each new name (a counter bump; front ends throttle what they show). Not called
   * when the repositories are named (no catalog is read).
   */
  catalogProgress?(scanned: number): void;
  /** Once, when the selection is known and listing the selected repositories' tags begins. */
  planningStarted?(selection: Selection): void;
  /**
   * As each selected repository's plan completes (listed, failed, or deferred), in completion
   * order: `done` of `total` selected repositories are planned.
   */
  repositoryPlanned?(done: number, total: number, planned: PlannedRepository): void;
  planned?(plan: RunPlan): void;
  importStarted?(group: ImportGroup): void;
  importFinished?(group: ImportGroup, error: string | undefined): void;
  repositoryFinished?(report: RepositoryReport): void;
  /** Once, when the time budget first stops new work from starting; `reserveMs` is the time kept back. */
  budgetReached?(reserveMs: number): void;
}
