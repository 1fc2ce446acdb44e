import type { Clock } from './clock';
import type { PlannedRepository, SyncEvents } from './events';
import { importWithinLimit } from './importTimeout';
import type { Pacer } from './pacer';
import type { ImportGroup, RepositoryPlan } from './plan';
import { errorMessage } from './planning';
import type { Importer, RegistryReader, TagInfo } from './ports';
import { syncReferrers, type ReferrerContext, type ReferrersMode } from './referrers';
import type { ImportReport, RepositoryReport, TagReport } from './report';
import { tagReport } from './repositoryReport';
import type { TimeBudget } from './timeBudget';

export interface ExecutionPorts {
  importer: Importer;
  target: RegistryReader;
  /** Read for referrers only (`referrers` not `none`). */
  source?: RegistryReader;
}

/** What every import of a run shares: where it goes, its pacing, its limits and its listeners. */
export interface ExecutionContext {
  ports: ExecutionPorts;
  /** Paces every import of the run: max concurrency, delay between starts. */
  imports: Pacer;
  /** Paces the referrer listings of the run (both sides of a subject per slot). */
  referrerListings: Pacer;
  /**
   * Paces the referrer walks, a repository per slot: a dry run starts every repository's walk
   * at once, and 100 repositories × 1,000 digests each held a waiting listing apiece — 100,000
   * pending tasks, more memory than the plan itself.
   */
  referrerWalks: Pacer;
  events: SyncEvents;
  budget: TimeBudget;
  clock: Clock;
  importTimeoutMinutes: number;
  /** Default none. */
  referrers?: ReferrersMode;
  signal?: AbortSignal;
}

type GroupResult = { group: ImportGroup; started: false } | { group: ImportGroup; started: true; error?: string; durationMs: number };

/**
 * One import, when its turn comes in the run's pacer — unless the time budget no longer
 * lets imports start, in which case it is left for a later run without being attempted.
 */
async function runGroup(group: ImportGroup, run: ExecutionContext): Promise<GroupResult> {
  return run.imports.run(async () => {
    if (!run.budget.allowsStart()) return { group, started: false };
    run.events.importStarted?.(group);
    const started = run.clock.now();
    let error: string | undefined;
    try {
      const request = { sourceRepository: group.repository, targetRepository: group.targetRepository, sourceDigest: group.sourceDigest, targetTags: group.tags, mode: group.mode };
      await importWithinLimit(run.ports.importer, request, run.importTimeoutMinutes, run.clock, run.signal);
    } catch (e) {
      error = errorMessage(e);
      if (await landedAnyway(run.ports.target, group, run.signal)) error = undefined;
    }
    const durationMs = run.clock.now() - started;
    run.budget.importTook(durationMs);
    run.events.importFinished?.(group, error);
    return { group, started: true, error, durationMs };
  });
}

/**
 * Whether a failed import's tags all point at its digest anyway. importImage runs server-side
 * and lands whether or not its caller is still there, so the same copy can land from elsewhere:
 * a run killed (or cancelled, or timed out) just after its POST, whose import the next run
 * plans again and, with NoForce, meets as "Tag … already exists in target registry". The
 * target is then exactly what the plan wanted, and the failure says nothing about it. Read the
 * target only on failure; a read that fails keeps the failure.
 */
async function landedAnyway(target: RegistryReader, group: ImportGroup, signal?: AbortSignal): Promise<boolean> {
  const after = await readBack(target, group.targetRepository, signal);
  return !(after instanceof Error) && group.tags.every((tag) => after.get(tag)?.digest === group.sourceDigest);
}

/**
 * Checks, after the imports, that every moved tag points at the digest it was imported from.
 * An import that reported success but left a tag elsewhere (Azure/azure-cli#29974) fails here.
 */
function verifyTag(tag: string, expected: string, after: Map<string, TagInfo> | Error): string | undefined {
  if (after instanceof Error) return `could not read the target back to verify: ${after.message}`;
  const found = after.get(tag);
  if (found === undefined) return 'tag is missing in the target after the import';
  if (found.digest !== expected) return `tag points at ${found.digest} in the target after the import, expected ${expected}`;
  return undefined;
}

async function readBack(target: RegistryReader, repository: string, signal?: AbortSignal): Promise<Map<string, TagInfo> | Error> {
  try {
    const tags = await target.listTags(repository, signal);
    return new Map((tags ?? []).map((t) => [t.name, t]));
  } catch (error) {
    return new Error(errorMessage(error));
  }
}

/** One import's outcome, a literal per shape: docs/decisions/007-object-shapes-for-memory.md. */
function importReport(result: GroupResult): ImportReport {
  // The group's own list, not a copy: neither the plan nor the report changes it after
  // planning, and a drift of 100,000 tags made 100,000 copies (decision 016).
  const { sourceDigest, mode, tags } = result.group;
  if (!result.started) return { sourceDigest, mode, tags, outcome: 'deferred' };
  if (result.error === undefined) return { sourceDigest, mode, tags, outcome: 'succeeded', durationMs: result.durationMs };
  return { sourceDigest, mode, tags, outcome: 'failed', error: result.error, durationMs: result.durationMs };
}

