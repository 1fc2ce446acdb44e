import type { SyncEvents } from '../engine/events';
import { MAX_INDEX_MANIFESTS } from '../engine/indexSize';
import type { RunReport } from '../engine/report';
import { reportFindings, type Finding, type FindingKind } from '../reporting/findings';
import { counted } from '../reporting/counts';
import { planOverview } from '../reporting/planOverview';
import { durationText, minutesText, rateLimitText, repositoryLabel, secondsText, shortDigest } from '../reporting/texts';

/**
 * What the command line prints for a person: the plan (plan.ts), a line per import while
 * importing, and a closing summary. Only registry, repository and tag names and digests are
 * printed; never ids or tokens.
 */
export type Print = (line: string) => void;

export { renderPlan } from './plan';

/**
 * Progress lines while importing: `[done/total] repo@digest → tags`. The total is counted once,
 * at `planned`, from the plan, which is not kept: the run lets each repository's plan go as its
 * report is built.
 */
export function progressEvents(print: Print): SyncEvents {
  let finished = 0;
  let total = 0;
  return {
    planned(plan) {
      total = planOverview(plan).importCalls;
    },
    budgetReached(reserveMs) {
      print(`Time budget: ${secondsText(reserveMs)} left or less; no new work starts, imports in flight finish.`);
    },
    importFinished(group, error) {
      finished++;
      const where = group.targetRepository === group.repository ? '' : `${group.targetRepository}:`;
      const what = `${group.repository}@${shortDigest(group.sourceDigest)} → ${where}${group.tags.join(', ')}`;
      print(`[${finished}/${total}] ${error === undefined ? 'imported' : 'FAILED  '} ${what}${error === undefined ? '' : `: ${error}`}`);
    },
  };
}

/** The summary's wording of each finding. */
const FINDING_TEXT: { [K in FindingKind]: (f: Extract<Finding, { kind: K }>, dryRun: boolean) => string } = {
  repositoryFailed: (f) => `  ERROR ${f.repository}: ${f.error}`,
  retagged: (f) => `  warning: ${f.repository}:${f.tag} was re-tagged (target had ${shortDigest(f.targetDigest)}, source has ${shortDigest(f.sourceDigest)})`,
  locked: (f, dryRun) => {
    const sides = `(target ${shortDigest(f.targetDigest)}, source ${shortDigest(f.sourceDigest)})`;
    const notCopied = dryRun ? 'would not be copied' : 'not copied';
    if (f.lockedBy === 'repository') return `  warning: ${f.repository}:${f.tag} ${notCopied}: the repository is locked in the target ${sides}`;
    if (f.lockedBy === 'manifest') return `  warning: ${f.repository}:${f.tag} ${notCopied}: manifest ${shortDigest(f.lockedManifest)} is locked in the target ${sides}`;
    return `  warning: ${f.repository}:${f.tag} is locked in the target; ${dryRun ? 'would be left' : 'left'} at ${shortDigest(f.targetDigest)} (source has ${shortDigest(f.sourceDigest)})`;
  },
  tooManyManifests: (f, dryRun) =>
    `  warning: ${f.repository}:${f.tag} ${dryRun ? 'would not be imported' : 'not imported'}: image index with ${f.manifestCount ?? '?'} manifests; importImage accepts at most ${MAX_INDEX_MANIFESTS}`,
  tagFailed: (f) => `  ERROR ${f.repository}:${f.tag}: ${f.error ?? 'failed'}`,
  referrerFailed: (f) =>
    f.digest !== undefined
      ? `  ERROR ${f.repository}@${shortDigest(f.digest)} (referrer of ${shortDigest(f.subject)}): ${f.error}`
      : `  ERROR ${f.repository}@${shortDigest(f.subject)}: its referrers could not be listed: ${f.error}`,
};

function findingLine<F extends Finding>(finding: F, dryRun: boolean): string {
  return (FINDING_TEXT[finding.kind] as (f: F, dryRun: boolean) => string)(finding, dryRun);
}

/** Drift listed by repository, a line each, at most this many (the JSON report has all). */
const MAX_DRIFT_LINES = 20;

