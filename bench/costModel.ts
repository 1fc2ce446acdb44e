/**
 * The cost model: what a scenario should cost given the generated data — listing pages, token
 * requests, the index-size check's and the target-lock check's reads and the imports to make
 * (expectedOf) — and the ideal
 * time those requests take at the injected latency within ARM's budgets (idealOf).
 */
import { INDEX_MEDIA_TYPES, MAX_PAGE_SIZE as TOOL_PAGE_SIZE } from '../src/azure/dataplane/acrClient';
import { MAX_HELD_ACCESS_TOKENS, MAX_SCOPES_PER_TOKEN_REQUEST } from '../src/azure/dataplane/acrTokens';
import { MAX_DIGESTS_COUNTED_WITHOUT_LISTING } from '../src/engine/indexSize';
import { MAX_MANIFESTS_READ_WITHOUT_LISTING } from '../src/engine/targetLocks';
import { DEFAULT_LIST_CONCURRENCY } from '../src/engine/syncOptions';
import { MAX_PAGE_SIZE as REGISTRY_PAGE_SIZE } from '../testkit/emulator/paging';
import { ARM_READ_BUCKET, ARM_WRITE_BUCKET } from '../testkit/emulator/throttling';
import type { Expected, Ideal, Measured, ScenarioSpec, TagMap } from './scenario';

/** ARM's subscription write bucket as the emulator plays it (burst, refill per second). */
export const ARM_WRITE_BURST = ARM_WRITE_BUCKET.capacity;
export const ARM_WRITE_REFILL_PER_SECOND = ARM_WRITE_BUCKET.refillPerSecond;

/** What ARM's write budget alone costs `imports` imports once its burst is spent, ms. */
export const writeBudgetMs = (imports: number): number => ((imports - ARM_WRITE_BURST) / ARM_WRITE_REFILL_PER_SECOND) * 1000;

/** How long an import runs server-side in a scenario: one Retry-After unless the spec says otherwise. */
export function importDurationOf(spec: Pick<ScenarioSpec, 'importRetryAfterSeconds' | 'importDurationMs'>): number {
  return spec.importDurationMs ?? spec.importRetryAfterSeconds * 1000;
}

/**
 * Polls that find an import still running when the client polls at once after the 202 and
 * then every Retry-After: none for an import done as accepted, else one per Retry-After it
 * outlasts (one for the default duration of one Retry-After: POST, poll, Retry-After, poll).
 */
export function runningPollsOf(spec: Pick<ScenarioSpec, 'importRetryAfterSeconds' | 'importDurationMs'>): number {
  const durationMs = importDurationOf(spec);
  if (durationMs <= 0) return 0;
  const retryAfterMs = spec.importRetryAfterSeconds * 1000;
  // Without a Retry-After the client's own interval decides: at least the one poll that finds it running.
  return retryAfterMs > 0 ? Math.ceil(durationMs / retryAfterMs) : 1;
}
/** ARM's subscription read bucket (polls, registry lookups), which the tool also paces itself under. */
export const ARM_READ_BURST = ARM_READ_BUCKET.capacity;
export const ARM_READ_REFILL_PER_SECOND = ARM_READ_BUCKET.refillPerSecond;

/** Token requests for `n` repository scopes asked for MAX_SCOPES_PER_TOKEN_REQUEST at a time, one of them short. */
export function batchedTokenRequests(n: number): number {
  return n === 0 ? 0 : Math.ceil(n / MAX_SCOPES_PER_TOKEN_REQUEST) + 1;
}

/**
 * Items per listing page: the tool asks `n=` its MAX_PAGE_SIZE and the registry (ACR, and the
 * emulator as it) caps `n` at its own; the smaller one decides. A listing of 0 items is one
 * page; a count that fills its last page exactly needs no further one (no `Link`).
 */
export const LISTING_PAGE_SIZE = Math.min(TOOL_PAGE_SIZE, REGISTRY_PAGE_SIZE);

/** Pages of a listing of `n` items (tags, repositories, manifests). */
export const pages = (n: number): number => Math.max(1, Math.ceil(n / LISTING_PAGE_SIZE));

/** A manifest the source reader's listing shows as no index: the index-size check does not read it. */
const listedAsSingle = (mediaType: string | undefined): boolean => mediaType !== undefined && mediaType !== '' && !INDEX_MEDIA_TYPES.has(mediaType);

/**
 * `manifestsOf` gives a source repository's manifests (digest -> media type), what its listing
 * shows; without it nothing is known to be an image, so every digest counts as a read.
 * `targetManifestCount` gives how many manifests a target repository holds (its listing's size).
 */