/**
 * Runs one repository's imports through the run's pacer, then verifies what was imported.
 * Imports the time budget kept from starting are reported deferred; the repository is then
 * deferred too (unless something failed), with whatever did run imported and verified.
 */
export async function executeRepository(planned: PlannedRepository & { plan: RepositoryPlan }, run: ExecutionContext): Promise<RepositoryReport> {
  const { plan } = planned;
  const results = await Promise.all(plan.groups.map((group) => runGroup(group, run)));
  const anyStarted = results.some((r) => r.started);
  // Nothing written, nothing to verify: spare the read.
  const after = anyStarted ? await readBack(run.ports.target, plan.targetRepository, run.signal) : new Map<string, TagInfo>();

  const groupOfTag = new Map<string, GroupResult>();
  for (const result of results) for (const tag of result.group.tags) groupOfTag.set(tag, result);

  const tags: TagReport[] = plan.decisions.map((decision) => {
    const result = groupOfTag.get(decision.tag);
    // In no import: locked, or an index of too many manifests.
    if (result === undefined) return tagReport(decision, 'skipped');
    if (!result.started) return tagReport(decision, 'deferred');
    const error = result.error ?? verifyTag(decision.tag, decision.sourceDigest, after);
    return tagReport(decision, error === undefined ? 'imported' : 'failed', error);
  });
  // Referrers after every subject of the repository is in and verified: a subject first.
  const subjects = referrerSubjects(tags, run.referrers ?? 'none', plan.inSyncDigests);
  const found = await referrersOf(plan.repository, plan.targetRepository, subjects, run, false);
  const failed = tags.some((t) => t.outcome === 'failed') || found.referrers?.some((x) => x.outcome === 'failed') === true || found.referrersUnlisted !== undefined;
  const deferred = results.some((r) => !r.started) || found.referrers?.some((x) => x.outcome === 'deferred') === true;
  const report: RepositoryReport = {
    name: plan.repository,
    ...(plan.targetRepository !== plan.repository ? { targetName: plan.targetRepository } : {}),
    status: failed ? 'failed' : deferred ? 'deferred' : 'done',
    ...(!failed && deferred ? { deferredBy: run.budget.stopCause ?? 'timeBudget' } : {}),
    tagsInSync: plan.inSync,
    ...(plan.filteredOut > 0 ? { tagsFilteredOut: plan.filteredOut } : {}),
    ...(plan.targetOnlyTags.length > 0 ? { targetOnlyTags: [...plan.targetOnlyTags] } : {}),
    tags,
    imports: results.map(importReport),
    ...found,
  };
  run.events.repositoryFinished?.(report);
  return report;
}

/**
 * The digests whose referrers a repository's run looks at: those imported and verified (dry
 * run: planned), and with mode `all` those in sync too (`inSyncDigests`, kept by the plan for
 * that mode). Each once.
 */
export function referrerSubjects(tags: readonly TagReport[], mode: ReferrersMode, inSyncDigests: readonly string[] = []): string[] {
  if (mode === 'none') return [];
  const subjects = new Set<string>();
  for (const t of tags) {
    if (t.outcome === 'imported' || t.outcome === 'planned') subjects.add(t.sourceDigest);
  }
  if (mode === 'all') for (const digest of inSyncDigests) subjects.add(digest);
  return [...subjects];
}

/** The referrers of `subjects`, as report fields (absent when there are none). */
export async function referrersOf(
  repository: string,
  targetRepository: string,
  subjects: readonly string[],
  run: ExecutionContext,
  dryRun: boolean,
): Promise<Pick<RepositoryReport, 'referrers' | 'referrersUnlisted'>> {
  if (subjects.length === 0 || run.ports.source === undefined || run.referrers === undefined) return {};
  const context: ReferrerContext = {
    source: run.ports.source,
    target: run.ports.target,
    ...(dryRun ? {} : { importer: run.ports.importer }),
    imports: run.imports,
    listings: run.referrerListings,
    budget: run.budget,
    clock: run.clock,
    importTimeoutMinutes: run.importTimeoutMinutes,
    mode: run.referrers,
    ...(run.signal !== undefined ? { signal: run.signal } : {}),
  };
  // A repository's walk per slot (referrerWalks): see ExecutionContext.
  const outcomes = await run.referrerWalks.run(() => syncReferrers(repository, targetRepository, subjects, context));
  return {
    ...(outcomes.referrers.length > 0 ? { referrers: outcomes.referrers } : {}),
    ...(outcomes.unlisted.length > 0 ? { referrersUnlisted: outcomes.unlisted } : {}),
  };
}
