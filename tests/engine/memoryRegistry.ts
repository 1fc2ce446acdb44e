/**
 * In-memory registries for the engine's unit tests: a reader over a map and an importer that
 * copies between two such maps the way importImage does (by digest, NoForce refuses existing
 * tags; locked tags, repositories and manifests refuse writes, as the emulator does). The
 * Azure-backed versions are tested against the emulator.
 */
import { ImportFailure, type ImportRequest, type Importer, type RegistryReader, type TagInfo } from '../../src/engine/ports';

export type Tags = Record<string, string | { digest: string; writeEnabled: boolean }>;

export class MemoryRegistry implements RegistryReader {
  readonly repos = new Map<string, Map<string, TagInfo>>();
  readonly tagListings: string[] = [];
  /** What each `expectRepositories` hint said, in call order. */
  readonly expectations: string[][] = [];
  catalogListings = 0;
  failListing = new Set<string>();
  /** digest -> manifests an image index references (absent: 0, a single image). */
  readonly manifestCounts = new Map<string, number>();
  readonly countCalls: string[] = [];
  /** Digests whose count fails, as a registry fault would. */
  readonly failCounts = new Set<string>();
  countsInFlight = 0;
  maxCountsInFlight = 0;
  /** Called before each count answers: lets a test hold counts in flight. */
  countDelay?: () => Promise<void>;
  /** Called before each tag listing answers: lets a test make listing slow (in virtual time). */
  /** Wait before the catalog answers, e.g. on a virtual clock (a slow or paced registry). */
  catalogDelay?: (signal?: AbortSignal) => Promise<void>;
  listingDelay?: (repository: string, signal?: AbortSignal) => Promise<void>;
  /** Repositories locked as a whole (their own writeEnabled false). */
  readonly lockedRepositories = new Set<string>();
  /** Locked manifests, as `repo@digest` (the manifest's own writeEnabled false). */
  readonly lockedManifests = new Set<string>();
  /** Every lock read, in call order: `repository <repo>`, `manifest <repo>@<digest>`, `listing <repo>`. */
  readonly lockReads: string[] = [];
  /** Repositories whose lock reads (repository, manifest, listing) fail, as a registry fault would. */
  readonly failLockReads = new Set<string>();

  constructor(content: Record<string, Tags> = {}) {
    for (const [repo, tags] of Object.entries(content)) {
      for (const [tag, value] of Object.entries(tags)) {
        const info = typeof value === 'string' ? { digest: value, writeEnabled: true } : value;
        this.set(repo, tag, info.digest, info.writeEnabled);
      }
    }
  }

  set(repo: string, tag: string, digest: string, writeEnabled = true): void {
    const tags = this.repos.get(repo) ?? new Map<string, TagInfo>();
    tags.set(tag, { name: tag, digest, writeEnabled });
    this.repos.set(repo, tags);
  }

  lockRepository(repo: string): void {
    this.lockedRepositories.add(repo);
  }

  lockManifest(repo: string, digest: string): void {
    this.lockedManifests.add(`${repo}@${digest}`);
  }

  private holds(repo: string, digest: string): boolean {
    return [...(this.repos.get(repo)?.values() ?? [])].some((t) => t.digest === digest) || this.lockedManifests.has(`${repo}@${digest}`);
  }

  private async lockRead(what: string, repo: string): Promise<void> {
    this.lockReads.push(what);
    await Promise.resolve();
    if (this.failLockReads.has(repo)) throw new Error(`${what} failed: 503 service unavailable`);
  }

  async repositoryWriteEnabled(repository: string): Promise<boolean | null> {
    await this.lockRead(`repository ${repository}`, repository);
    return this.repos.has(repository) ? !this.lockedRepositories.has(repository) : null;
  }

  async manifestWriteEnabled(repository: string, digest: string): Promise<boolean | null> {
    await this.lockRead(`manifest ${repository}@${digest}`, repository);
    return this.holds(repository, digest) ? !this.lockedManifests.has(`${repository}@${digest}`) : null;
  }

  async listLockedManifests(repository: string): Promise<ReadonlySet<string>> {
    await this.lockRead(`listing ${repository}`, repository);
    if (!this.repos.has(repository)) throw new Error(`listing the manifests of ${repository} failed: 404 NAME_UNKNOWN`);
    const prefix = `${repository}@`;
    return new Set([...this.lockedManifests].filter((m) => m.startsWith(prefix)).map((m) => m.slice(prefix.length)));
  }

  digestOf(repo: string, tag: string): string | undefined {
    return this.repos.get(repo)?.get(tag)?.digest;
  }

