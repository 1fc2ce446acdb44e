import * as tl from 'azure-pipelines-task-lib/task';
import type { RunReport } from '../../engine/report';

/** The output variables declared in task.json `outputVariables`, published as `<step>.<name>`. */
export function publishOutputs(report: RunReport, reportPath: string): void {
  const { tags, repositories } = report.totals;
  // Re-tags written, not planned: none in a dry run or in a repository left for a later run.
  const retagged = report.repositories.reduce((n, r) => n + r.tags.filter((t) => t.decision === 'retagged' && t.outcome === 'imported').length, 0);
  const values: Record<string, string> = {
    tagsImported: String(tags.imported),
    tagsRetagged: String(retagged),
    tagsInSync: String(tags.inSync),
    tagsLocked: String(tags.locked),
    tagsFailed: String(tags.failed),
    repositoriesRemaining: String(repositories.remaining),
    tagsFilteredOut: String(tags.filteredOut),
    // Only a check says whether the target has drifted; other runs leave it empty.
    outOfSync: report.check === undefined ? '' : String(report.check.outOfSync),
    referrersCopied: String(report.totals.referrers.copied),
    reportPath,
  };
  for (const [name, value] of Object.entries(values)) tl.setVariable(name, value, false, true);
}
