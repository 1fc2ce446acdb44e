/**
 * One benchmark scenario from start to finish: generate the registries, start the emulator
 * (in this process) with the injected latency and throttling, run the real command line in a
 * child process, then count what the emulator saw, work out what an ideal run would cost, and
 * check the target against the source so that a fast wrong run cannot look good.
 * Optionally runs the per-tag strategy (skopeo sync / regsync) against the same emulator.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LIST_CONCURRENCY } from '../src/engine/syncOptions';
import { startEmulator, type Emulator, type EmulatorOptions, type LoggedRequest } from '../testkit/emulator';
import { runChild } from './child';
import { expectedOf, idealOf, importDurationOf } from './costModel';
import { countRequests, measure } from './measure';
import { retryWindows } from './retryWindows';
import { startChain } from '../testkit/emulator/requestWaves';
import type { PerTagResult, PerTagSpec } from './perTagDriver';
import { TARGET_OF, type PerTagOutcome, type ScenarioResult, type ScenarioSpec, type TagMap } from './scenario';
import type { SyncDriverResult } from './syncDriver';
import { verify } from './verify';
import { buildWorld, type World, type WorldSpec } from './world';

export function snapshot(em: Emulator, name: string): Map<string, TagMap> {
  const registry = em.registry(name);
  return new Map(registry.repositories().map((repo) => [repo, registry.tags(repo)]));
}

export async function startBenchEmulator(world: World, spec: ScenarioSpec): Promise<Emulator> {
  const options: EmulatorOptions = {
    fixture: world.fixture,
    latencyMs: spec.latencyMs,
    importRetryAfterSeconds: spec.importRetryAfterSeconds,
    // Each import runs on the emulator's clock for one Retry-After unless the spec says otherwise:
    // the SDK's poll at once after the 202 finds it running, the next one (after Retry-After)
    // done — an import takes at least Retry-After, as a real one does.
    importDurationMs: importDurationOf(spec),
    workDir: join(spec.workDir, 'emulator'),
    // 100 registries per ARM page: the registry lookup is not what is measured.
    armPageSize: 100,
    // `writes: true` is the emulator's own ARM write bucket, the one ARM_WRITE_BURST describes.
    ...(spec.armWriteThrottling ? { armThrottling: { writes: spec.armWriteBucket ?? true, reads: false } } : {}),
    ...(spec.readLimitSku !== undefined ? { registryThrottling: { default: 'sku' as const } } : {}),
  };
  const em = await startEmulator(options);
  for (const fault of spec.faults ?? []) em.addFault(fault);
  return em;
}

export function worldSpecOf(spec: Pick<ScenarioSpec, 'scenario' | 'repositories' | 'tagsPerRepository' | 'readLimitSku' | 'sourceBy'>): WorldSpec {
  return {
    repositories: spec.repositories,
    ...(spec.tagsPerRepository !== undefined ? { tagsPerRepository: spec.tagsPerRepository } : {}),
    target: TARGET_OF[spec.scenario],
    ...(spec.readLimitSku !== undefined ? { sourceSku: spec.readLimitSku, targetSku: spec.readLimitSku } : {}),
    ...(spec.sourceBy === 'address' ? { sourceAnonymousPull: true } : {}),
  };
}

/**
 * How the command line names the source: an ACR by name (found through ARM, read with the
 * Azure sign-in), or the same registry by its address, read anonymously as any OCI registry —
 * the same data either way, so only the way of reading it differs.
 */
function sourceArguments(world: World, em: Emulator, sourceBy: ScenarioSpec['sourceBy']): string[] {
  if (sourceBy === 'address') return ['--source-registry-uri', em.registry(world.source).loginServer, '--target-subscription-id', world.subscriptionId];
  return ['--source-registry-name', world.source, '--source-subscription-id', world.subscriptionId];
}

/** Whether a run plans only (`--dry-run`): the 'plan' scenario, or any run that asks for it. */
export const isDryRun = (spec: Pick<ScenarioSpec, 'scenario' | 'dryRun'>): boolean => spec.scenario === 'plan' || spec.dryRun === true;

/** Where the sync writes its JSON report when the spec asks for one (`--report-json`). */
export const reportJsonFile = (workDir: string): string => join(workDir, 'report.json');

export function cliArguments(
  world: World,
  em: Emulator,
  spec: Pick<ScenarioSpec, 'scenario' | 'dryRun' | 'importConcurrency' | 'toolFlags' | 'caVia' | 'sourceBy'>,
  reportJson?: string,
): string[] {
  return [
    ...sourceArguments(world, em, spec.sourceBy),
    '--target-registry-name', world.target,
    '--arm-endpoint', em.armEndpoint,
    '--authority-host', em.authorityHost,
    '--registry-domain', em.registryDomain,
    '--acr-audience', em.acrAudience,
    ...(spec.caVia === 'flag' ? ['--ca-file', em.caFile] : []),
    '--max-concurrency', String(spec.importConcurrency),
    ...(isDryRun(spec) ? ['--dry-run'] : []),
    ...(reportJson !== undefined ? ['--report-json', reportJson] : []),
    ...(spec.toolFlags ?? []),
  ];
}

