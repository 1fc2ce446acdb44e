import { MAX_INDEX_MANIFESTS } from '../engine/indexSize';
import type { RepositoryReport, RunReport, TagReport } from '../engine/report';
import { counted } from './counts';
import { reportFindings, type Finding } from './findings';
import { durationText, minutesText, shortDigest, rateLimitText } from './texts';

/**
 * Renders a run report as Markdown: the pipeline run's summary page and the command line's
 * `--report-markdown` file. Repositories that are simply in sync are counted, not listed. The
 * file is complete: every repository with changes and every tag not in sync (the per-tag plan).
 * The summary page keeps to MAX_ROWS rows per table, so it stays readable (and uploadable) for
 * registries with thousands of repositories; the JSON report has everything.
 */
const MAX_ROWS = 200;

export interface MarkdownOptions {
  /** Every row of every table (the command line's file); default: at most MAX_ROWS per table (the summary page). */
  complete?: boolean;
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

/** The "filtered out" columns appear only in runs with tag filters. */
function repositoryRow(r: RepositoryReport, filtered: boolean): string {
  const t = r.tags;
  const name = r.targetName === undefined ? `\`${cell(r.name)}\`` : `\`${cell(r.name)}\` → \`${cell(r.targetName)}\``;
  return `| ${name} | ${r.status} | ${count(t, (x) => x.decision === 'new')} | ${count(t, (x) => x.decision === 'retagged')} | ${r.tagsInSync} | ${count(t, (x) => x.decision === 'locked')} |${filtered ? ` ${r.tagsFilteredOut ?? 0} |` : ''} ${r.imports.length} | ${count(t, (x) => x.outcome === 'imported')} | ${count(t, (x) => x.outcome === 'failed')} |`;
}

/** What is locked in the target and where each side stands. */
function lockText(f: Extract<Finding, { kind: 'locked' }>): string {
  const sides = `${shortDigest(f.targetDigest)}; source has ${shortDigest(f.sourceDigest)}`;
  if (f.lockedBy === 'repository') return `target repository is locked; target has ${sides}`;
  if (f.lockedBy === 'manifest') return `target manifest ${shortDigest(f.lockedManifest)} is locked; target has ${sides}`;
  return `target tag is locked at ${sides}`;
}

/** A problem row; re-tagged tags were overwritten as planned and are not problems. */
function problemRow(f: Finding): string | undefined {
  const repository = `\`${cell(f.repository)}\``;
  switch (f.kind) {
    case 'repositoryFailed':
      return `| ${repository} | — | repository | ${cell(f.error)} |`;
    case 'tagFailed':
      return `| ${repository} | \`${cell(f.tag)}\` | failed | ${cell(f.error ?? '')} |`;
    case 'locked':
      return `| ${repository} | \`${cell(f.tag)}\` | locked | ${lockText(f)} |`;
    case 'tooManyManifests':
      return `| ${repository} | \`${cell(f.tag)}\` | too many manifests | image index with ${f.manifestCount ?? '?'} manifests; importImage accepts at most ${MAX_INDEX_MANIFESTS} |`;
    case 'referrerFailed':
      return f.digest !== undefined
        ? `| ${repository} | \`${cell(shortDigest(f.digest))}\` | referrer of \`${cell(shortDigest(f.subject))}\` failed | ${cell(f.error)} |`
        : `| ${repository} | \`${cell(shortDigest(f.subject))}\` | referrers not listed | ${cell(f.error)} |`;
    case 'retagged':
      return undefined;
  }
}

function problems(report: RunReport): string[] {
  return reportFindings(report).flatMap((f) => problemRow(f) ?? []);
}

/** Lines under the headline: an early stop, the shard, and the request counts when known. */
function contextLines(report: RunReport): string[] {
  const lines: string[] = [];
  if (report.stoppedBy === 'cancelled') {
    lines.push('', '⏹️ Cancelled: no new work started, what finished in time was verified, the rest is left for the next run.');
  }
  if (report.stoppedBy === 'timeBudget') {
    lines.push('', `⏱️ Stopped on its time budget of ${minutesText(report.limits.timeBudgetMinutes ?? 0)}: imports in flight finished, the rest is deferred to the next run.`);
  }
  const shard = report.selection.shard;
  if (shard !== undefined) lines.push('', `Shard ${shard.index} of ${shard.count}: ${report.totals.repositories.selected} of the ${counted(shard.selectedInAllShards, 'repositories')} all shards select.`);
  const requests = report.totals.requests;
  if (requests !== undefined) lines.push('', `Requests: ${requests.total} sent · ${requests.throttled} throttled · ${requests.retried} retried`);
  if (report.source.rateLimit !== undefined) lines.push('', `Source rate limit: ${rateLimitText(report.source.rateLimit)}`);
  return lines;
}

/** What exists only in the target, for a person to look at: nothing is deleted. */
function targetOnlyLines(report: RunReport): string[] {
  const withTags = report.repositories.filter((r) => (r.targetOnlyTags?.length ?? 0) > 0);
  const repositories = report.targetOnlyRepositories ?? [];
  if (withTags.length === 0 && repositories.length === 0 && report.targetOnlyRepositoriesError === undefined) return [];
  const lines = ['', '### Only in the target (never deleted)', ''];
  if (report.targetOnlyRepositoriesError !== undefined) lines.push(`⚠️ ${cell(report.targetOnlyRepositoriesError)}`, '');
  if (repositories.length > 0) {
    const shown = repositories.slice(0, MAX_ROWS).map((r) => `\`${cell(r)}\``);
    lines.push(`Repositories (${repositories.length}): ${shown.join(', ')}${repositories.length > MAX_ROWS ? ', … (JSON report)' : ''}`, '');
  }
  if (withTags.length > 0) {
    lines.push('| Target repository | Tags only in the target |', '|---|---|');
    for (const r of withTags.slice(0, MAX_ROWS)) {
      const tags = r.targetOnlyTags ?? [];
      const shown = tags.slice(0, 20).map((t) => `\`${cell(t)}\``).join(', ');
      lines.push(`| \`${cell(r.targetName ?? r.name)}\` | ${shown}${tags.length > 20 ? ` … (${tags.length} in all)` : ''} |`);
    }
    if (withTags.length > MAX_ROWS) lines.push(`\n… and ${withTags.length - MAX_ROWS} more in the JSON report.`);
  }
  return lines;
}

/** The first rows of a table, and a line saying how many more the JSON report has. */
function capped(rows: readonly string[], limit: number): string[] {
  return rows.length <= limit ? [...rows] : [...rows.slice(0, limit), `\n… and ${rows.length - limit} more in the JSON report.`];
}

const OUTCOME_TEXT: Record<TagReport['outcome'], string> = {
  skipped: 'skipped',
  planned: 'would import',
  deferred: 'deferred',
  imported: 'imported',
  failed: 'FAILED',
};

/** The per-tag plan: every tag not in sync, by repository. */
function tagRows(report: RunReport): string[] {
  const rows: string[] = [];
  for (const r of report.repositories) {
    for (const t of r.tags) rows.push(`| \`${cell(r.name)}\` | \`${cell(t.tag)}\` | ${t.decision} | ${OUTCOME_TEXT[t.outcome]} | ${shortDigest(t.sourceDigest)} | ${shortDigest(t.targetDigest)} |`);
  }
  return rows;
}

export function renderReportMarkdown(report: RunReport, options: MarkdownOptions = {}): string {
  const limit = options.complete === true ? Number.POSITIVE_INFINITY : MAX_ROWS;
  const { repositories: rt, tags: tt } = report.totals;
  const out: string[] = [];
  out.push(`## ACR Transfer: \`${report.source.registry}\` → \`${report.target.registry}\`${report.check !== undefined ? ' (check)' : report.dryRun ? ' (dry run)' : ''}`);
  out.push('');
  if (report.check !== undefined) {
    const c = report.check;
    out.push(
      c.outOfSync
        ? `**Out of sync:** ${counted(c.tags, 'tags')} in ${counted(c.repositories, 'repositories')} would be imported (listed below); nothing was written.`
        : '**In sync:** nothing would be imported.',
    );
    out.push('');
  }
  out.push(`**${RESULT_TEXT[report.result]}** in ${durationText(report.durationMs)} · ${counted(tt.imported, 'tags')} imported with ${counted(report.totals.importCalls, 'importCalls')} · ${counted(rt.remaining, 'stillWork')}`);
  out.push(...contextLines(report));
  out.push('');
  out.push('| Repositories | scanned | selected | ignored | with work | done | failed | deferred | remaining |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  out.push(`| | ${rt.scanned} | ${rt.selected} | ${rt.ignored} | ${rt.withWork} | ${rt.done} | ${rt.failed} | ${rt.deferred} | ${rt.remaining} |`);
  out.push('');
  const filtered = report.selection.tagFilter !== undefined;
  out.push(`| Tags | new | re-tagged | in sync | forced | locked | too many manifests |${filtered ? ' filtered out |' : ''} imported | failed |`);
  out.push(`|---|---|---|---|---|---|---|---|---|${filtered ? '---|' : ''}`);
  out.push(`| | ${tt.new} | ${tt.retagged} | ${tt.inSync} | ${tt.forced} | ${tt.locked} | ${tt.tooManyManifests} |${filtered ? ` ${tt.filteredOut} |` : ''} ${tt.imported} | ${tt.failed} |`);
  if (report.selection.referrers !== 'none') {
    const x = report.totals.referrers;
    out.push('');
    out.push(`| Referrers (${report.selection.referrers}) | found | copied | already present | ${report.dryRun ? 'to copy' : 'left'} | failed |`);
    out.push('|---|---|---|---|---|---|');
    out.push(`| | ${x.found} | ${x.copied} | ${x.present} | ${x.planned} | ${x.failed} |`);
  }

  // A repository in sync is listed when the tag filters left some of its tags out: the count is news.
  const listed = report.repositories.filter((r) => r.status !== 'inSync' || (r.tagsFilteredOut ?? 0) > 0);
  out.push('');
  out.push(`### Repositories (${listed.length} with changes; ${report.repositories.length - listed.length} already in sync)`);
  if (listed.length > 0) {
    out.push('');
    out.push(`| Repository | Status | New | Re-tagged | In sync | Locked |${filtered ? ' Filtered out |' : ''} Imports | Imported | Failed |`);
    out.push(`|---|---|---|---|---|---|---|---|---|${filtered ? '---|' : ''}`);
    out.push(...capped(listed.map((r) => repositoryRow(r, filtered)), limit));
  }

  const tags = tagRows(report);
  if (tags.length > 0) {
    out.push('');
    out.push(`### Tags not in sync (${tags.length})`);
    out.push('');
    out.push('| Repository | Tag | Decision | Outcome | Source | Target |');
    out.push('|---|---|---|---|---|---|');
    out.push(...capped(tags, limit));
  }

  out.push(...targetOnlyLines(report));

  const problemRows = problems(report);
  if (problemRows.length > 0) {
    out.push('');
    out.push('### Problems');
    out.push('');
    out.push('| Repository | Tag | Kind | Detail |');
    out.push('|---|---|---|---|');
    out.push(...capped(problemRows, limit));
  }
  out.push('');
  return out.join('\n');
}
