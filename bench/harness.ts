/**
 * One benchmark scenario from start to finish: generate the registries, start the emulator
 * (in this process) with the injected latency and throttling, run the real command line in a
 * child process, then count what the emulator saw, work out what an ideal run would cost, and
 * check the target against the source so that a fast wrong run cannot look good.
 * Optionally runs the per-tag strategy (skopeo sync / regsync) against the same emulator.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { INDEX_MEDIA_TYPES } from '../src/azure/dataplane/acrClient';
import { MAX_HELD_ACCESS_TOKENS, MAX_SCOPES_PER_TOKEN_REQUEST } from '../src/azure/dataplane/acrTokens';
import { MAX_DIGESTS_COUNTED_WITHOUT_LISTING } from '../src/engine/indexSize';
import { DEFAULT_LIST_CONCURRENCY } from '../src/engine/syncOptions';
import { startEmulator, type Emulator, type EmulatorOptions, type LoggedRequest } from '../testkit/emulator';
import type { TargetKind } from '../testkit/emulator/generate';
import { ARM_READ_BUCKET, ARM_WRITE_BUCKET } from '../testkit/emulator/throttling';
import { runChild } from './child';
import type { PerTagResult, PerTagSpec } from './perTagDriver';
import type { SyncDriverResult } from './syncDriver';
import { buildWorld, type Sku, type World, type WorldSpec } from './world';

export type ScenarioName = 'noop' | 'full' | 'drift' | 'plan' | 'pacing' | 'readlimit';

export const TARGET_OF: Record<ScenarioName, TargetKind> = {
  noop: 'identical',
  full: 'empty',
  drift: 'drifted',
  plan: 'empty',
  pacing: 'empty',
  readlimit: 'identical',
};

/** ARM's subscription write bucket as the emulator plays it (burst, refill per second). */
export const ARM_WRITE_BURST = ARM_WRITE_BUCKET.capacity;
export const ARM_WRITE_REFILL_PER_SECOND = ARM_WRITE_BUCKET.refillPerSecond;