export async function runScenario(spec: ScenarioSpec): Promise<ScenarioResult> {
  const log = spec.log ?? (() => undefined);
  const dryRun = isDryRun(spec);
  const shape = spec.tagsPerRepository !== undefined ? `${spec.repositories} × ${spec.tagsPerRepository}` : String(spec.repositories);
  mkdirSync(spec.workDir, { recursive: true });
  const setupStarted = Date.now();
  const world = buildWorld(worldSpecOf(spec));
  const em = await startBenchEmulator(world, spec);
  try {
    const sourceBefore = snapshot(em, world.source);
    const targetBefore = snapshot(em, world.target);
    const sourceRegistry = em.registry(world.source);
    const targetRegistry = em.registry(world.target);
    const expected = expectedOf(
      sourceBefore,
      targetBefore,
      dryRun,
      (repository) => sourceRegistry.manifestMediaTypes(repository),
      (repository) => targetRegistry.manifestMediaTypes(repository).size,
    );
    const setupMs = Date.now() - setupStarted;
    log(`  ${spec.scenario}${dryRun && spec.scenario !== 'plan' ? ' (dry run)' : ''} ${shape}: emulator ready in ${(setupMs / 1000).toFixed(1)} s (${expected.sourceTags} source tags, ${expected.groups} imports expected); syncing…`);

    const outputFile = join(spec.workDir, `${spec.scenario}-${spec.repositories}.out.txt`);
    const syncOnce = async (): Promise<SyncRun> => {
      em.log.clear();
      // A report left by an earlier run in the same folder must not pass for this one's.
      if (spec.reportJson === true) rmSync(reportJsonFile(spec.workDir), { force: true });
      const child = await runChild<SyncDriverResult>(
        'syncDriver.js',
        [outputFile, '--', ...cliArguments(world, em, spec, spec.reportJson === true ? reportJsonFile(spec.workDir) : undefined)],
        {
          AZURE_TENANT_ID: world.tenantId,
          AZURE_CLIENT_ID: world.clientId,
          AZURE_CLIENT_SECRET: world.clientSecret,
          ...(spec.caVia === 'flag' ? {} : { NODE_EXTRA_CA_CERTS: em.caFile }),
          // Diagnosis switches of the sync driver, passed through.
          ...(process.env['BENCH_HEAP_PROFILE'] ? { BENCH_HEAP_PROFILE: process.env['BENCH_HEAP_PROFILE'] } : {}),
          ...(process.env['BENCH_HEAP_SNAPSHOT'] ? { BENCH_HEAP_SNAPSHOT: process.env['BENCH_HEAP_SNAPSHOT'] } : {}),
          ...(process.env['BENCH_HEAP_GARBAGE'] ? { BENCH_HEAP_GARBAGE: process.env['BENCH_HEAP_GARBAGE'] } : {}),
        },
        spec.nodeFlags ?? [],
      );
      if (child.result === undefined) throw new Error(`the sync driver ended ${child.code} without a result:\n${child.stderr.slice(0, 4000)}`);
      return { result: child.result, wallMs: child.wallMs, entries: em.log.entries(), emulatorCounts: em.log.countsByRoute() };
    };
    // A no-op leaves both registries as they were, so it can run again on the same data: a
    // sub-second row runs `repeats` times (each a new process, cold as the first) and its median
    // run stands for it, since one run of half a second varies by more than the margins it is held to.
    const attempts = spec.scenario === 'noop' && (spec.repeats ?? 1) > 1 ? (spec.repeats ?? 1) : 1;
    const runs: SyncRun[] = [];
    for (let attempt = 0; attempt < attempts; attempt++) runs.push(await syncOnce());
    const chosen = medianRun(runs);
    const { entries, emulatorCounts } = chosen;
    const counts = countRequests(entries);
    const measured = measure(counts, world);
    // Every repeat must have succeeded, not only the one that stands for the row.
    const exitCode = runs.find((run) => run.result.exitCode !== 0)?.result.exitCode ?? chosen.result.exitCode;
    const verification = verify(spec.scenario, dryRun, exitCode, sourceBefore, targetBefore, snapshot(em, world.target), snapshot(em, world.source), measured, expected);
    const reportJsonBytes = spec.reportJson === true ? reportSize(reportJsonFile(spec.workDir)) : undefined;
    if (reportJsonBytes === 0) {
      verification.problems.push('the JSON report (--report-json) was not written');
      verification.ok = false;
    }
    if (!verification.ok) log(`    verification FAILED: ${verification.problems.slice(0, 5).join('; ')} (output: ${outputFile})`);
    const shown: ScenarioResult['spec'] = { ...spec };
    delete (shown as Partial<ScenarioSpec>).log;
    delete (shown as Partial<ScenarioSpec>).workDir;
    const result: ScenarioResult = {
      spec: shown,
      generator: world.generator,
      expected,
      measured,
      ideal: idealOf(spec, measured, expected, dryRun),
      sync: chosen.result,
      syncWallMs: chosen.wallMs,
      verification,
      emulatorCounts,
      generatorImportsNeeded: world.importsNeeded,
      setupMs,
      importSet: importSetOf(entries),
      ...(reportJsonBytes !== undefined ? { reportJsonBytes } : {}),
      sourceHeads: sourceHeadsOf(entries, world.source),
      ...startAndRetries(entries, spec),
      ...(runs.length > 1 ? { repeatedRunMs: runs.map((run) => run.result.runMs) } : {}),
    };
    if (spec.perTag !== undefined) {
      log(`  per-tag ${spec.repositories}${spec.perTag.limit ? ` (first ${spec.perTag.limit})` : ''}: running…`);
      result.perTag = await runPerTag(em, world, spec);
    }
    return result;
  } finally {
    await em.stop();
  }
}

