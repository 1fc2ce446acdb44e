import * as tl from 'azure-pipelines-task-lib/task';
import type { RunPlan, SyncEvents } from '../../engine/events';
import type { RepositoryReport, TagReport } from '../../engine/report';
import { shortDigest } from '../../engine/reportMarkdown';

/**
 * What the pipeline log shows while a run goes: the selection, a progress percentage while
 * importing (`task.setprogress`), and one collapsible group per repository that had something
 * to do, with each tag's decision and short digests. Re-tagged and locked tags become warnings
 * and failures errors (`task.logissue`), so they reach the run's summary page.
 * Task-lib has no group helper; `##[group]` / `##[endgroup]` lines are the agent's format.
 */
function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

function tagLine(repository: string, tag: TagReport): string {
  return tl.loc('TagLine', `${repository}:${tag.tag}`, tag.decision, shortDigest(tag.sourceDigest), shortDigest(tag.targetDigest), tag.outcome);
}

function issuesOf(repository: RepositoryReport): void {
  if (repository.error !== undefined) tl.error(tl.loc('RepositoryFailed', repository.name, repository.error));
  for (const tag of repository.tags) {
    if (tag.decision === 'retagged') tl.warning(tl.loc('Retagged', repository.name, tag.tag, shortDigest(tag.targetDigest), shortDigest(tag.sourceDigest)));
    if (tag.decision === 'locked') tl.warning(tl.loc('Locked', repository.name, tag.tag, shortDigest(tag.targetDigest), shortDigest(tag.sourceDigest)));
    if (tag.outcome === 'failed') tl.error(tl.loc('TagFailed', repository.name, tag.tag, tag.error ?? ''));
  }
}

export function logRepository(repository: RepositoryReport): void {
  if (repository.status === 'inSync') return;
  write(`##[group]${tl.loc('RepositoryGroup', repository.name, repository.status)}`);
  for (const tag of repository.tags) if (tag.decision !== 'inSync') write(tagLine(repository.name, tag));
  write('##[endgroup]');
  issuesOf(repository);
}

export function logSelection(plan: RunPlan, dryRun: boolean): void {
  const { selection } = plan;
  if (dryRun) write(tl.loc('DryRunNotice'));
  write(tl.loc('Selected', String(selection.selected.length), String(selection.scanned), String(selection.ignored.length)));
  for (const ignored of selection.ignored) write(tl.loc('Ignored', ignored.name, ignored.pattern));
  const inSync = plan.repositories.filter((r) => r.plan !== undefined && r.plan.groups.length === 0 && !r.plan.decisions.some((d) => d.kind === 'locked')).length;
  write(tl.loc('RepositoryInSync', String(inSync)));
}

/** The engine's progress callbacks, rendered for the agent. */
export function taskEvents(dryRun: boolean): SyncEvents {
  let total = 0;
  let finished = 0;
  return {
    planned(plan) {
      logSelection(plan, dryRun);
      total = plan.repositories.filter((r) => !r.deferred).reduce((n, r) => n + (r.plan?.groups.length ?? 0), 0);
    },
    importFinished(group, error) {
      finished++;
      const what = `${group.repository}@${shortDigest(group.sourceDigest)}`;
      const percent = total === 0 ? 100 : Math.floor((finished * 100) / total);
      tl.setProgress(percent, tl.loc('Importing', group.repository, shortDigest(group.sourceDigest), group.tags.join(', ')));
      if (error !== undefined) tl.debug(`import of ${what} failed: ${error}`);
    },
    repositoryFinished: logRepository,
  };
}
