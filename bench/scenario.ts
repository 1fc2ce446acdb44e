/**
 * What a benchmark scenario is and what running one yields: the spec (scenario, size, latency,
 * throttling), and the result's parts — the expected costs worked out from the data, the
 * requests measured at the emulator, the ideal time and the verification of the target.
 */
import type { FaultRule } from '../testkit/emulator/api';
import type { TargetKind } from '../testkit/emulator/generate';
import type { PerTagResult } from './perTagDriver';
import type { RetryWindowSummary } from './retryWindows';
import type { SyncDriverResult } from './syncDriver';
import type { Sku } from './world';

export type ScenarioName = 'noop' | 'full' | 'drift' | 'plan' | 'pacing' | 'readlimit' | 'referrers' | 'registry-source';

export const TARGET_OF: Record<ScenarioName, TargetKind> = {
  noop: 'identical',
  full: 'empty',
  drift: 'drifted',
  plan: 'empty',
  pacing: 'empty',
  readlimit: 'identical',
  referrers: 'empty',
  // Planned as noop and full runs with `sourceBy: 'address'` (matrix.ts): their own targets apply.
  'registry-source': 'identical',
};

export interface ScenarioSpec {
  scenario: ScenarioName;
  repositories: number;
  /**
   * Tags per source repository (default TAGS_PER_REPOSITORY, 20): issue 15's rows of many tags
   * per repository (1,000 × 1,000, 100 × 10,000) set it.
   */
  tagsPerRepository?: number;
  /**
   * Plan with `--dry-run` whatever the scenario's target (a 'plan' run always does): a drift of
   * 1,000 × 1,000 planned and reported in full without its ~100,000 imports, which ARM's write
   * budget (10/s) would make hours.
   */
  dryRun?: boolean;
  /** The sync writes its JSON report (`--report-json` into the work folder): writing it is part of the memory measured. */
  reportJson?: boolean;
  latencyMs: number;
  /** `--max-concurrency` of the command line (imports in flight). */
  importConcurrency: number;
  /** Retry-After of the emulator's import 202s, seconds (the SDK poller waits exactly that). */
  importRetryAfterSeconds: number;
  /**
   * How long each import runs server-side, ms (default one Retry-After: the poll at once finds
   * it running, the one after Retry-After done — as the recorded imports, done by then).
   */
  importDurationMs?: number;
  /** The emulator's ARM write bucket (200 burst, +10/s) on. */
  armWriteThrottling: boolean;
  /**
   * With `armWriteThrottling`: the subscription's write bucket as this run finds it when not
   * ARM's own (bench/sharedWrites.ts: another client spending part of it), so the tool meets 429s.
   */
  armWriteBucket?: { capacity: number; refillPerSecond: number };
  /**
   * How many times a no-op runs (default 1); its median run stands for the row. For the
   * sub-second rows, whose single runs vary by more than the margins they are held to.
   */
  repeats?: number;
  /**
   * A run for the start's round trips only (bench/startProbe.ts: one repository at high latency):
   * left out of the no-op figures (results.ts `isListingRun`).
   */
  startProbe?: boolean;
  /** Scripted answers of the emulator for this run (bench/sharedWrites.ts: refusals another client's writes cause). */
  faults?: readonly FaultRule[];
  /** The emulator's per-registry data-plane read limit by SKU, with both registries of this SKU. */
  readLimitSku?: Sku;
  /** Extra command-line flags (e.g. the tool's read cap). */
  toolFlags?: readonly string[];
  /**
   * How the sync names its source: 'arm' = `--source-registry-name` (an ACR found through ARM,
   * listed with digests), 'address' = `--source-registry-uri` with the source's login server and
   * anonymous pull (read as any OCI registry: tags/list, then one HEAD per tag). Default 'arm'.
   */
  sourceBy?: 'arm' | 'address';
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
  /**
   * Tag pages of the read-back after a repository's imports (src/engine/execute.ts lists the
   * target repository again): per repository with work, the pages of its tags afterwards (the
   * source's and the target's own); none in a dry run. One per repository at 20 tags.
   */
  readBackPages: number;
  /** Minimum data-plane listing requests: catalog + tag pages of both sides + the read-backs' pages. */
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
  /**
   * The lock check (src/engine/targetLocks.ts), per target repository with imports that exists:
   * one `/acr/v1/{repo}` read, then, for the target manifests to check (digests to import that
   * the target's tags name, and what the moved tags point at), one read each up to
   * MAX_MANIFESTS_READ_WITHOUT_LISTING, else one listing page per 1,000 manifests.
   */
  repositoryReads: number;
  lockManifestListings: number;
  lockManifestReads: number;
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
  /** The index-size check (source): `_manifests` listing pages and `_manifests/{digest}` reads answered (no challenge 401, no 429). */
  manifestListings: number;
  manifestReads: number;
  /** The lock check (target): `/acr/v1/{repo}` reads, `_manifests` listing pages and `_manifests/{digest}` reads answered. */
  repositoryReads: number;
  lockManifestListings: number;
  lockManifestReads: number;
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
  /** The chain's round trips × latency, then the other requests outside the imports × latency ÷ listing concurrency. */
  listingMs: number;
  /** Of listingMs, the chain no client can overlap (costModel.ts CHAIN_ROUND_TRIPS). */
  chainMs: number;
  /** Every request outside the imports ÷ the concurrency, plus importMs: the ideal before it counted the chain. */
  throughputOnlyMs: number;
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
  /**
   * The importImage calls accepted, as one fingerprint (sha256 of their sorted mode, pinned
   * source image and target tags): equal fingerprints = the same imports, whatever the source's kind.
   */
  importSet?: { count: number; fingerprint: string };
  /** The JSON report the sync wrote (`--report-json`), bytes, when the spec asked for one. */
  reportJsonBytes?: number;
  /** `HEAD /v2/{name}/manifests/{tag}` requests the source answered (all, and those answered 200), from the emulator's log. */
  sourceHeads?: { total: number; ok: number };
  /** Sequential round trips before the first listing (testkit/emulator/requestWaves.ts), at this run's latency. */
  startRoundTrips?: number;
  /** Of those, the waves that were only the emulator's openid-configuration, which Azure's own authorities are never asked (requestWaves.ts). */
  startAuthorityDiscovery?: number;
  /** Runs that throttle (ARM writes, a registry read limit): each 429's retry against its Retry-After (bench/retryWindows.ts). */
  retryWindows?: RetryWindowSummary;
  /** A row run several times (`repeats`): every run's time, in the order run; `sync` is the median one. */
  repeatedRunMs?: number[];
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
