/**
 * The plan as the command line prints it, in a layout that fits a screen: a row per tag when
 * the plan is small, a row of counts per repository when it is large (a first sync of 10,000
 * repositories × 20 tags would otherwise print 200,000 rows before its first import), or the
 * counts alone. Whatever the layout, tags a person must look at (re-tagged: the target's tag
 * is moved; locked or an index of too many manifests: never copied) are named one a line. The
 * JSON and Markdown reports always hold the whole plan, a row per tag.
 */
import type { PlannedRepository, RunPlan } from '../engine/events';
import { MAX_INDEX_MANIFESTS } from '../engine/indexSize';
import type { ImportGroup, RepositoryPlan, TagDecision, TagDecisionKind } from '../engine/plan';
import type { DeferralReason } from '../engine/report';
import type { PlanLayout } from '../options/parse';
import { COUNT_PHRASES, counted } from '../reporting/counts';
import { isInSync, planOverview } from '../reporting/planOverview';
import { repositoryLabel, shortDigest } from '../reporting/texts';
import { countPlan, hasWork, isUnreadable, type PlanCounts } from './planCounts';
import type { Print } from './render';
import { tableLines, textTable } from './textTable';

/** `auto` prints a row per tag up to this many rows, else a row per repository. */
export const MAX_TAG_ROWS = 50;
/** `auto` prints at most this many repositories; `--plan repositories` prints them all. */
export const MAX_REPOSITORY_ROWS = 50;
/** Repositories named in the "tag filters left out" line; the reports name them all. */
const MAX_FILTERED_NAMES = 10;

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

/** Tags that need a person: the target's tag is moved, or the tag is never copied. */
const NEEDS_A_PERSON: ReadonlySet<TagDecisionKind> = new Set<TagDecisionKind>(['retagged', 'locked', 'tooManyManifests']);

const TAG_HEADER = ['REPOSITORY', 'TAG', 'DECISION', 'SOURCE', 'TARGET', 'IMPORT'];

/**
 * Which import carries each tag of a repository, built once per repository: looking a tag up in
 * every group's tags instead would be quadratic in a repository of thousands of new tags.
 */
function importOfTag(plan: RepositoryPlan): Map<string, ImportGroup> {
  const byTag = new Map<string, ImportGroup>();
  for (const group of plan.groups) for (const tag of group.tags) if (!byTag.has(tag)) byTag.set(tag, group);
  return byTag;
}

/** What the repository's imports do in this run: run, would run (dry run), or wait for a later run. */
function importAction(planned: PlannedRepository, dryRun: boolean): string {
  return planned.deferredBy !== undefined ? `deferred (${DEFERRED_TEXT[planned.deferredBy]})` : dryRun ? 'would import' : 'import';
}

/** What happens to a moved tag: its import (in this or a later run), or why there is none. */
function actionOf(planned: PlannedRepository, decision: TagDecision, group: ImportGroup | undefined, dryRun: boolean): string {
  if (group !== undefined) return `${importAction(planned, dryRun)} ${group.mode}`;
  if (decision.kind === 'tooManyManifests') return `never (index of ${decision.manifestCount ?? '?'} manifests; importImage accepts at most ${MAX_INDEX_MANIFESTS})`;
  return `never (locked ${decision.lockedBy ?? 'tag'})`;
}

function unreadableTagRow(planned: PlannedRepository): string[] {
  return [planned.repository, '—', 'UNREADABLE', '—', '—', planned.error ?? ''];
}

/**
 * The header, then the rows per tag of the repositories with work (those `keep` takes) and a row
 * per unreadable repository, made as they are asked for (tableLines makes them twice).
 */
function* tagRows(plan: RunPlan, dryRun: boolean, keep: (d: TagDecision) => boolean, withUnreadable: boolean): Generator<string[]> {
  yield TAG_HEADER;
  for (const planned of plan.repositories) {
    if (isUnreadable(planned)) {
      if (withUnreadable) yield unreadableTagRow(planned);
      continue;
    }
    if (planned.plan === undefined || isInSync(planned)) continue;
    const label = repositoryLabel(planned.repository, planned.plan.targetRepository);
    let importOf: Map<string, ImportGroup> | undefined;
    for (const d of planned.plan.decisions) {
      if (d.kind === 'inSync' || !keep(d)) continue;
      importOf ??= importOfTag(planned.plan);
      yield [label, d.tag, DECISION_TEXT[d.kind], shortDigest(d.sourceDigest), shortDigest(d.targetDigest), actionOf(planned, d, importOf.get(d.tag), dryRun)];
    }
  }
}

/** Whether a table's rows (header first) hold any row past the header. */
function hasRows(table: Iterator<string[]>): boolean {
  table.next();
  return table.next().done !== true;
}

