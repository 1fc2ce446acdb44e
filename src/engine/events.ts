import type { ImportGroup, RepositoryPlan } from './plan';
import type { RepositoryReport } from './report';
import type { Selection } from './selection';

/** The whole plan of a run, before anything is written. A dry run stops here. */
export interface RunPlan {
  selection: Selection;
  /** Selected repositories in order; `plan` absent when the repository could not be read. */
  repositories: PlannedRepository[];
}

export interface PlannedRepository {
  repository: string;
  plan?: RepositoryPlan;
  error?: string;
  /** Has work but is left for a later run by `max repositories`. */
  deferred: boolean;
}

/**
 * Progress callbacks for front ends (the command line prints, the task logs and sets
 * progress). The engine never prints.
 */
export interface SyncEvents {
  planned?(plan: RunPlan): void;
  importStarted?(group: ImportGroup): void;
  importFinished?(group: ImportGroup, error: string | undefined): void;
  repositoryFinished?(report: RepositoryReport): void;
}
