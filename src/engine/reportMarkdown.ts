import { minutesText } from './importTimeout';
import { MAX_INDEX_MANIFESTS } from './indexSize';
import type { RepositoryReport, RunReport, TagReport } from './report';

/**
 * Renders a run report as Markdown: the pipeline run's summary page and the command line's
 * `--report-markdown` file. Repositories that are simply in sync are counted, not listed, so
 * the page stays readable for registries with thousands of repositories; the JSON report
 * has everything.
 */
const MAX_REPOSITORY_ROWS = 200;
const MAX_PROBLEM_ROWS = 200;

export function shortDigest(digest: string | undefined): string {
  if (digest === undefined) return '—';
  const [algorithm, hex] = digest.split(':');
  return hex === undefined ? digest : `${algorithm}:${hex.slice(0, 12)}`;
}

/** Keeps table cells on one line and stops `|` from splitting them. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

const RESULT_TEXT: Record<RunReport['result'], string> = {
  succeeded: '✅ Succeeded',
  succeededWithIssues: '⚠️ Succeeded with issues',
  failed: '❌ Failed',
};

function count(tags: readonly TagReport[], predicate: (t: TagReport) => boolean): number {
  return tags.filter(predicate).length;
}

function repositoryRow(r: RepositoryReport): string {
  const t = r.tags;
  return `| \`${cell(r.name)}\` | ${r.status} | ${count(t, (x) => x.decision === 'new')} | ${count(t, (x) => x.decision === 'retagged')} | ${count(t, (x) => x.decision === 'inSync')} | ${count(t, (x) => x.decision === 'locked')} | ${r.imports.length} | ${count(t, (x) => x.outcome === 'imported')} | ${count(t, (x) => x.outcome === 'failed')} |`;
}

function problems(report: RunReport): string[] {
  const lines: string[] = [];
  for (const r of report.repositories) {
    if (r.error !== undefined) lines.push(`| \`${cell(r.name)}\` | — | repository | ${cell(r.error)} |`);
    for (const t of r.tags) {
      if (t.outcome === 'failed') lines.push(`| \`${cell(r.name)}\` | \`${cell(t.tag)}\` | failed | ${cell(t.error ?? '')} |`);
      if (t.decision === 'locked') {
        lines.push(`| \`${cell(r.name)}\` | \`${cell(t.tag)}\` | locked | target tag is locked at ${shortDigest(t.targetDigest)}; source has ${shortDigest(t.sourceDigest)} |`);
      }
      if (t.decision === 'tooManyManifests') {
        lines.push(
          `| \`${cell(r.name)}\` | \`${cell(t.tag)}\` | too many manifests | image index with ${t.manifestCount ?? '?'} manifests; importImage accepts at most ${MAX_INDEX_MANIFESTS} |`,
        );
      }
    }
  }
  return lines;
}

/** Lines under the headline: an early stop, the shard, and the request counts when known. */
function contextLines(report: RunReport): string[] {
  const lines: string[] = [];
  if (report.stoppedBy === 'timeBudget') {
    lines.push('', `⏱️ Stopped on its time budget of ${minutesText(report.limits.timeBudgetMinutes ?? 0)}: imports in flight finished, the rest is deferred to the next run.`);
  }
  const shard = report.selection.shard;
  if (shard !== undefined) lines.push('', `Shard ${shard.index} of ${shard.count}: ${report.totals.repositories.selected} of the ${shard.selectedInAllShards} repositories all shards select.`);
  const requests = report.totals.requests;
  if (requests !== undefined) lines.push('', `Requests: ${requests.total} sent · ${requests.throttled} throttled · ${requests.retried} retried`);
  return lines;
}

export function renderReportMarkdown(report: RunReport): string {
  const { repositories: rt, tags: tt } = report.totals;
  const out: string[] = [];
  out.push(`## ACR Transfer: \`${report.source.registry}\` → \`${report.target.registry}\`${report.dryRun ? ' (dry run)' : ''}`);
  out.push('');
  out.push(`**${RESULT_TEXT[report.result]}** in ${(report.durationMs / 1000).toFixed(1)} s · ${tt.imported} tags imported with ${report.totals.importCalls} import calls · ${rt.remaining} repositories still have work`);
  out.push(...contextLines(report));
  out.push('');
  out.push('| Repositories | scanned | selected | ignored | with work | done | failed | deferred | remaining |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  out.push(`| | ${rt.scanned} | ${rt.selected} | ${rt.ignored} | ${rt.withWork} | ${rt.done} | ${rt.failed} | ${rt.deferred} | ${rt.remaining} |`);
  out.push('');
  out.push('| Tags | new | re-tagged | in sync | forced | locked | too many manifests | imported | failed |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  out.push(`| | ${tt.new} | ${tt.retagged} | ${tt.inSync} | ${tt.forced} | ${tt.locked} | ${tt.tooManyManifests} | ${tt.imported} | ${tt.failed} |`);

  const listed = report.repositories.filter((r) => r.status !== 'inSync');
  out.push('');
  out.push(`### Repositories (${listed.length} with changes; ${report.repositories.length - listed.length} already in sync)`);
  if (listed.length > 0) {
    out.push('');
    out.push('| Repository | Status | New | Re-tagged | In sync | Locked | Imports | Imported | Failed |');
    out.push('|---|---|---|---|---|---|---|---|---|');
    for (const r of listed.slice(0, MAX_REPOSITORY_ROWS)) out.push(repositoryRow(r));
    if (listed.length > MAX_REPOSITORY_ROWS) out.push(`\n… and ${listed.length - MAX_REPOSITORY_ROWS} more in the JSON report.`);
  }

  const problemRows = problems(report);
  if (problemRows.length > 0) {
    out.push('');
    out.push('### Problems');
    out.push('');
    out.push('| Repository | Tag | Kind | Detail |');
    out.push('|---|---|---|---|');
    out.push(...problemRows.slice(0, MAX_PROBLEM_ROWS));
    if (problemRows.length > MAX_PROBLEM_ROWS) out.push(`\n… and ${problemRows.length - MAX_PROBLEM_ROWS} more in the JSON report.`);
  }
  out.push('');
  return out.join('\n');
}
