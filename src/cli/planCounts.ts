/**
 * What a plan holds, counted once for the command line's choice of layout and its counts line:
 * a first sync of 10,000 repositories × 20 tags has 200,000 rows per tag, and the layout is
 * chosen before any of them is built.
 */
import type { PlannedRepository, RunPlan } from '../engine/events';
import type { TagDecisionKind } from '../engine/plan';
import { isInSync, isNotListed, planOverview } from '../reporting/planOverview';

export interface PlanCounts {
  /** Tags by decision, over every listed repository (in-sync tags are only counted by the plan). */
  tags: Record<TagDecisionKind, number>;
  filteredOut: number;
  /** Listed repositories with a tag not in sync. */
  withWork: number;
  /** Repositories that could not be read (a row each in any table). */
  unreadable: number;
  /** Repositories with work left for a later run by max repositories. */
  deferred: number;
  importCalls: number;
  /** Rows of the plan printed per tag: a tag not in sync, or a repository that could not be read. */
  tagRows: number;
}

/** Could not be read (as opposed to not listed because the time budget ran out). */
export function isUnreadable(planned: PlannedRepository): boolean {
  return planned.plan === undefined && !isNotListed(planned);
}

/** Listed, with a tag to import or to warn about. */
export function hasWork(planned: PlannedRepository): boolean {
  return planned.plan !== undefined && !isInSync(planned);
}

export function countPlan(plan: RunPlan): PlanCounts {
  const tags: Record<TagDecisionKind, number> = { new: 0, retagged: 0, inSync: 0, forced: 0, locked: 0, tooManyManifests: 0 };
  let filteredOut = 0;
  let withWork = 0;
  let unreadable = 0;
  let deferred = 0;
  for (const planned of plan.repositories) {
    if (isUnreadable(planned)) unreadable++;
    if (planned.plan === undefined) continue;
    tags.inSync += planned.plan.inSync;
    filteredOut += planned.plan.filteredOut;
    if (!hasWork(planned)) continue;
    withWork++;
    if (planned.deferredBy !== undefined) deferred++;
    // In-sync tags are counted by the plan, not listed (decision 016).
    for (const d of planned.plan.decisions) if (d.kind !== 'inSync') tags[d.kind]++;
  }
  const notInSync = tags.new + tags.retagged + tags.forced + tags.locked + tags.tooManyManifests;
  return { tags, filteredOut, withWork, unreadable, deferred, importCalls: planOverview(plan).importCalls, tagRows: notInSync + unreadable };
}
