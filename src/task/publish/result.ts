import * as tl from 'azure-pipelines-task-lib/task';
import type { RunReport } from '../../engine/report';

/**
 * The task result with a one-line reason: Failed when an import, a tag or a repository failed;
 * SucceededWithIssues when a locked tag was skipped; Succeeded otherwise. Repositories left for
 * a later run by Max repositories are reported in the reason, not as an issue.
 */
export function setRunResult(report: RunReport): void {
  const { tags, repositories } = report.totals;
  if (report.result === 'failed') {
    tl.setResult(tl.TaskResult.Failed, tl.loc('Result_Failed', String(tags.failed), String(repositories.failed)));
  } else if (report.result === 'succeededWithIssues') {
    tl.setResult(tl.TaskResult.SucceededWithIssues, tl.loc('Result_Locked', String(tags.locked)));
  } else if (report.dryRun) {
    tl.setResult(tl.TaskResult.Succeeded, tl.loc('Result_DryRun', String(repositories.withWork)));
  } else {
    tl.setResult(tl.TaskResult.Succeeded, tl.loc('Result_Succeeded', String(tags.imported), String(repositories.done), String(repositories.remaining)));
  }
}
