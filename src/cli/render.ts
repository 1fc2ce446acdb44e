import type { PlannedRepository, RunPlan, SyncEvents } from '../engine/events';
import { MAX_INDEX_MANIFESTS } from '../engine/indexSize';
import type { ImportGroup, RepositoryPlan, TagDecision, TagDecisionKind } from '../engine/plan';
import type { DeferralReason, RunReport } from '../engine/report';
import { reportFindings, type Finding, type FindingKind } from '../reporting/findings';
import { counted } from '../reporting/counts';
import { isInSync, isNotListed, planOverview } from '../reporting/planOverview';
import { durationText, minutesText, rateLimitText, repositoryLabel, secondsText, shortDigest } from '../reporting/texts';

/**
 * What the command line prints for a person: the plan as a table, a line per import while
 * importing, and a closing summary. Only registry, repository and tag names and digests are
 * printed; never ids or tokens.
 */
export type Print = (line: string) => void;

const DECISION_TEXT: Record<TagDecisionKind, string> = {
  new: 'new',
  retagged: 're-tagged',
  inSync: 'in sync',
  forced: 'forced',
  locked: 'LOCKED',
  tooManyManifests: 'TOO MANY MANIFESTS',
};

const DEFERRED_TEXT: Record<DeferralReason, string> = {
  maxRepositories: 'max repositories',
  timeBudget: 'time budget',
  cancelled: 'cancelled',
};

/**
 * Which import carries each tag of a repository, built once per repository: looking a tag up in
 * every group's tags instead would be quadratic in a repository of thousands of new tags.
 */
function importOfTag(plan: RepositoryPlan): Map<string, ImportGroup> {
  const byTag = new Map<string, ImportGroup>();
  for (const group of plan.groups) for (const tag of group.tags) if (!byTag.has(tag)) byTag.set(tag, group);
  return byTag;
}

/** What happens to a moved tag: its import (in this or a later run), or why there is none. */
function actionOf(planned: PlannedRepository, decision: TagDecision, group: ImportGroup | undefined, dryRun: boolean): string {
  if (group !== undefined) {
    const action = planned.deferredBy !== undefined ? `deferred (${DEFERRED_TEXT[planned.deferredBy]})` : dryRun ? 'would import' : 'import';
    return `${action} ${group.mode}`;
  }
  if (decision.kind === 'tooManyManifests') return `never (index of ${decision.manifestCount ?? '?'} manifests; importImage accepts at most ${MAX_INDEX_MANIFESTS})`;
  return `never (locked ${decision.lockedBy ?? 'tag'})`;
}

/**
 * Pads every column to its widest cell. The widths are found with a loop, not
 * `Math.max(...column)`: a spread passes one argument per row, and past about 120,000 rows (a
 * first sync of 7,000 repositories × 20 tags) V8 throws "Maximum call stack size exceeded".
 */
function table(rows: string[][]): string[] {
  const widths = rows[0].map(() => 0);
  for (const row of rows) {
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], row[i].length);
  }
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

export function renderPlan(plan: RunPlan, dryRun: boolean, print: Print): void {
  const { selection } = plan;
  print(`Selected ${selection.selected.length} of ${counted(selection.scanned, 'repositories')}${selection.ignored.length > 0 ? ` (${selection.ignored.length} ignored by pattern)` : ''}.`);
  if (selection.shard !== undefined) {
    const { index, count, selectedInAllShards } = selection.shard;
    print(`Shard ${index} of ${count}: ${selection.selected.length} of the ${counted(selectedInAllShards, 'repositories')} all shards select.`);
  }
  for (const ignored of selection.ignored) print(`  ignored ${ignored.name}  (pattern ${ignored.pattern})`);

  const rows: string[][] = [['REPOSITORY', 'TAG', 'DECISION', 'SOURCE', 'TARGET', 'IMPORT']];
  for (const planned of plan.repositories) {
    if (planned.plan === undefined) {
      if (!isNotListed(planned)) rows.push([planned.repository, '—', 'UNREADABLE', '—', '—', planned.error ?? '']);
      continue;
    }
    if (isInSync(planned)) continue;
    const importOf = importOfTag(planned.plan);
    for (const d of planned.plan.decisions) {
      if (d.kind === 'inSync') continue;
      rows.push([repositoryLabel(planned.repository, planned.plan.targetRepository), d.tag, DECISION_TEXT[d.kind], shortDigest(d.sourceDigest), shortDigest(d.targetDigest), actionOf(planned, d, importOf.get(d.tag), dryRun)]);
    }
  }
  const { inSync, notListed } = planOverview(plan);
  const filtered = plan.repositories.filter((p) => (p.plan?.filteredOut ?? 0) > 0);
  print('');
  if (filtered.length > 0) {
    const total = filtered.reduce((sum, p) => sum + (p.plan?.filteredOut ?? 0), 0);
    print(`Tag filters left out ${counted(total, 'tags')} in ${counted(filtered.length, 'repositories')}: ${filtered.map((p) => `${p.repository} ${p.plan?.filteredOut ?? 0}`).join(', ')}.`);
  }
  if (rows.length > 1) table(rows).forEach((line) => print(line));
  else print('Nothing to import.');
  print(`${counted(inSync, 'repositories')} already in sync.`);
  if (notListed > 0) print(`${counted(notListed, 'notListed')}: the time budget ran out while planning (deferred to the next run).`);
  print('');
}

