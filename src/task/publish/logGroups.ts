import * as tl from 'azure-pipelines-task-lib/task';
import { systemClock, type Clock } from '../../engine/clock';
import type { PlannedRepository, RunPlan, SyncEvents } from '../../engine/events';
import { MAX_INDEX_MANIFESTS } from '../../engine/indexSize';
import type { RepositoryReport, RunReport, TagReport } from '../../engine/report';
import { repositoryFindings, SEVERITY, type Finding, type FindingKind } from '../../reporting/findings';
import { planOverview, type PlanOverview } from '../../reporting/planOverview';
import { rateLimitText, repositoryLabel, shortDigest } from '../../reporting/texts';
import { countText } from '../counts';
import { logDebug, logError, logGroup, logGroupEnd, logLine as write, logWarning, setProgress } from '../log';

/**
 * What the pipeline log shows while a run goes: the selection, a progress percentage
 * (`task.setprogress`) through listing (its first fifth) and importing (the rest), a line every
 * LOG_EVERY_REPOSITORIES repositories or LOG_EVERY_MS while listing, and one collapsible group
 * per repository that had something to do, with each tag's decision and short digests. Re-tagged and locked tags (a lock on the
 * tag, its repository or a manifest) become warnings and failures errors (`task.logissue`), so
 * they reach the run's summary page. Every line goes out through ../log, which keeps
 * registry-supplied names from becoming agent commands.
 */

function tagLine(repository: string, tag: TagReport): string {
  return tl.loc('TagLine', `${repository}:${tag.tag}`, tag.decision, shortDigest(tag.sourceDigest), shortDigest(tag.targetDigest), tag.outcome);
}

/** The localised wording of each finding (task.json `messages`); a dry run says what would happen. */
const FINDING_TEXT: { [K in FindingKind]: (f: Extract<Finding, { kind: K }>, dryRun: boolean) => string } = {
  repositoryFailed: (f) => tl.loc('RepositoryFailed', f.repository, f.error),
  retagged: (f) => tl.loc('Retagged', f.repository, f.tag, shortDigest(f.targetDigest), shortDigest(f.sourceDigest)),
  locked: (f, dryRun) => {
    const [target, source] = [shortDigest(f.targetDigest), shortDigest(f.sourceDigest)];
    if (f.lockedBy === 'repository') return tl.loc(dryRun ? 'Locked_Repository_DryRun' : 'Locked_Repository', f.repository, f.tag, target, source);
    if (f.lockedBy === 'manifest') return tl.loc(dryRun ? 'Locked_Manifest_DryRun' : 'Locked_Manifest', f.repository, f.tag, shortDigest(f.lockedManifest), target, source);
    return tl.loc(dryRun ? 'Locked_DryRun' : 'Locked', f.repository, f.tag, target, source);
  },
  tooManyManifests: (f, dryRun) => tl.loc(dryRun ? 'TooManyManifests_DryRun' : 'TooManyManifests', f.repository, f.tag, String(f.manifestCount ?? '?'), String(MAX_INDEX_MANIFESTS)),
  tagFailed: (f) => tl.loc('TagFailed', f.repository, f.tag, f.error ?? ''),
  referrerFailed: (f) =>
    f.digest !== undefined ? tl.loc('ReferrerFailed', f.repository, shortDigest(f.digest), shortDigest(f.subject), f.error) : tl.loc('ReferrersUnlisted', f.repository, shortDigest(f.subject), f.error),
};

function raise<F extends Finding>(finding: F, dryRun: boolean): void {
  const text = (FINDING_TEXT[finding.kind] as (f: F, dryRun: boolean) => string)(finding, dryRun);
  if (SEVERITY[finding.kind] === 'error') logError(text);
  else logWarning(text);
}

function logRepository(repository: RepositoryReport, dryRun: boolean): void {
  if (repository.status === 'inSync') return;
  // Not listed before the time budget ran out: nothing to show but its name; counted once instead.
  if (repository.status === 'deferred' && repository.tags.length === 0) return;
  logGroup(tl.loc('RepositoryGroup', repositoryLabel(repository.name, repository.targetName), repository.status));
  for (const tag of repository.tags) if (tag.decision !== 'inSync') write(tagLine(repository.name, tag));
  logGroupEnd();
  for (const finding of repositoryFindings(repository)) raise(finding, dryRun);
}

function logSelection(plan: RunPlan, overview: PlanOverview, dryRun: boolean): void {
  const { selection } = plan;
  if (dryRun) write(tl.loc('DryRunNotice'));
  write(tl.loc('Selected', String(selection.selected.length), countText(selection.scanned, 'repositories'), String(selection.ignored.length)));
  if (selection.shard !== undefined) {
    const { index, count, selectedInAllShards } = selection.shard;
    write(tl.loc('Shard', String(index), String(count), String(selection.selected.length), countText(selectedInAllShards, 'repositories')));
  }
  for (const ignored of selection.ignored) write(tl.loc('Ignored', ignored.name, ignored.pattern));
  const { inSync, notListed } = overview;
  write(tl.loc('RepositoryInSync', countText(inSync, 'repositories')));
  if (notListed > 0) write(tl.loc('NotListed', countText(notListed, 'notListed')));
}

