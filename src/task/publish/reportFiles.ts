import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import type { RunReport } from '../../engine/report';
import { writeInPieces } from '../../lifecycle/writeInPieces';
import { reportJsonPieces } from '../../reporting/jsonReport';
import { renderReportMarkdown } from '../../reporting/markdown';
import { logLine } from '../log';

function tempDirectory(): string {
  return tl.getVariable('Agent.TempDirectory') ?? process.cwd();
}

/**
 * Two steps of one job share Agent.TempDirectory: files named after the step (its
 * System.TaskInstanceId, a GUID per step) cannot overwrite each other's report or summary.
 * Outside an agent there is no step id, and a random one does the same.
 */
let stepId: string | undefined;
function stepFileName(kind: 'report' | 'summary', extension: string): string {
  stepId ??= (tl.getVariable('System.TaskInstanceId') ?? '').replace(/[^0-9A-Za-z-]/g, '') || randomUUID();
  return join(tempDirectory(), `acr-transfer-${kind}-${stepId}.${extension}`);
}

/**
 * Writes the JSON report (the input's path, checked before the run, or this step's file in the
 * agent's temp directory) and returns its path.
 */
export function writeJsonReport(report: RunReport, requested: string | undefined): string {
  const path = requested ?? stepFileName('report', 'json');
  writeInPieces(path, reportJsonPieces(report));
  logLine(tl.loc('ReportWritten', path));
  return path;
}

/** Attaches the Markdown report to the run's summary page (`task.uploadsummary`). */
export function uploadSummary(report: RunReport): void {
  const path = stepFileName('summary', 'md');
  writeFileSync(path, renderReportMarkdown(report));
  tl.uploadSummary(path);
}
