import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import type { RunReport } from '../../engine/report';
import { renderReportMarkdown } from '../../reporting/markdown';
import { logLine } from '../log';

function tempDirectory(): string {
  return tl.getVariable('Agent.TempDirectory') ?? process.cwd();
}

/** Writes the JSON report (the input's path, or the agent's temp directory) and returns its path. */
export function writeJsonReport(report: RunReport, requested: string | undefined): string {
  const path = requested ?? join(tempDirectory(), 'acr-transfer-report.json');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  logLine(tl.loc('ReportWritten', path));
  return path;
}

/** Attaches the Markdown report to the run's summary page (`task.uploadsummary`). */
export function uploadSummary(report: RunReport): void {
  const path = join(tempDirectory(), 'acr-transfer-summary.md');
  writeFileSync(path, renderReportMarkdown(report));
  tl.uploadSummary(path);
}