export interface ScenarioSpec {
  scenario: ScenarioName;
  repositories: number;
  latencyMs: number;
  /** `--max-concurrency` of the command line (imports in flight). */
  importConcurrency: number;
  /** Retry-After of the emulator's import 202s, seconds (the SDK poller waits exactly that). */
  importRetryAfterSeconds: number;
  /** Polls answered "running" before an import is done (default 1: every import waits Retry-After once). */
  importPollsBeforeDone?: number;
  /** The emulator's ARM write bucket (200 burst, +10/s) on. */
  armWriteThrottling: boolean;
  /** The emulator's per-registry data-plane read limit by SKU, with both registries of this SKU. */
  readLimitSku?: Sku;
  /** Extra command-line flags (e.g. the tool's read cap). */
  toolFlags?: readonly string[];
  /** Run the per-tag strategy on the same emulator after the sync (noop only): repositories to cover (all when 0). */
  perTag?: { limit?: number };
  workDir: string;
  /**
   * How the sync child trusts the emulator's CA: 'env' = NODE_EXTRA_CA_CERTS (what a machine
   * talking to Azure has: no per-client CA), 'flag' = `--ca-file` (a TLS-inspecting proxy's CA).
   * Default 'env'.
   */
  caVia?: 'env' | 'flag';
  /** Node flags for the sync child (e.g. --cpu-prof). */
  nodeFlags?: readonly string[];
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Requests the emulator answered, per service and route, by status. */
export type RequestCounts = Record<string, Record<string, Record<string, number>>>;

export interface Expected {
  repositories: number;
  sourceTags: number;
  /** Source tags missing in the target or pointing elsewhere. */
  tagsToMove: number;
  /** Distinct (repository, digest) pairs to move. */
  pairs: number;
  /** Distinct (repository, digest, mode) — what the planner may merge into one call at most (NoForce and Force cannot share one). */
  groups: number;
  reposWithWork: number;
  catalogPages: number;
  sourceTagPages: number;
  /** Tag pages of the target before the run (a missing repository costs one 404). */
  targetTagPages: number;
  /** Minimum data-plane listing requests: catalog + tag pages of both sides + one read-back per repository with work. */
  listing: number;
  /** Repository scopes a token is needed for: source (catalog + repositories), target (repositories). */
  sourceScopes: number;
  targetScopes: number;
  /**
   * Most `/oauth2/token` requests per registry (decision 005: several repository scopes per
   * request): the catalog's (source), then one per MAX_SCOPES_PER_TOKEN_REQUEST repositories
   * listed, plus one that ends short; read-backs after imports reuse the listings' tokens
   * while the registry's held tokens (MAX_HELD_ACCESS_TOKENS) still include them, else ask
   * again the same way.
   */
  sourceTokenBound: number;
  targetTokenBound: number;
  /**
   * The index-size check (src/engine/indexSize.ts), per source repository with digests to
   * import: more than MAX_DIGESTS_COUNTED_WITHOUT_LISTING of them cost one `_manifests` listing
   * page per 1,000 manifests of the repository (index children included) plus one
   * `_manifests/{digest}` read per index among them; fewer cost one read per digest.
   */
  manifestListings: number;
  manifestReads: number;
}

/** Token requests for `n` repository scopes asked for MAX_SCOPES_PER_TOKEN_REQUEST at a time, one of them short. */
export function batchedTokenRequests(n: number): number {
  return n === 0 ? 0 : Math.ceil(n / MAX_SCOPES_PER_TOKEN_REQUEST) + 1;
}

export interface Measured {
  totalRequests: number;
  counts: RequestCounts;
  /** catalog + _tags requests answered (no challenge 401, no 429). */
  listing: number;
  /** 401 challenges on data-plane routes (a first, bare request per registry, or an expired token). */
  challenges: number;
  /** Per-tag requests (manifest GET/HEAD, single tag, manifest properties, manifest listings): the tool sends none but the index-size check's. */
  perTagRequests: number;
  /** The index-size check: `_manifests` listing pages and `_manifests/{digest}` reads answered (no challenge 401, no 429). */
  manifestListings: number;
  manifestReads: number;
  /** Token requests per registry (answers other than 429: a throttled one is retried). */
  sourceTokens: number;
  targetTokens: number;
  exchanges: number;
  entraTokens: number;
  armReads: number;
  /** importImage POSTs: all, accepted (202), throttled (429). */
  importPosts: number;
  importAccepted: number;
  importThrottled: number;
  importPolls: number;
  /** Data-plane 429s (read limit). */
  readThrottled: number;
}

export interface Verification {
  ok: boolean;
  exitCode: number;
  problems: string[];
}

export interface Ideal {
  /** Requests outside the imports × latency ÷ listing concurrency. */
  listingMs: number;
  /** Imports: POST + poll + Retry-After + poll each, `importConcurrency` at once, no faster than ARM's write and read budgets. */
  importMs: number;
  totalMs: number;
  /** 2 × DEFAULT_LIST_CONCURRENCY: repositories listed at once, each on both registries. */
  listConcurrency: number;
}

export interface ScenarioResult {
  spec: Omit<ScenarioSpec, 'log' | 'workDir'>;
  generator: string;
  expected: Expected;
  measured: Measured;
  ideal: Ideal;
  sync: SyncDriverResult;
  syncWallMs: number;
  verification: Verification;
  /** The emulator's own per-route counters after the sync (a cross-check of `measured`). */
  emulatorCounts: Record<string, number>;
  /** The generator's own count of (repository, digest) pairs to import (a cross-check of `expected.pairs`). */
  generatorImportsNeeded: number;
  perTag?: PerTagOutcome;
  setupMs: number;
}

export interface PerTagOutcome {
  result: PerTagResult;
  counts: RequestCounts;
  totalRequests: number;
  /** Manifest requests (HEAD) sent. */
  manifestRequests: number;
  tokenRequests: number;
  listing: number;
  idealMs: number;
  repositories: number;
}

export type TagMap = Map<string, string>;

export function snapshot(em: Emulator, name: string): Map<string, TagMap> {
  const registry = em.registry(name);
  return new Map(registry.repositories().map((repo) => [repo, registry.tags(repo)]));
}

const pages = (n: number): number => Math.max(1, Math.ceil(n / 1000));

/** A manifest the source reader's listing shows as no index: the index-size check does not read it. */
const listedAsSingle = (mediaType: string | undefined): boolean => mediaType !== undefined && mediaType !== '' && !INDEX_MEDIA_TYPES.has(mediaType);

/**
 * `manifestsOf` gives a source repository's manifests (digest -> media type), what its listing
 * shows; without it nothing is known to be an image, so every digest counts as a read.
 */
export function expectedOf(
  source: Map<string, TagMap>,
  target: Map<string, TagMap>,
  dryRun: boolean,
  manifestsOf: (repository: string) => ReadonlyMap<string, string> = () => new Map(),
): Expected {
  let manifestListings = 0;
  let manifestReads = 0;
  let sourceTags = 0;
  let tagsToMove = 0;
  let pairs = 0;
  let groups = 0;
  let reposWithWork = 0;
  let sourceTagPages = 0;
  let targetTagPages = 0;
  for (const [repo, tags] of source) {
    const there = target.get(repo);
    sourceTags += tags.size;
    sourceTagPages += pages(tags.size);
    targetTagPages += there ? pages(there.size) : 1;
    const repoPairs = new Set<string>();
    const repoGroups = new Set<string>();
    for (const [tag, digest] of tags) {
      const current = there?.get(tag);
      if (current === digest) continue;
      tagsToMove++;
      repoPairs.add(digest);
      repoGroups.add(`${digest} ${current === undefined ? 'NoForce' : 'Force'}`);
    }
    pairs += repoPairs.size;
    groups += repoGroups.size;
    if (repoPairs.size > MAX_DIGESTS_COUNTED_WITHOUT_LISTING) {
      const listed = manifestsOf(repo);
      manifestListings += pages(listed.size);
      // An index, or a digest the listing does not show, is read; an image is not.
      for (const digest of repoPairs) if (!listedAsSingle(listed.get(digest))) manifestReads++;
    } else {
      manifestReads += repoPairs.size;
    }
    if (repoGroups.size > 0) reposWithWork++;
  }
  const catalogPages = pages(source.size);
  return {
    repositories: source.size,
    sourceTags,
    tagsToMove,
    pairs,
    groups,
    reposWithWork,
    catalogPages,
    sourceTagPages,
    targetTagPages,
    listing: catalogPages + sourceTagPages + targetTagPages + (dryRun ? 0 : reposWithWork),
    sourceScopes: source.size + 1,
    targetScopes: source.size,
    sourceTokenBound: 1 + batchedTokenRequests(source.size),
    targetTokenBound:
      batchedTokenRequests(source.size) + (dryRun || source.size <= MAX_HELD_ACCESS_TOKENS ? 0 : batchedTokenRequests(reposWithWork)),
    manifestListings,
    manifestReads,
  };
}

export function countRequests(entries: readonly LoggedRequest[]): RequestCounts {
  const counts: RequestCounts = {};
  for (const e of entries) {
    const byRoute = (counts[e.service] ??= {});
    const byStatus = (byRoute[e.route] ??= {});
    byStatus[String(e.status)] = (byStatus[String(e.status)] ?? 0) + 1;
  }
  return counts;
}

/** Requests in `counts` whose service, route and status pass `filter`. */
export function sum(counts: RequestCounts, filter: (service: string, route: string, status: number) => boolean): number {
  let n = 0;
  for (const [service, routes] of Object.entries(counts)) {
    for (const [route, statuses] of Object.entries(routes)) {
      for (const [status, count] of Object.entries(statuses)) if (filter(service, route, Number(status))) n += count;
    }
  }
  return n;
}

const PER_TAG_ROUTES = new Set(['acr.manifest', 'acr.tag', 'acr.manifestProperties', 'acr.manifests']);

export function measure(counts: RequestCounts, world: Pick<World, 'source' | 'target'>): Measured {
  const src = `acr:${world.source}`;
  const dst = `acr:${world.target}`;
  const isAcr = (s: string): boolean => s === src || s === dst;
  return {
    totalRequests: sum(counts, () => true),
    counts,
    listing: sum(counts, (s, r, st) => isAcr(s) && (r === 'acr.catalog' || r === 'acr.tags') && st !== 401 && st !== 429),
    challenges: sum(counts, (s, r, st) => isAcr(s) && st === 401 && r !== 'acr.token' && r !== 'acr.exchange'),
    perTagRequests: sum(counts, (s, r) => isAcr(s) && PER_TAG_ROUTES.has(r)),
    manifestListings: sum(counts, (s, r, st) => isAcr(s) && r === 'acr.manifests' && st !== 401 && st !== 429),
    manifestReads: sum(counts, (s, r, st) => isAcr(s) && r === 'acr.manifestProperties' && st !== 401 && st !== 429),
    // A token request answered 429 is sent again: the retry is not a second token.
    sourceTokens: sum(counts, (s, r, st) => s === src && r === 'acr.token' && st !== 429),
    targetTokens: sum(counts, (s, r, st) => s === dst && r === 'acr.token' && st !== 429),
    exchanges: sum(counts, (s, r) => isAcr(s) && r === 'acr.exchange'),
    entraTokens: sum(counts, (s, r) => s === 'entra' && (r === 'entra.token' || r === 'entra.tokenV1')),
    armReads: sum(counts, (s, r) => s === 'arm' && r !== 'arm.importImage' && r !== 'arm.importImage.poll'),
    importPosts: sum(counts, (s, r) => s === 'arm' && r === 'arm.importImage'),
    importAccepted: sum(counts, (s, r, st) => s === 'arm' && r === 'arm.importImage' && st === 202),
    importThrottled: sum(counts, (s, r, st) => s === 'arm' && r === 'arm.importImage' && st === 429),
    importPolls: sum(counts, (s, r) => s === 'arm' && r === 'arm.importImage.poll'),
    readThrottled: sum(counts, (s, _r, st) => isAcr(s) && st === 429),
  };
}

/** Polls answered "running" before an import is done: each import is POST, poll, Retry-After, poll. */
export const IMPORT_POLLS_BEFORE_DONE = 1;
/** ARM's subscription read bucket (polls, registry lookups), which the tool also paces itself under. */
export const ARM_READ_BURST = ARM_READ_BUCKET.capacity;
export const ARM_READ_REFILL_PER_SECOND = ARM_READ_BUCKET.refillPerSecond;

/**
 * The ideal time. Requests outside imports run `2 × DEFAULT_LIST_CONCURRENCY` at once, each
 * costing only the latency. Each import costs POST + poll + Retry-After + poll, at most
 * `importConcurrency` at once — and no faster than ARM's subscription budgets allow (writes
 * 200 + 10/s for the POSTs, reads 250 + 25/s for the polls), which bind any client in Azure
 * whether or not the emulator enforces them.
 */
export function idealOf(
  spec: Pick<ScenarioSpec, 'latencyMs' | 'importConcurrency' | 'importRetryAfterSeconds' | 'importPollsBeforeDone'>,
  measured: Measured,
  expected: Expected,
  dryRun: boolean,
): Ideal {
  const running = spec.importPollsBeforeDone ?? IMPORT_POLLS_BEFORE_DONE;
  const listConcurrency = 2 * DEFAULT_LIST_CONCURRENCY;
  const importRequests = measured.importPosts + measured.importPolls;
  const listingMs = ((measured.totalRequests - importRequests) * spec.latencyMs) / listConcurrency;
  const imports = dryRun ? 0 : expected.groups;
  const polls = imports * (running + 1);
  const perImportMs = (2 + running) * spec.latencyMs + running * spec.importRetryAfterSeconds * 1000;
  const byConcurrency = Math.ceil(imports / spec.importConcurrency) * perImportMs;
  const byWrites = imports > ARM_WRITE_BURST ? ((imports - ARM_WRITE_BURST) / ARM_WRITE_REFILL_PER_SECOND) * 1000 + perImportMs : 0;
  const byReads = polls > ARM_READ_BURST ? ((polls - ARM_READ_BURST) / ARM_READ_REFILL_PER_SECOND) * 1000 + perImportMs : 0;
  const importMs = imports === 0 ? 0 : Math.max(byConcurrency, byWrites, byReads);
  return { listingMs, importMs, totalMs: listingMs + importMs, listConcurrency };
}

function sameRegistry(a: Map<string, TagMap>, b: Map<string, TagMap>): boolean {
  if (a.size !== b.size) return false;
  for (const [repo, tags] of a) {
    const other = b.get(repo);
    if (other === undefined || other.size !== tags.size) return false;
    for (const [tag, digest] of tags) if (other.get(tag) !== digest) return false;
  }
  return true;
}

export function verify(
  scenario: ScenarioName,
  dryRun: boolean,
  exitCode: number,
  sourceBefore: Map<string, TagMap>,
  targetBefore: Map<string, TagMap>,
  targetAfter: Map<string, TagMap>,
  sourceAfter: Map<string, TagMap>,
  measured: Measured,
  expected: Expected,
): Verification {
  const problems: string[] = [];
  const note = (p: string): void => {
    if (problems.length < 20) problems.push(p);
  };
  if (exitCode !== 0) note(`the command line exited ${exitCode}`);
  // The source is never written.
  for (const [repo, tags] of sourceBefore) {
    const after = sourceAfter.get(repo);
    for (const [tag, digest] of tags) if (after?.get(tag) !== digest) note(`source ${repo}:${tag} changed`);
  }
  if (dryRun) {
    if (measured.importPosts !== 0) note(`a dry run sent ${measured.importPosts} importImage calls`);
    if (!sameRegistry(targetBefore, targetAfter)) note('the dry run changed the target');
  } else {
    // Every selected (= every) source repository: the target holds each source tag at the source digest.
    for (const [repo, tags] of sourceBefore) {
      const after = targetAfter.get(repo);
      for (const [tag, digest] of tags) {
        const got = after?.get(tag);
        if (got !== digest) note(`target ${repo}:${tag} is ${got ?? 'missing'}, source ${digest}`);
      }
    }
    // Tags only in the target are left alone.
    for (const [repo, tags] of targetBefore) {
      const src = sourceBefore.get(repo);
      for (const [tag, digest] of tags) {
        if (src?.has(tag)) continue;
        if (targetAfter.get(repo)?.get(tag) !== digest) note(`target-only tag ${repo}:${tag} was changed`);
      }
    }
    if (measured.importAccepted !== expected.groups) note(`${measured.importAccepted} imports accepted, ${expected.groups} expected (distinct repository, digest, mode)`);
  }
  if (scenario === 'noop' && measured.importPosts !== 0) note(`a no-op sync sent ${measured.importPosts} importImage calls`);
  if (scenario === 'noop' && !sameRegistry(targetBefore, targetAfter)) note('the no-op sync changed the target');
  return { ok: problems.length === 0, exitCode, problems };
}

export async function startBenchEmulator(world: World, spec: ScenarioSpec): Promise<Emulator> {
  const options: EmulatorOptions = {
    fixture: world.fixture,
    latencyMs: spec.latencyMs,
    importRetryAfterSeconds: spec.importRetryAfterSeconds,
    // The SDK polls at once after the 202; that poll finds the import running, the next one (after
    // Retry-After) finds it done: an import takes at least Retry-After, as a real one does.
    importPollsBeforeDone: spec.importPollsBeforeDone ?? IMPORT_POLLS_BEFORE_DONE,
    workDir: join(spec.workDir, 'emulator'),
    // 100 registries per ARM page: the registry lookup is not what is measured.
    armPageSize: 100,
    // `writes: true` is the emulator's own ARM write bucket, the one ARM_WRITE_BURST describes.
    ...(spec.armWriteThrottling ? { armThrottling: { writes: true, reads: false } } : {}),
    ...(spec.readLimitSku !== undefined ? { registryThrottling: { default: 'sku' as const } } : {}),
  };
  return startEmulator(options);
}

export function worldSpecOf(spec: Pick<ScenarioSpec, 'scenario' | 'repositories' | 'readLimitSku'>): WorldSpec {
  return {
    repositories: spec.repositories,
    target: TARGET_OF[spec.scenario],
    ...(spec.readLimitSku !== undefined ? { sourceSku: spec.readLimitSku, targetSku: spec.readLimitSku } : {}),
  };
}

export function cliArguments(world: World, em: Emulator, spec: Pick<ScenarioSpec, 'scenario' | 'importConcurrency' | 'toolFlags' | 'caVia'>): string[] {
  return [
    '--source-registry-name', world.source,
    '--target-registry-name', world.target,
    '--source-subscription-id', world.subscriptionId,
    '--arm-endpoint', em.armEndpoint,
    '--authority-host', em.authorityHost,
    '--acr-audience', em.acrAudience,
    ...(spec.caVia === 'flag' ? ['--ca-file', em.caFile] : []),
    '--max-concurrency', String(spec.importConcurrency),
    ...(spec.scenario === 'plan' ? ['--dry-run'] : []),
    ...(spec.toolFlags ?? []),
  ];
}

export async function runScenario(spec: ScenarioSpec): Promise<ScenarioResult> {
  const log = spec.log ?? (() => undefined);
  const dryRun = spec.scenario === 'plan';
  mkdirSync(spec.workDir, { recursive: true });
  const setupStarted = Date.now();
  const world = buildWorld(worldSpecOf(spec));
  const em = await startBenchEmulator(world, spec);
  try {
    const sourceBefore = snapshot(em, world.source);
    const targetBefore = snapshot(em, world.target);
    const sourceRegistry = em.registry(world.source);
    const expected = expectedOf(sourceBefore, targetBefore, dryRun, (repository) => sourceRegistry.manifestMediaTypes(repository));
    const setupMs = Date.now() - setupStarted;
    log(`  ${spec.scenario} ${spec.repositories}: emulator ready in ${(setupMs / 1000).toFixed(1)} s (${expected.sourceTags} source tags, ${expected.groups} imports expected); syncing…`);

    em.log.clear();
    const outputFile = join(spec.workDir, `${spec.scenario}-${spec.repositories}.out.txt`);
    const child = await runChild<SyncDriverResult>(
      'syncDriver.js',
      [outputFile, '--', ...cliArguments(world, em, spec)],
      {
        AZURE_TENANT_ID: world.tenantId,
        AZURE_CLIENT_ID: world.clientId,
        AZURE_CLIENT_SECRET: world.clientSecret,
        ...(spec.caVia === 'flag' ? {} : { NODE_EXTRA_CA_CERTS: em.caFile }),
        // Diagnosis switches of the sync driver, passed through.
        ...(process.env['BENCH_HEAP_PROFILE'] ? { BENCH_HEAP_PROFILE: process.env['BENCH_HEAP_PROFILE'] } : {}),
        ...(process.env['BENCH_HEAP_SNAPSHOT'] ? { BENCH_HEAP_SNAPSHOT: process.env['BENCH_HEAP_SNAPSHOT'] } : {}),
      },
      spec.nodeFlags ?? [],
    );
    if (child.result === undefined) throw new Error(`the sync driver ended ${child.code} without a result:\n${child.stderr.slice(0, 4000)}`);
    const emulatorCounts = em.log.countsByRoute();
    const counts = countRequests(em.log.entries());
    const measured = measure(counts, world);
    const verification = verify(spec.scenario, dryRun, child.result.exitCode, sourceBefore, targetBefore, snapshot(em, world.target), snapshot(em, world.source), measured, expected);
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
      sync: child.result,
      syncWallMs: child.wallMs,
      verification,
      emulatorCounts,
      generatorImportsNeeded: world.importsNeeded,
      setupMs,
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
