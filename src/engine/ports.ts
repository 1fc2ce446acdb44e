/**
 * The two small interfaces through which the engine touches registries. The engine knows
 * nothing of Azure, task-lib or HTTP: the Azure adapters (src/azure) implement these over the
 * ACR data plane and ARM importImage, and the engine's unit tests implement them in memory.
 */

/** One tag of a repository as the registry lists it: name, manifest digest and lock state. */
export interface TagInfo {
  name: string;
  /** Manifest digest, `sha256:<64 hex>`. */
  digest: string;
  /** False when the tag itself is locked (`changeableAttributes.writeEnabled: false`). */
  writeEnabled: boolean;
  /**
   * When the tag was last moved or created (the listing's `lastUpdateTime`, ms since the epoch);
   * absent when the registry did not say. Read by the tag filters, never compared across sides.
   */
  lastUpdated?: number;
}

/** Reads one registry. Implementations retry transient faults themselves. */
export interface RegistryReader {
  /** Every repository name of the registry, page by page, in the registry's own order. */
  listRepositories(signal?: AbortSignal): AsyncIterable<string>;
  /**
   * Every tag of one repository with its digest. `null` when the repository does not exist
   * (a repository missing in the target is simply empty to the planner). `wanted`, when given,
   * is the run's tag-name filter: a reader that reads each tag's digest separately may skip the
   * tags it refuses and list them with an empty digest — the planner drops them by name before
   * it looks at a digest. Readers that list digests with the names ignore it.
   */
  listTags(repository: string, signal?: AbortSignal, wanted?: (tag: string) => boolean): Promise<TagInfo[] | null>;
  /**
   * The same listing as listTags, page by page as the registry sends it: the planner matches
   * each page with the other side's and lets it go, so a repository of many tags is never held
   * whole (decision 017). A `null` page, only ever the first and only one, means the repository
   * does not exist. Optional: without it the planner takes listTags whole.
   */
  listTagPages?(repository: string, signal?: AbortSignal): AsyncIterable<readonly TagInfo[] | null>;
  /**
   * A hint before the listings start: the repositories whose tags will be listed, in the order
   * they will be asked for, so a reader can prepare for several at once (the ACR reader gets
   * the access tokens of the next few in one request). Optional and only a hint: listings of
   * other repositories, or in another order, must work all the same.
   */
  expectRepositories?(names: readonly string[]): void;
  /**
   * How many manifests the manifest with this digest references: the platforms of an image
   * index, 0 for a single image or artifact. importImage refuses an index of more than 50, so
   * the planner asks before it plans an import. Optional: a reader that cannot tell skips it.
   */
  countReferencedManifests?(repository: string, digest: string, signal?: AbortSignal): Promise<number>;
  /**
   * The kind of every manifest of one repository, by digest, from one listing of the
   * repository's manifests (all its pages). Only an index can reference manifests, so the
   * planner then counts only the indexes instead of every digest to import (see indexSize.ts
   * for when it asks). A manifest listed without a media type is left out of the map: the
   * planner counts it. Rejects when the listing fails; the planner then counts every digest.
   * Optional: without it, every digest to import is counted. With `only`, the map holds only
   * those digests: a repository of 10,000 tags has thousands of manifests, and the planner asks
   * about the few it imports.
   */
  listManifestKinds?(repository: string, signal?: AbortSignal, only?: ReadonlySet<string>): Promise<ReadonlyMap<string, ManifestKind>>;
  /**
   * Whether the repository takes writes: false when it is locked as a whole (its own
   * `changeableAttributes.writeEnabled: false`, apart from its tags' and manifests'), null when
   * it does not exist. The planner asks the target, for repositories with imports, before it
   * plans them (see targetLocks.ts). Optional: a reader that cannot tell is not asked.
   */
  repositoryWriteEnabled?(repository: string, signal?: AbortSignal): Promise<boolean | null>;
  /**
   * Whether one manifest of the repository takes writes: false when it is locked (its own
   * `changeableAttributes.writeEnabled`, apart from its tags'), null when the repository does
   * not hold it. Optional, as `listLockedManifests`: the planner uses whichever costs less.
   */
  manifestWriteEnabled?(repository: string, digest: string, signal?: AbortSignal): Promise<boolean | null>;
  /**
   * The digests of the repository's locked manifests, from one listing of its manifests (all
   * its pages). Rejects when the listing fails (a missing repository included).
   */
  listLockedManifests?(repository: string, signal?: AbortSignal): Promise<ReadonlySet<string>>;
  /**
   * The OCI referrers of one manifest (signatures, SBOMs, attestations: manifests whose
   * `subject` is `digest`), every page; empty when the repository does not exist. Optional: a
   * reader without it copies no referrers (docs/decisions/012-referrers.md).
   */
  listReferrers?(repository: string, digest: string, signal?: AbortSignal): Promise<Referrer[]>;
  /** Whether the repository holds the manifest `digest` (tagged or not). Optional: used to verify copied referrers. */
  hasManifest?(repository: string, digest: string, signal?: AbortSignal): Promise<boolean>;
}

/** One entry of a referrers listing: the referrer's manifest digest and what kind of artifact it is. */
export interface Referrer {
  digest: string;
  /** The artifact type the registry lists (`application/vnd.cncf.notary.signature`, an SBOM type…); absent when none. */
  artifactType?: string;
}

/** What a manifest listing says of one manifest: an image index (or Docker manifest list), or anything else. */
export type ManifestKind = 'index' | 'single';

/** What the adapters counted of their HTTP traffic during a run, for the report. */
export interface RequestStats {
  /** Requests sent, retries included. */
  requests: number;
  /** Answers 429 (ARM or registry) that made a client wait and try again. */
  throttled: number;
  /** Requests sent again after a throttling answer, a transient fault or a time-out. */
  retried: number;
}

/**
 * One server-side copy: the manifest `sourceRepository@sourceDigest` of the source registry,
 * written into the target registry's `targetRepository` under every `targetTags` entry (tag
 * names only, without the repository) — or, for a referrer, untagged into
 * `untaggedTargetRepository` (then `targetTags` is empty).
 */
export interface ImportRequest {
  sourceRepository: string;
  /** The plan's target repository of `sourceRepository` (repositoryMapping.ts). */
  targetRepository: string;
  sourceDigest: string;
  targetTags: string[];
  /** Only for an untagged copy (a referrer): the target repository the manifest lands in, with no tag. */
  untaggedTargetRepository?: string;
  /** NoForce for tags missing in the target; Force for re-tagged or forced tags. */
  mode: ImportMode;
}

export type ImportMode = 'NoForce' | 'Force';

/** Writes into the target registry. Resolves when the import has finished successfully. */
export interface Importer {
  /**
   * Runs one import to completion. Rejects with an `ImportFailure` carrying the service's
   * message when the service refuses it or the operation ends Failed.
   */
  importImage(request: ImportRequest, signal?: AbortSignal): Promise<void>;
}

/** An import the service refused or that ended Failed; `code` and `message` are the service's. */
export class ImportFailure extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ImportFailure';
  }
}

/** Everything the engine touches a run's registries through. */
export interface SyncPorts {
  source: RegistryReader;
  target: RegistryReader;
  /** Never called in a dry run. */
  importer: Importer;
  /** What the adapters counted of their HTTP traffic; read once, when the run ends, for the report. */
  requestStats?: () => RequestStats;
}