/** What a check found: in sync, or what would be imported where. */
function driftLines(report: RunReport): string[] {
  const check = report.check!;
  if (!check.outOfSync) return ['  in sync: nothing would be imported'];
  const lines = [`  OUT OF SYNC: ${counted(check.tags, 'tags')} in ${counted(check.repositories, 'repositories')} would be imported; nothing was written`];
  const drifted = report.repositories.filter((r) => r.imports.length > 0);
  for (const r of drifted.slice(0, MAX_DRIFT_LINES)) {
    const tags = r.tags.filter((t) => t.outcome === 'planned' || t.outcome === 'deferred').map((t) => t.tag);
    lines.push(`    ${repositoryLabel(r.name, r.targetName)}: ${tags.join(', ')}`);
  }
  if (drifted.length > MAX_DRIFT_LINES) lines.push(`    … and ${drifted.length - MAX_DRIFT_LINES} more repositories (JSON report)`);
  return lines;
}

/**
 * The closing summary. `quiet` (--quiet) keeps the result line and what is a warning or an
 * error: why the run stopped early, a check's drift headline, the findings; the counts go.
 */
export function renderSummary(report: RunReport, print: Print, quiet = false): void {
  const { repositories: r, tags: t, requests } = report.totals;
  const detail: Print = quiet ? () => undefined : print;
  detail('');
  const outcome = report.stoppedBy === 'cancelled' ? 'CANCELLED' : report.result === 'succeeded' ? 'succeeded' : report.result === 'failed' ? 'FAILED' : 'succeeded with issues';
  print(`${report.check !== undefined ? 'Check' : report.dryRun ? 'Dry run' : 'Run'} ${outcome} in ${durationText(report.durationMs)}.`);
  if (report.check !== undefined) driftLines(report).forEach((line, i) => (i === 0 ? print : detail)(line));
  if (report.stoppedBy === 'cancelled') {
    print(`  cancelled: what finished was verified; ${counted(r.remaining, 'stillWork')}; run again to continue`);
  }
  if (report.stoppedBy === 'timeBudget') {
    print(`  stopped on its time budget (${minutesText(report.limits.timeBudgetMinutes ?? 0)}): ${counted(r.remaining, 'stillWork')}; run again to continue`);
  }
  if (report.selection.shard !== undefined) detail(`  shard ${report.selection.shard.index} of ${report.selection.shard.count}`);
  detail(`  repositories: ${r.scanned} scanned, ${r.selected} selected, ${r.ignored} ignored, ${r.withWork} with work, ${r.done} done, ${r.failed} failed, ${r.remaining} still with work`);
  detail(
    `  tags: ${t.new} new, ${t.retagged} re-tagged, ${t.inSync} in sync, ${t.forced} forced, ${t.locked} locked, ${t.tooManyManifests > 0 ? `${t.tooManyManifests} too many manifests, ` : ''}${t.filteredOut > 0 ? `${t.filteredOut} filtered out, ` : ''}${t.imported} imported, ${t.failed} failed`,
  );
  const x = report.totals.referrers;
  if (report.selection.referrers !== 'none') {
    detail(`  referrers (${report.selection.referrers}): ${x.found} found, ${x.copied} copied, ${x.present} already present, ${x.planned} ${report.dryRun ? 'to copy' : 'left'}, ${x.failed} failed`);
  }
  detail(`  import calls: ${report.totals.importCalls}`);
  const only = report.totals.targetOnly;
  const onlyRepositories = only.repositories !== undefined ? `, ${counted(only.repositories, 'repositories')}` : '';
  const withOnlyTags = report.repositories.filter((r) => (r.targetOnlyTags?.length ?? 0) > 0).length;
  if (only.tags > 0 || (only.repositories ?? 0) > 0) {
    detail(`  only in the target (never deleted): ${counted(only.tags, 'tags')} in ${counted(withOnlyTags, 'repositories')}${onlyRepositories}; listed in the reports`);
  }
  if (report.targetOnlyRepositoriesError !== undefined) print(`  warning: ${report.targetOnlyRepositoriesError}`);
  if (requests !== undefined) detail(`  requests: ${requests.total} sent, ${requests.throttled} throttled, ${requests.retried} retried`);
  if (report.source.rateLimit !== undefined) detail(`  source rate limit: ${rateLimitText(report.source.rateLimit)}`);
  for (const finding of reportFindings(report)) print(findingLine(finding, report.dryRun));
}