export function expectedOf(
  source: Map<string, TagMap>,
  target: Map<string, TagMap>,
  dryRun: boolean,
  manifestsOf: (repository: string) => ReadonlyMap<string, string> = () => new Map(),
  targetManifestCount: (repository: string) => number = () => 0,
): Expected {
  let manifestListings = 0;
  let manifestReads = 0;
  let repositoryReads = 0;
  let lockManifestListings = 0;
  let lockManifestReads = 0;
  let sourceTags = 0;
  let tagsToMove = 0;
  let pairs = 0;
  let groups = 0;
  let reposWithWork = 0;
  let sourceTagPages = 0;
  let targetTagPages = 0;
  let readBackPages = 0;
  for (const [repo, tags] of source) {
    const there = target.get(repo);
    sourceTags += tags.size;
    sourceTagPages += pages(tags.size);
    targetTagPages += there ? pages(there.size) : 1;
    const repoPairs = new Set<string>();
    const repoGroups = new Set<string>();
    // Target manifests the lock check reads: digests to import the target's tags name, and what moved tags point at now.
    const lockCandidates = new Set<string>();
    const held = new Set(there?.values() ?? []);
    for (const [tag, digest] of tags) {
      const current = there?.get(tag);
      if (current === digest) continue;
      tagsToMove++;
      repoPairs.add(digest);
      repoGroups.add(`${digest} ${current === undefined ? 'NoForce' : 'Force'}`);
      if (held.has(digest)) lockCandidates.add(digest);
      if (current !== undefined) lockCandidates.add(current);
    }
    // The lock check (src/engine/targetLocks.ts), on the target of a repository with imports that exists there; no world locks anything.
    if (repoGroups.size > 0 && there !== undefined) {
      repositoryReads++;
      if (lockCandidates.size > MAX_MANIFESTS_READ_WITHOUT_LISTING) lockManifestListings += pages(targetManifestCount(repo));
      else lockManifestReads += lockCandidates.size;
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
    if (repoGroups.size > 0) {
      reposWithWork++;
      // The read-back lists the target repository as the imports leave it: its own tags and the source's.
      let after = tags.size;
      if (there) for (const tag of there.keys()) if (!tags.has(tag)) after++;
      readBackPages += pages(after);
    }
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
    readBackPages: dryRun ? 0 : readBackPages,
    listing: catalogPages + sourceTagPages + targetTagPages + (dryRun ? 0 : readBackPages),
    // The referrers of imported digests (`--referrers imported`, the default) are listed with a
    // repository's `pull` token, a scope of its own per repository with work, batched as the
    // listings' are (decision 012) — in the source; in the target only for a digest the source
    // lists referrers for, and the generated registries have none.
    sourceScopes: source.size + 1 + reposWithWork,
    targetScopes: source.size,
    sourceTokenBound: 1 + batchedTokenRequests(source.size) + batchedTokenRequests(reposWithWork),
    targetTokenBound: batchedTokenRequests(source.size) + (dryRun || source.size <= MAX_HELD_ACCESS_TOKENS ? 0 : batchedTokenRequests(reposWithWork)),
    manifestListings,
    manifestReads,
    repositoryReads,
    lockManifestListings,
    lockManifestReads,
  };
}

/**
 * Round trips no client can overlap before its first tag listing (decision 018): on Azure the
 * start of 4 (Entra token; registry lookup; registry token exchange beside the preflight;
 * catalog token), on the emulator 1 more (MSAL asks a custom authority for its
 * openid-configuration, never Entra ID's public hosts), then the first catalog page (the
 * repository names) and the first repository token (it names them). Each needs the answer
 * before it, whatever the concurrency.
 */
export const START_ROUND_TRIPS_ON_AZURE = 4;
export const EMULATOR_AUTHORITY_DISCOVERY = 1;
export const CHAIN_ROUND_TRIPS = START_ROUND_TRIPS_ON_AZURE + EMULATOR_AUTHORITY_DISCOVERY + 2;

/**
 * The ideal time. The chain (CHAIN_ROUND_TRIPS, one request each at the least) costs a latency
 * per round trip; every other request outside imports runs `2 × DEFAULT_LIST_CONCURRENCY` at
 * once, each costing only the latency. Each import costs its POST, the poll at once and one poll per
 * Retry-After it runs for (runningPollsOf; by default POST + poll + Retry-After + poll), at most
 * `importConcurrency` at once — and no faster than ARM's subscription budgets allow (writes
 * 200 + 10/s for the POSTs, reads 250 + 25/s for the polls), which bind any client in Azure
 * whether or not the emulator enforces them.
 */
export function idealOf(
  spec: Pick<ScenarioSpec, 'latencyMs' | 'importConcurrency' | 'importRetryAfterSeconds' | 'importDurationMs'>,
  measured: Measured,
  expected: Expected,
  dryRun: boolean,
): Ideal {
  const running = runningPollsOf(spec);
  const listConcurrency = 2 * DEFAULT_LIST_CONCURRENCY;
  const importRequests = measured.importPosts + measured.importPolls;
  const outside = measured.totalRequests - importRequests;
  const chain = Math.min(CHAIN_ROUND_TRIPS, outside);
  const throughputMs = ((outside - chain) * spec.latencyMs) / listConcurrency;
  const listingMs = chain * spec.latencyMs + throughputMs;
  const imports = dryRun ? 0 : expected.groups;
  const polls = imports * (running + 1);
  // It cannot be seen done before it has run its duration (which only matters without a Retry-After).
  const waitedMs = Math.max(running * spec.importRetryAfterSeconds * 1000, importDurationOf(spec));
  const perImportMs = (2 + running) * spec.latencyMs + waitedMs;
  const byConcurrency = Math.ceil(imports / spec.importConcurrency) * perImportMs;
  const byWrites = imports > ARM_WRITE_BURST ? ((imports - ARM_WRITE_BURST) / ARM_WRITE_REFILL_PER_SECOND) * 1000 + perImportMs : 0;
  const byReads = polls > ARM_READ_BURST ? ((polls - ARM_READ_BURST) / ARM_READ_REFILL_PER_SECOND) * 1000 + perImportMs : 0;
  const importMs = imports === 0 ? 0 : Math.max(byConcurrency, byWrites, byReads);
  // What the ideal was before it counted the chain: every request divided by the concurrency.
  const throughputOnlyMs = (outside * spec.latencyMs) / listConcurrency + importMs;
  return { listingMs, importMs, totalMs: listingMs + importMs, listConcurrency, chainMs: chain * spec.latencyMs, throughputOnlyMs };
}