/** Listing logs a line at least every this many repositories, and at most LOG_EVERY_MS apart otherwise. */
export const LOG_EVERY_REPOSITORIES = 1_000;
export const LOG_EVERY_MS = 10_000;
/**
 * The share of the progress bar listing takes: a large registry spends minutes listing before
 * its first import. A dry run imports nothing, so there listing is all of it.
 */
const LISTING_SHARE = 20;

/** The engine's progress callbacks, rendered for the agent. */
export function taskEvents(dryRun: boolean, clock: Clock = systemClock): SyncEvents {
  let total = 0;
  let finished = 0;
  const listingShare = dryRun ? 100 : LISTING_SHARE;
  let percent = -1;
  let lastLog = clock.now();
  let withWork = 0;
  /** Sets the progress only when its value moves: 10,000 repositories need not send 10,000 commands. */
  const progress = (value: number, text: () => string): void => {
    if (value === percent) return;
    percent = value;
    setProgress(value, text());
  };
  return {
    catalogProgress(scanned) {
      if (clock.now() - lastLog < LOG_EVERY_MS) return;
      lastLog = clock.now();
      write(tl.loc('CatalogProgress', countText(scanned, 'repositories')));
    },
    planningStarted(selection) {
      const listing = (): string => tl.loc('ListingProgress', '0', countText(selection.selected.length, 'repositories'), '0');
      lastLog = clock.now();
      write(listing());
      progress(0, listing);
    },
    repositoryPlanned(done: number, of: number, planned: PlannedRepository) {
      if ((planned.plan?.groups.length ?? 0) > 0) withWork++;
      const listing = (): string => tl.loc('ListingProgress', String(done), countText(of, 'repositories'), String(withWork));
      progress(Math.floor((done * listingShare) / of), listing);
      if (done !== of && done % LOG_EVERY_REPOSITORIES !== 0 && clock.now() - lastLog < LOG_EVERY_MS) return;
      lastLog = clock.now();
      write(listing());
    },
    planned(plan) {
      const overview = planOverview(plan);
      logSelection(plan, overview, dryRun);
      total = overview.importCalls;
      // Nothing to import: no work is left once listed.
      const selected = plan.selection.selected.length;
      if (total === 0) progress(100, () => tl.loc('ListingProgress', String(selected), countText(selected, 'repositories'), String(withWork)));
    },
    budgetReached(reserveMs) {
      write(tl.loc('BudgetReached', String(Math.round(reserveMs / 1000))));
    },
    importFinished(group, error) {
      finished++;
      const what = `${group.repository}@${shortDigest(group.sourceDigest)}`;
      const share = 100 - listingShare;
      const value = total === 0 ? 100 : listingShare + Math.floor((finished * share) / total);
      // Every import says which one finished (the log's record), even when the value stays.
      percent = value;
      setProgress(value, tl.loc('Importing', repositoryLabel(group.repository, group.targetRepository), shortDigest(group.sourceDigest), group.tags.join(', ')));
      if (error !== undefined) logDebug(`import of ${what} failed: ${error}`);
    },
    repositoryFinished: (repository) => logRepository(repository, dryRun),
  };
}

/** After the run: what exists only in the target (listed in the summary and the JSON report; never deleted). */
export function logTargetOnly(report: RunReport): void {
  const only = report.totals.targetOnly;
  if (report.targetOnlyRepositoriesError !== undefined) logWarning(report.targetOnlyRepositoriesError);
  if (only.tags === 0 && (only.repositories ?? 0) === 0) return;
  const withTags = report.repositories.filter((r) => (r.targetOnlyTags?.length ?? 0) > 0).length;
  write(tl.loc('TargetOnly', countText(only.tags, 'tags'), countText(withTags, 'repositories'), countText(only.repositories ?? 0, 'repositories')));
}

/** After the run: the referrers (signatures, SBOMs) found and copied, unless the run copies none. */
export function logReferrers(report: RunReport): void {
  if (report.selection.referrers === 'none') return;
  const x = report.totals.referrers;
  write(tl.loc(report.dryRun ? 'Referrers_DryRun' : 'Referrers', report.selection.referrers, String(x.found), String(x.copied), String(x.present), String(x.planned), String(x.failed)));
}

/** After the run: how many HTTP requests it took and how many were throttled, when counted. */
export function logRequests(report: RunReport): void {
  const requests = report.totals.requests;
  if (requests === undefined) return;
  write(tl.loc('Requests', String(requests.total), String(requests.throttled), String(requests.retried)));
  if (report.source.rateLimit !== undefined) write(tl.loc('SourceRateLimit', rateLimitText(report.source.rateLimit)));
}
