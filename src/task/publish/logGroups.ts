import * as tl from 'azure-pipelines-task-lib/task';
import type { RunPlan, SyncEvents } from '../../engine/events';
import { MAX_INDEX_MANIFESTS } from '../../engine/indexSize';
import type { RepositoryReport, RunReport, TagReport } from '../../engine/report';
import { repositoryFindings, SEVERITY, type Finding, type FindingKind } from '../../reporting/findings';
import { planOverview, type PlanOverview } from '../../reporting/planOverview';
import { rateLimitText, repositoryLabel, shortDigest } from '../../reporting/texts';
import { countText } from '../counts';
import { logDebug, logError, logGroup, logGroupEnd, logLine as write, logWarning, setProgress } from '../log';

/**
 * What the pipeline log shows while a run goes: the selection, a progress percentage while
 * importing (`task.setprogress`), and one collapsible group per repository that had something
 * to do, with each tag's decision and short digests. Re-tagged and locked tags (a lock on the
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

/** The engine's progress callbacks, rendered for the agent. */
export function taskEvents(dryRun: boolean): SyncEvents {
  let total = 0;
  let finished = 0;
  return {
    planned(plan) {
      const overview = planOverview(plan);
      logSelection(plan, overview, dryRun);
      total = overview.importCalls;
    },
    budgetReached(reserveMs) {
      write(tl.loc('BudgetReached', String(Math.round(reserveMs / 1000))));
    },
    importFinished(group, error) {
      finished++;
      const what = `${group.repository}@${shortDigest(group.sourceDigest)}`;
      const percent = total === 0 ? 100 : Math.floor((finished * 100) / total);
      setProgress(percent, tl.loc('Importing', repositoryLabel(group.repository, group.targetRepository), shortDigest(group.sourceDigest), group.tags.join(', ')));
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