/** Progress lines while importing: `[done/total] repo@digest → tags`. */
export function progressEvents(plan: () => RunPlan | undefined, print: Print): SyncEvents {
  let finished = 0;
  // Counted once, when the first import finishes (the plan no longer changes then), not for every
  // line: a first sync of a large registry has about one import per tag, and recounting every
  // repository's imports for each of them is quadratic.
  let imports: number | undefined;
  const total = (): number => {
    if (imports !== undefined) return imports;
    const current = plan();
    if (current === undefined) return 0;
    imports = planOverview(current).importCalls;
    return imports;
  };
  return {
    budgetReached(reserveMs) {
      print(`Time budget: ${secondsText(reserveMs)} left or less; no new work starts, imports in flight finish.`);
    },
    importFinished(group, error) {
      finished++;
      const where = group.targetRepository === group.repository ? '' : `${group.targetRepository}:`;
      const what = `${group.repository}@${shortDigest(group.sourceDigest)} → ${where}${group.tags.join(', ')}`;
      print(`[${finished}/${total()}] ${error === undefined ? 'imported' : 'FAILED  '} ${what}${error === undefined ? '' : `: ${error}`}`);
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

export function renderSummary(report: RunReport, print: Print): void {
  const { repositories: r, tags: t, requests } = report.totals;
  print('');
  const outcome = report.stoppedBy === 'cancelled' ? 'CANCELLED' : report.result === 'succeeded' ? 'succeeded' : report.result === 'failed' ? 'FAILED' : 'succeeded with issues';
  print(`${report.check !== undefined ? 'Check' : report.dryRun ? 'Dry run' : 'Run'} ${outcome} in ${durationText(report.durationMs)}.`);
  if (report.check !== undefined) for (const line of driftLines(report)) print(line);
  if (report.stoppedBy === 'cancelled') {
    print(`  cancelled: what finished was verified; ${counted(r.remaining, 'stillWork')}; run again to continue`);
  }
  if (report.stoppedBy === 'timeBudget') {
    print(`  stopped on its time budget (${minutesText(report.limits.timeBudgetMinutes ?? 0)}): ${counted(r.remaining, 'stillWork')}; run again to continue`);
  }
  if (report.selection.shard !== undefined) print(`  shard ${report.selection.shard.index} of ${report.selection.shard.count}`);
  print(`  repositories: ${r.scanned} scanned, ${r.selected} selected, ${r.ignored} ignored, ${r.withWork} with work, ${r.done} done, ${r.failed} failed, ${r.remaining} still with work`);
  print(
    `  tags: ${t.new} new, ${t.retagged} re-tagged, ${t.inSync} in sync, ${t.forced} forced, ${t.locked} locked, ${t.tooManyManifests > 0 ? `${t.tooManyManifests} too many manifests, ` : ''}${t.filteredOut > 0 ? `${t.filteredOut} filtered out, ` : ''}${t.imported} imported, ${t.failed} failed`,
  );
  const x = report.totals.referrers;
  if (report.selection.referrers !== 'none') {
    print(`  referrers (${report.selection.referrers}): ${x.found} found, ${x.copied} copied, ${x.present} already present, ${x.planned} ${report.dryRun ? 'to copy' : 'left'}, ${x.failed} failed`);
  }
  print(`  import calls: ${report.totals.importCalls}`);
  const only = report.totals.targetOnly;
  const onlyRepositories = only.repositories !== undefined ? `, ${counted(only.repositories, 'repositories')}` : '';
  const withOnlyTags = report.repositories.filter((r) => (r.targetOnlyTags?.length ?? 0) > 0).length;
  if (only.tags > 0 || (only.repositories ?? 0) > 0) {
    print(`  only in the target (never deleted): ${counted(only.tags, 'tags')} in ${counted(withOnlyTags, 'repositories')}${onlyRepositories}; listed in the reports`);
  }
  if (report.targetOnlyRepositoriesError !== undefined) print(`  warning: ${report.targetOnlyRepositoriesError}`);
  if (requests !== undefined) print(`  requests: ${requests.total} sent, ${requests.throttled} throttled, ${requests.retried} retried`);
  if (report.source.rateLimit !== undefined) print(`  source rate limit: ${rateLimitText(report.source.rateLimit)}`);
  for (const finding of reportFindings(report)) print(findingLine(finding, report.dryRun));
}
