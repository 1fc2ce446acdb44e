/**
 * What a plan amounts to before anything is written, for every front end's opening lines and
 * progress: which repositories are already in sync, which were not listed, how many imports
 * the run will make.
 */
import type { PlannedRepository, RunPlan } from '../engine/events';

export interface PlanOverview {
  /** Repositories listed whose every tag is in sync. */
  inSync: number;
  /** Repositories the time budget left unlisted (deferred to the next run). */
  notListed: number;
  /** importImage calls this run will make (repositories deferred by max repositories excluded). */
  importCalls: number;
}

/** Listed with nothing to move. */
export function isInSync(planned: PlannedRepository): boolean {
  return planned.plan !== undefined && planned.plan.decisions.every((d) => d.kind === 'inSync');
}

/** Deferred by the time budget before it was listed: possibly thousands, so counted, not listed. */
export function isNotListed(planned: PlannedRepository): boolean {
  return planned.plan === undefined && planned.error === undefined && planned.deferredBy !== undefined;
}

export function planOverview(plan: RunPlan): PlanOverview {
  let inSync = 0;
  let notListed = 0;
  let importCalls = 0;
  for (const planned of plan.repositories) {
    if (isInSync(planned)) inSync++;
    if (isNotListed(planned)) notListed++;
    if (planned.deferredBy === undefined) importCalls += planned.plan?.groups.length ?? 0;
  }
  return { inSync, notListed, importCalls };
}