  snapshot(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [repo, tags] of [...this.repos].sort()) {
      out[repo] = Object.fromEntries([...tags].sort().map(([t, i]) => [t, i.digest]));
    }
    return out;
  }

  async *listRepositories(signal?: AbortSignal): AsyncIterable<string> {
    this.catalogListings++;
    await (this.catalogDelay?.(signal) ?? Promise.resolve());
    // Unsorted on purpose: the engine must sort.
    yield* [...this.repos.keys()].reverse();
  }

  expectRepositories(names: readonly string[]): void {
    this.expectations.push([...names]);
  }

  async listTags(repository: string, signal?: AbortSignal): Promise<TagInfo[] | null> {
    this.tagListings.push(repository);
    await this.listingDelay?.(repository, signal);
    if (this.failListing.has(repository)) throw new Error(`listing ${repository} failed: 500 internal error`);
    const tags = this.repos.get(repository);
    return tags ? [...tags.values()].map((t) => ({ ...t })) : null;
  }

  async countReferencedManifests(repository: string, digest: string): Promise<number> {
    this.countCalls.push(`${repository}@${digest}`);
    this.countsInFlight++;
    this.maxCountsInFlight = Math.max(this.maxCountsInFlight, this.countsInFlight);
    try {
      await (this.countDelay?.() ?? Promise.resolve());
      if (this.failCounts.has(digest)) throw new Error(`reading manifest ${digest} failed: 503 service unavailable`);
      return this.manifestCounts.get(digest) ?? 0;
    } finally {
      this.countsInFlight--;
    }
  }
}

/** The same registry seen through a reader that cannot count an index's manifests. */
export function withoutManifestCounts(registry: MemoryRegistry): RegistryReader {
  return { listRepositories: () => registry.listRepositories(), listTags: (repository, signal) => registry.listTags(repository, signal) };
}

export interface ImportCall extends ImportRequest {
  startedAt: number;
  finishedAt: number;
}

export class MemoryImporter implements Importer {
  readonly calls: ImportCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  durationMs = 0;
  /** sourceDigest -> failure message */
  failures = new Map<string, string>();
  /** Simulates an import that reports success but leaves the tag elsewhere. */
  misdirect = new Map<string, string>();
  /** Replaces the real-time `durationMs` wait: e.g. a wait on a virtual clock, or one that never ends. */
  wait?: (request: ImportRequest, signal?: AbortSignal) => Promise<void>;
  /** Timestamps of `calls`: real time unless a test gives its virtual clock. */
  now: () => number = () => Date.now();
  /** The signal each call received, in call order. */
  readonly signals: Array<AbortSignal | undefined> = [];

  constructor(
    private readonly source: MemoryRegistry,
    private readonly target: MemoryRegistry,
  ) {}

  async importImage(request: ImportRequest, signal?: AbortSignal): Promise<void> {
    const call: ImportCall = { ...request, targetTags: [...request.targetTags], startedAt: this.now(), finishedAt: 0 };
    this.calls.push(call);
    this.signals.push(signal);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.wait !== undefined) await this.wait(request, signal);
      else await new Promise((resolve) => setTimeout(resolve, this.durationMs));
      const failure = this.failures.get(request.sourceDigest);
      if (failure !== undefined) throw new ImportFailure(failure, 'InvalidParameters');
      const exists = [...(this.source.repos.get(request.sourceRepository)?.values() ?? [])].some((t) => t.digest === request.sourceDigest);
      if (!exists) throw new ImportFailure(`manifest ${request.sourceDigest} not found in source`, 'NotFound');
      const repo = request.sourceRepository;
      if (this.target.lockedRepositories.has(repo)) throw new ImportFailure(`repository ${repo} is locked`, 'Locked');
      if (this.target.lockedManifests.has(`${repo}@${request.sourceDigest}`)) throw new ImportFailure(`manifest ${request.sourceDigest} is locked`, 'Locked');
      for (const tag of request.targetTags) {
        const current = this.target.repos.get(repo)?.get(tag);
        if (current && request.mode === 'NoForce') throw new ImportFailure(`Tag ${tag} already exists in target registry`, 'Conflict');
        if (current && !current.writeEnabled) throw new ImportFailure(`tag ${tag} is locked`, 'Locked');
        if (current && this.target.lockedManifests.has(`${repo}@${current.digest}`)) throw new ImportFailure(`tag ${tag} is on a locked manifest`, 'Locked');
      }
      for (const tag of request.targetTags) {
        this.target.set(request.sourceRepository, tag, this.misdirect.get(tag) ?? request.sourceDigest);
      }
    } finally {
      this.inFlight--;
      call.finishedAt = this.now();
    }
  }
}

export const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