/** A repository's row of counts; FORCED and TOO MANY MANIFESTS only when the plan has any. */
function repositoryTable(plan: RunPlan, counts: PlanCounts, dryRun: boolean, limit: number): { lines: string[]; left: number } {
  const forced = counts.tags.forced > 0;
  const tooMany = counts.tags.tooManyManifests > 0;
  const header = ['REPOSITORY', 'NEW', 'RE-TAGGED', ...(forced ? ['FORCED'] : []), 'IN SYNC', 'LOCKED', ...(tooMany ? ['TOO MANY MANIFESTS'] : []), 'FILTERED', 'IMPORTS', 'STATUS'];
  const rows: string[][] = [header];
  let left = 0;
  for (const planned of plan.repositories) {
    if (!isUnreadable(planned) && !hasWork(planned)) continue;
    if (rows.length > limit) {
      left++;
      continue;
    }
    if (planned.plan === undefined) {
      rows.push([planned.repository, ...header.slice(1, -1).map(() => '—'), `UNREADABLE: ${planned.error ?? ''}`]);
      continue;
    }
    const by: Record<TagDecisionKind, number> = { new: 0, retagged: 0, inSync: 0, forced: 0, locked: 0, tooManyManifests: 0 };
    for (const d of planned.plan.decisions) by[d.kind]++;
    const status = planned.plan.groups.length > 0 ? importAction(planned, dryRun) : 'nothing to import';
    rows.push([
      repositoryLabel(planned.repository, planned.plan.targetRepository),
      String(by.new),
      String(by.retagged),
      ...(forced ? [String(by.forced)] : []),
      String(planned.plan.inSync),
      String(by.locked),
      ...(tooMany ? [String(by.tooManyManifests)] : []),
      String(planned.plan.filteredOut),
      String(planned.plan.groups.length),
      status,
    ]);
  }
  const numbers = new Set(header.map((_, i) => i).filter((i) => i > 0 && i < header.length - 1));
  return { lines: textTable(rows, numbers), left };
}

/** One line of what the plan holds, whatever the layout. */
function countsLine(counts: PlanCounts): string {
  const { tags: t } = counts;
  // Forced, too many manifests and filtered out only when there are any, as in the summary's tags line.
  const parts = [
    `${t.new} new`,
    `${t.retagged} re-tagged`,
    ...(t.forced > 0 ? [`${t.forced} forced`] : []),
    `${t.locked} locked`,
    ...(t.tooManyManifests > 0 ? [`${t.tooManyManifests} too many manifests`] : []),
    `${t.inSync} in sync`,
    ...(counts.filteredOut > 0 ? [`${counts.filteredOut} filtered out`] : []),
  ];
  const also = [
    ...(counts.deferred > 0 ? [`${counted(counts.deferred, 'repositories')} left for a later run`] : []),
    ...(counts.unreadable > 0 ? [`${counted(counts.unreadable, 'repositories')} could not be read`] : []),
  ];
  return `Plan: ${counted(counts.withWork, 'haveWork')}: tags ${parts.join(', ')}; ${counted(counts.importCalls, 'importCalls')}${also.map((a) => `; ${a}`).join('')}.`;
}

/** The layout a choice comes to for this plan. */
export function layoutFor(layout: PlanLayout, counts: PlanCounts): Exclude<PlanLayout, 'auto'> {
  if (layout !== 'auto') return layout;
  return counts.tagRows <= MAX_TAG_ROWS ? 'tags' : 'repositories';
}

export function renderPlan(plan: RunPlan, dryRun: boolean, print: Print, layout: PlanLayout = 'auto'): void {
  const { selection } = plan;
  print(`Selected ${selection.selected.length} of ${counted(selection.scanned, 'repositories')}${selection.ignored.length > 0 ? ` (${selection.ignored.length} ignored by pattern)` : ''}.`);
  if (selection.shard !== undefined) {
    const { index, count, selectedInAllShards } = selection.shard;
    print(`Shard ${index} of ${count}: ${selection.selected.length} of the ${counted(selectedInAllShards, 'repositories')} all shards select.`);
  }
  const counts = countPlan(plan);
  const chosen = layoutFor(layout, counts);
  // Repositories ignored by pattern are named in the row-per-tag layout; the others count them (the reports name them).
  if (chosen === 'tags') for (const ignored of selection.ignored) print(`  ignored ${ignored.name}  (pattern ${ignored.pattern})`);

  print('');
  const filtered = plan.repositories.filter((p) => (p.plan?.filteredOut ?? 0) > 0);
  if (filtered.length > 0) {
    const names = filtered.slice(0, MAX_FILTERED_NAMES).map((p) => `${p.repository} ${p.plan?.filteredOut ?? 0}`);
    const more = filtered.length > MAX_FILTERED_NAMES ? ` and ${filtered.length - MAX_FILTERED_NAMES} more` : '';
    print(`Tag filters left out ${counted(counts.filteredOut, 'tags')} in ${counted(filtered.length, 'repositories')}: ${names.join(', ')}${more}.`);
  }
  if (counts.tagRows === 0) print('Nothing to import.');
  else {
    if (chosen === 'tags') for (const line of tableLines(() => tagRows(plan, dryRun, () => true, true))) print(line);
    if (chosen === 'repositories') {
      const { lines, left } = repositoryTable(plan, counts, dryRun, layout === 'auto' ? MAX_REPOSITORY_ROWS : Infinity);
      lines.forEach((line) => print(line));
      const [one, other] = COUNT_PHRASES.repositories;
      if (left > 0) print(`… and ${left} more ${left === 1 ? one : other} with work (--plan repositories lists them all; the JSON and Markdown reports list every tag).`);
    }
    print(countsLine(counts));
    if (chosen !== 'tags') {
      // Named whatever the layout: each needs a person. Without a table, unreadable repositories are named here too.
      const named = (): Generator<string[]> => tagRows(plan, dryRun, (d) => NEEDS_A_PERSON.has(d.kind), chosen === 'none');
      if (hasRows(named())) {
        print('Needs a person:');
        for (const line of tableLines(named)) print(`  ${line}`);
      }
    }
  }
  const { inSync, notListed } = planOverview(plan);
  print(`${counted(inSync, 'repositories')} already in sync.`);
  if (notListed > 0) print(`${counted(notListed, 'notListed')}: the time budget ran out while planning (deferred to the next run).`);
  print('');
}
