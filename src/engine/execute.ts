import type { PlannedRepository, SyncEvents } from './events';
import type { ImportScheduler } from './importScheduler';
import type { ImportGroup, RepositoryPlan } from './plan';
import { errorMessage } from './planning';
import type { Importer, RegistryReader, TagInfo } from './ports';
import type { ImportReport, RepositoryReport, TagReport } from './report';
import { tagReport } from './repositoryReport';

export interface ExecutionPorts {
  importer: Importer;
  target: RegistryReader;
}

interface GroupResult {
  group: ImportGroup;
  error?: string;
  durationMs: number;
}

async function runGroup(group: ImportGroup, ports: ExecutionPorts, scheduler: ImportScheduler, events: SyncEvents, signal?: AbortSignal): Promise<GroupResult> {
  return scheduler.run(async () => {
    events.importStarted?.(group);
    const started = Date.now();
    let error: string | undefined;
    try {
      await ports.importer.importImage(
        { sourceRepository: group.repository, sourceDigest: group.sourceDigest, targetTags: group.tags, mode: group.mode },
        signal,
      );
    } catch (e) {
      error = errorMessage(e);
    }
    events.importFinished?.(group, error);
    return { group, error, durationMs: Date.now() - started };
  });
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

/** Runs one repository's imports through the shared scheduler, then verifies the result. */
export async function executeRepository(
  planned: PlannedRepository & { plan: RepositoryPlan },
  ports: ExecutionPorts,
  scheduler: ImportScheduler,
  events: SyncEvents,
  signal?: AbortSignal,
): Promise<RepositoryReport> {
  const { plan } = planned;
  const results = await Promise.all(plan.groups.map((group) => runGroup(group, ports, scheduler, events, signal)));
  const after = await readBack(ports.target, plan.repository, signal);

  const groupOfTag = new Map<string, GroupResult>();
  for (const result of results) for (const tag of result.group.tags) groupOfTag.set(tag, result);

  const tags: TagReport[] = plan.decisions.map((decision) => {
    const result = groupOfTag.get(decision.tag);
    if (result === undefined) return tagReport(decision, 'unchanged');
    const error = result.error ?? verifyTag(decision.tag, decision.sourceDigest, after);
    return tagReport(decision, error === undefined ? 'imported' : 'failed', error);
  });
  const imports: ImportReport[] = results.map((r) => ({
    sourceDigest: r.group.sourceDigest,
    mode: r.group.mode,
    tags: [...r.group.tags],
    outcome: r.error === undefined ? 'succeeded' : 'failed',
    ...(r.error !== undefined ? { error: r.error } : {}),
    durationMs: r.durationMs,
  }));
  const failed = tags.some((t) => t.outcome === 'failed');
  const report: RepositoryReport = { name: plan.repository, status: failed ? 'failed' : 'done', tags, imports };
  events.repositoryFinished?.(report);
  return report;
}
