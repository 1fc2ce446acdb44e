/**
 * In-memory registries for the engine's unit tests: a reader over a map and an importer that
 * copies between two such maps the way importImage does (by digest, NoForce refuses existing
 * tags, locked tags refuse writes). The Azure-backed versions are tested against the emulator.
 */
import { ImportFailure, type ImportRequest, type Importer, type RegistryReader, type TagInfo } from '../../src/engine/ports';

export type Tags = Record<string, string | { digest: string; writeEnabled: boolean }>;

export class MemoryRegistry implements RegistryReader {
  readonly repos = new Map<string, Map<string, TagInfo>>();
  readonly tagListings: string[] = [];
  catalogListings = 0;
  failListing = new Set<string>();

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

  async *listRepositories(): AsyncIterable<string> {
    this.catalogListings++;
    await Promise.resolve();
    // Unsorted on purpose: the engine must sort.
    yield* [...this.repos.keys()].reverse();
  }

  listTags(repository: string): Promise<TagInfo[] | null> {
    this.tagListings.push(repository);
    if (this.failListing.has(repository)) return Promise.reject(new Error(`listing ${repository} failed: 500 internal error`));
    const tags = this.repos.get(repository);
    return Promise.resolve(tags ? [...tags.values()].map((t) => ({ ...t })) : null);
  }
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

  constructor(
    private readonly source: MemoryRegistry,
    private readonly target: MemoryRegistry,
  ) {}

  async importImage(request: ImportRequest): Promise<void> {
    const call: ImportCall = { ...request, targetTags: [...request.targetTags], startedAt: Date.now(), finishedAt: 0 };
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.durationMs));
      const failure = this.failures.get(request.sourceDigest);
      if (failure !== undefined) throw new ImportFailure(failure, 'InvalidParameters');
      const exists = [...(this.source.repos.get(request.sourceRepository)?.values() ?? [])].some((t) => t.digest === request.sourceDigest);
      if (!exists) throw new ImportFailure(`manifest ${request.sourceDigest} not found in source`, 'NotFound');
      for (const tag of request.targetTags) {
        const current = this.target.repos.get(request.sourceRepository)?.get(tag);
        if (current && request.mode === 'NoForce') throw new ImportFailure(`Tag ${tag} already exists in target registry`, 'Conflict');
        if (current && !current.writeEnabled) throw new ImportFailure(`tag ${tag} is locked`, 'Locked');
      }
      for (const tag of request.targetTags) {
        this.target.set(request.sourceRepository, tag, this.misdirect.get(tag) ?? request.sourceDigest);
      }
    } finally {
      this.inFlight--;
      call.finishedAt = Date.now();
    }
  }
}

export const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
