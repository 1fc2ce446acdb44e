import type { RunPlan, SyncEvents } from '../engine/events';
import type { TagDecisionKind } from '../engine/plan';
import type { RunReport } from '../engine/report';
import { shortDigest } from '../engine/reportMarkdown';

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
};

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

export function renderPlan(plan: RunPlan, dryRun: boolean, print: Print): void {
  const { selection } = plan;
  print(`Selected ${selection.selected.length} of ${selection.scanned} repositories${selection.ignored.length > 0 ? ` (${selection.ignored.length} ignored by pattern)` : ''}.`);
  for (const ignored of selection.ignored) print(`  ignored ${ignored.name}  (pattern ${ignored.pattern})`);

  const rows: string[][] = [['REPOSITORY', 'TAG', 'DECISION', 'SOURCE', 'TARGET', 'IMPORT']];
  let inSync = 0;
  for (const planned of plan.repositories) {
    if (planned.plan === undefined) {
      rows.push([planned.repository, '—', 'UNREADABLE', '—', '—', planned.error ?? '']);
      continue;
    }
    const moved = planned.plan.decisions.filter((d) => d.kind !== 'inSync');
    if (moved.length === 0) {
      inSync++;
      continue;
    }
    const action = planned.deferred ? 'deferred (max repositories)' : dryRun ? 'would import' : 'import';
    for (const d of moved) {
      const group = planned.plan.groups.find((g) => g.tags.includes(d.tag));
      rows.push([planned.repository, d.tag, DECISION_TEXT[d.kind], shortDigest(d.sourceDigest), shortDigest(d.targetDigest), group ? `${action} ${group.mode}` : 'never (locked)']);
    }
  }
  print('');
  if (rows.length > 1) table(rows).forEach((line) => print(line));
  else print('Nothing to import.');
  print(`${inSync} repositories already in sync.`);
  print('');
}

/** Progress lines while importing: `[done/total] repo@digest → tags`. */
export function progressEvents(plan: () => RunPlan | undefined, print: Print): SyncEvents {
  let finished = 0;
  const total = () => (plan()?.repositories ?? []).filter((r) => !r.deferred).reduce((n, r) => n + (r.plan?.groups.length ?? 0), 0);
  return {
    importFinished(group, error) {
      finished++;
      const what = `${group.repository}@${shortDigest(group.sourceDigest)} → ${group.tags.join(', ')}`;
      print(`[${finished}/${total()}] ${error === undefined ? 'imported' : 'FAILED  '} ${what}${error === undefined ? '' : `: ${error}`}`);
    },
  };
}

export function renderSummary(report: RunReport, print: Print): void {
  const { repositories: r, tags: t } = report.totals;
  print('');
  print(`${report.dryRun ? 'Dry run' : 'Run'} ${report.result === 'succeeded' ? 'succeeded' : report.result === 'failed' ? 'FAILED' : 'succeeded with issues'} in ${(report.durationMs / 1000).toFixed(1)} s.`);
  print(`  repositories: ${r.scanned} scanned, ${r.selected} selected, ${r.ignored} ignored, ${r.withWork} with work, ${r.done} done, ${r.failed} failed, ${r.remaining} still with work`);
  print(`  tags: ${t.new} new, ${t.retagged} re-tagged, ${t.inSync} in sync, ${t.forced} forced, ${t.locked} locked, ${t.imported} imported, ${t.failed} failed`);
  print(`  import calls: ${report.totals.importCalls}`);
  for (const repo of report.repositories) {
    if (repo.error !== undefined) print(`  ERROR ${repo.name}: ${repo.error}`);
    for (const tag of repo.tags) {
      if (tag.decision === 'retagged') print(`  warning: ${repo.name}:${tag.tag} was re-tagged (target had ${shortDigest(tag.targetDigest)}, source has ${shortDigest(tag.sourceDigest)})`);
      if (tag.decision === 'locked') print(`  warning: ${repo.name}:${tag.tag} is locked in the target; left at ${shortDigest(tag.targetDigest)} (source has ${shortDigest(tag.sourceDigest)})`);
      if (tag.outcome === 'failed') print(`  ERROR ${repo.name}:${tag.tag}: ${tag.error ?? 'failed'}`);
    }
  }
}
