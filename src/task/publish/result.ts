import * as tl from 'azure-pipelines-task-lib/task';
import { MAX_INDEX_MANIFESTS } from '../../engine/indexSize';
import type { RunReport } from '../../engine/report';
import { countText } from '../counts';
import { setResult } from '../log';

function budgetReason(report: RunReport): string[] {
  if (report.stoppedBy !== 'timeBudget') return [];
  const { tags, repositories } = report.totals;
  return [tl.loc('Result_TimeBudget', countText(report.limits.timeBudgetMinutes ?? 0, 'minutes'), countText(tags.imported, 'tags'), countText(repositories.remaining, 'stillWork'))];
}

/**
 * Why a run that did its work still ended with issues, most pressing first: the time budget
 * (work is left), locked tags and image indexes too large to import (never copied).
 */
function issueReasons(report: RunReport): string[] {
  const { tags } = report.totals;
  const reasons = budgetReason(report);
  const dry = report.dryRun;
  if (tags.locked > 0) reasons.push(tl.loc(dry ? 'Result_Locked_DryRun' : 'Result_Locked', countText(tags.locked, 'tags')));
  if (tags.tooManyManifests > 0) {
    reasons.push(tl.loc(dry ? 'Result_TooManyManifests_DryRun' : 'Result_TooManyManifests', countText(tags.tooManyManifests, 'tags'), String(MAX_INDEX_MANIFESTS)));
  }
  // A dry run's issues are what a real run would meet; it says so first.
  return dry ? [tl.loc('Result_DryRunIssues', reasons.join(' '))] : reasons;
}

/**
 * The task result with a one-line reason: Failed when the run was cancelled, or an import, a tag
 * or a repository failed;
 * SucceededWithIssues when the time budget stopped the run or a tag was skipped (locked, or an
 * index of too many manifests); Succeeded otherwise. Repositories left for a later run by Max
 * repositories are reported in the reason, not as an issue.
 */
export function setRunResult(report: RunReport): void {
  const { tags, repositories } = report.totals;
  const check = report.check;
  const failedAnyway = repositories.failed > 0 || tags.failed > 0;
  if (report.stoppedBy !== 'cancelled' && check !== undefined && !failedAnyway) {
    if (!check.outOfSync) setResult(tl.TaskResult.Succeeded, tl.loc('Result_InSync'));
    else {
      const result = check.onDrift === 'failed' ? tl.TaskResult.Failed : tl.TaskResult.SucceededWithIssues;
      setResult(result, tl.loc('Result_OutOfSync', countText(check.tags, 'tags'), countText(check.repositories, 'repositories')));
    }
  } else if (report.stoppedBy === 'cancelled') {
    setResult(tl.TaskResult.Failed, tl.loc('Result_Cancelled', countText(tags.imported, 'tags'), countText(repositories.remaining, 'stillWork')));
  } else if (report.result === 'failed') {
    const reasons = [tl.loc('Result_Failed', countText(tags.failed, 'tags'), countText(repositories.failed, 'repositories')), ...budgetReason(report)];
    setResult(tl.TaskResult.Failed, reasons.join(' '));
  } else if (report.result === 'succeededWithIssues') {
    setResult(tl.TaskResult.SucceededWithIssues, issueReasons(report).join(' '));
  } else if (report.dryRun) {
    setResult(tl.TaskResult.Succeeded, tl.loc('Result_DryRun', countText(repositories.withWork, 'haveWork')));
  } else {
    setResult(tl.TaskResult.Succeeded, tl.loc('Result_Succeeded', countText(tags.imported, 'tags'), countText(repositories.done, 'repositories'), countText(repositories.remaining, 'stillWork')));
  }
}