/** The size of the report the sync wrote, bytes (0 when it wrote none). */
function reportSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** The accepted importImage calls as one fingerprint: what was imported, not how the source was named. */
export function importSetOf(entries: readonly LoggedRequest[]): NonNullable<ScenarioResult['importSet']> {
  const lines = entries
    .filter((e) => e.route === 'arm.importImage' && e.status === 202)
    .map((e) => {
      const body = e.body as { mode?: string; source?: { sourceImage?: string }; targetTags?: string[]; untaggedTargetRepositories?: string[] };
      return `${body.mode ?? ''} ${body.source?.sourceImage ?? ''} → ${[...(body.targetTags ?? body.untaggedTargetRepositories ?? [])].sort().join(',')}`;
    })
    .sort();
  return { count: lines.length, fingerprint: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

/** The start's round trips; in runs that throttle, each 429's retry against its Retry-After. */
function startAndRetries(entries: readonly LoggedRequest[], spec: ScenarioSpec): Pick<ScenarioResult, 'startRoundTrips' | 'startAuthorityDiscovery' | 'retryWindows'> {
  const { roundTrips, authorityDiscovery } = startChain(entries);
  const throttles = spec.armWriteThrottling || spec.readLimitSku !== undefined;
  return {
    ...(roundTrips !== undefined ? { startRoundTrips: roundTrips, startAuthorityDiscovery: authorityDiscovery } : {}),
    ...(throttles ? { retryWindows: retryWindows(entries) } : {}),
  };
}

/** The source's manifest HEADs (the per-tag digest reads of a source read by address). */
function sourceHeadsOf(entries: readonly LoggedRequest[], source: string): NonNullable<ScenarioResult['sourceHeads']> {
  const heads = entries.filter((e) => e.service === `acr:${source}` && e.route === 'acr.manifest' && e.method === 'HEAD');
  return { total: heads.length, ok: heads.filter((e) => e.status === 200).length };
}

async function runPerTag(em: Emulator, world: World, spec: ScenarioSpec): Promise<PerTagOutcome> {
  em.log.clear();
  const perTagSpec: PerTagSpec = {
    sourceLoginServer: em.registry(world.source).loginServer,
    targetLoginServer: em.registry(world.target).loginServer,
    authorityHost: em.authorityHost,
    armEndpoint: em.armEndpoint,
    acrAudience: em.acrAudience,
    caFile: em.caFile,
    tenantId: world.tenantId,
    clientId: world.clientId,
    clientSecret: world.clientSecret,
    repositoryConcurrency: DEFAULT_LIST_CONCURRENCY,
    requestConcurrency: 2 * DEFAULT_LIST_CONCURRENCY,
    ...(spec.perTag?.limit ? { limit: spec.perTag.limit } : {}),
  };
  const child = await runChild<PerTagResult>('perTagDriver.js', [JSON.stringify(perTagSpec)], {});
  if (child.result === undefined) throw new Error(`the per-tag driver ended ${child.code} without a result:\n${child.stderr.slice(0, 4000)}`);
  const counts = countRequests(em.log.entries());
  const measured = measure(counts, world);
  return {
    result: child.result,
    counts,
    totalRequests: measured.totalRequests,
    manifestRequests: measured.perTagRequests,
    tokenRequests: measured.sourceTokens + measured.targetTokens,
    listing: measured.listing,
    idealMs: (measured.totalRequests * spec.latencyMs) / perTagSpec.requestConcurrency,
    repositories: child.result.repositories,
  };
}

/** One run of the sync driver and what the emulator saw of it. */
interface SyncRun {
  result: SyncDriverResult;
  wallMs: number;
  entries: readonly LoggedRequest[];
  emulatorCounts: Record<string, number>;
}

/** The run with the median time (of an even count, the faster of the middle two). */
export function medianRun<T extends { result: { runMs: number } }>(runs: readonly T[]): T {
  if (runs.length === 0) throw new Error('no run to take the median of');
  const sorted = [...runs].sort((a, b) => a.result.runMs - b.result.runMs);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
