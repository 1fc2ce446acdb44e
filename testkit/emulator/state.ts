/**
 * The emulator's world: subscriptions, principals and registries with their repositories,
 * manifests (stored by digest) and tags. ARM, the data plane and the harness all read and
 * write this one model, so an import seen through ARM is at once visible on the data plane.
 */
import { createHash } from 'node:crypto';
import type { ContentFixture, EmulatedRegistry, Fixture, PrincipalFixture, RegistryFixture } from './api';
import { buildContent, type ManifestBlob, type ManifestTree } from './content';

/** Millisecond clock that never repeats a value, so creation order is also time order. */
export class Clock {
  private last = 0;
  now(): number {
    this.last = Math.max(Date.now(), this.last + 1);
    return this.last;
  }
}

/**
 * Where a stored manifest's bytes come from: kept as they are (pushed or small worlds), or
 * rebuilt on demand from the content description they were made from (`child` -1 = the root,
 * else the index child at that position). Bytes made from a description are deterministic,
 * so a world of a hundred thousand manifests keeps only their digests and listing facts.
 */
export type BytesSource = Buffer | { readonly content: ContentFixture; readonly child: number };

/** Recently rebuilt trees, by description: a manifest asked for twice is built once. */
const rebuilt = new Map<ContentFixture, ManifestTree>();
const REBUILT_KEPT = 2048;

function bytesOf(source: BytesSource): Buffer {
  if (Buffer.isBuffer(source)) return source;
  let tree = rebuilt.get(source.content);
  if (tree) {
    rebuilt.delete(source.content); // re-insert: most recent last
  } else {
    tree = buildContent(source.content);
    if (rebuilt.size >= REBUILT_KEPT) rebuilt.delete(rebuilt.keys().next().value as ContentFixture);
  }
  rebuilt.set(source.content, tree);
  const blob = source.child < 0 ? tree.root : tree.children[source.child];
  if (!blob) throw new Error('manifest source names no manifest');
  return blob.bytes;
}

/** A manifest as a repository holds it: its listing facts, its dates, and its bytes on demand. */
export class StoredManifest implements ManifestBlob {
  constructor(
    readonly digest: string,
    readonly mediaType: string,
    /** Length of the bytes (Content-Length, descriptor size). */
    readonly size: number,
    readonly source: BytesSource,
    readonly configMediaType: string | undefined,
    readonly platform: ManifestBlob['platform'],
    readonly imageSize: number,
    readonly references: ManifestBlob['references'],
    public createdTime: number,
    public lastUpdateTime: number,
  ) {}

  /**
   * The manifest's own `changeableAttributes.writeEnabled` (`az acr repository update --image
   * repo@sha256:… --write-enabled false`); false = locked. Apart from its tags' locks: ACR
   * manages tag and manifest attributes separately.
   */
  writeEnabled = true;

  /** The exact bytes served (rebuilt from the description when not kept). */
  get bytes(): Buffer {
    return bytesOf(this.source);
  }
}

/** A manifest to store: a stored one (copied by import), a lean blob, or a blob with its bytes. */
export type ManifestToStore = StoredManifest | LeanBlob | ManifestBlob;

/** A manifest tree whose blobs carry no bytes, only how to rebuild them. */
interface LeanTree {
  root: LeanBlob;
  children: LeanBlob[];
}
type LeanBlob = Omit<ManifestBlob, 'bytes'> & { size: number; source: BytesSource };

/** Builds a description's tree once, keeping digests and facts, not bytes. */
function leanTree(content: ContentFixture): LeanTree {
  // A private copy: the caller's fixture may change later, the bytes must not.
  const own: ContentFixture = content.kind === 'index' ? { ...content, platforms: [...content.platforms] } : { ...content };
  const tree = buildContent(own);
  const lean = (b: ManifestBlob, child: number): LeanBlob => ({
    digest: b.digest,
    mediaType: b.mediaType,
    size: b.bytes.length,
    source: { content: own, child },
    configMediaType: b.configMediaType,
    platform: b.platform,
    imageSize: b.imageSize,
    references: b.references,
  });
  return { root: lean(tree.root, -1), children: tree.children.map((c, i) => lean(c, i)) };
}

export interface StoredTag {
  name: string;
  digest: string;
  createdTime: number;
  lastUpdateTime: number;
  writeEnabled: boolean;
  deleteEnabled: boolean;
}

/** Code-unit order, as registries sort names (and as `last` paging compares them). */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One repository. Tags live in a map; their name-sorted array is built on the first listing
 * after a change and reused until the next one, so paging through a big repository does not
 * sort it again per page. Change tags only through RegistryState (setTag, deleteTag).
 */
export class Repository {
  readonly manifests = new Map<string, StoredManifest>();
  readonly tags = new Map<string, StoredTag>();
  private sortedTags: StoredTag[] | undefined;
  /**
   * The repository's own `changeableAttributes.writeEnabled` (`az acr repository update
   * --repository R --write-enabled false`); false = the repository and every image in it locked.
   */
  writeEnabled = true;
  constructor(
    readonly name: string,
    readonly createdTime: number,
  ) {}

  /** The latest change of its tags or manifests (its creation when it has none). */
  lastUpdateTime(): number {
    let latest = this.createdTime;
    for (const t of this.tags.values()) latest = Math.max(latest, t.lastUpdateTime);
    for (const m of this.manifests.values()) latest = Math.max(latest, m.lastUpdateTime);
    return latest;
  }

  /** Every tag, sorted by name (a shared array: do not modify). */
  tagsByName(): readonly StoredTag[] {
    this.sortedTags ??= [...this.tags.values()].sort((a, b) => byName(a.name, b.name));
    return this.sortedTags;
  }

  /** Forgets the sorted view after a tag was added or removed. */
  tagsChanged(): void {
    this.sortedTags = undefined;
  }

  /** Tags pointing at a digest, sorted by name. */
  tagsOf(digest: string): string[] {
    return this.tagsByName().filter((t) => t.digest === digest).map((t) => t.name);
  }

  /** digest -> its tag names sorted, for listings that report tags of many manifests at once. */
  tagNamesByDigest(): Map<string, string[]> {
    const index = new Map<string, string[]>();
    for (const t of this.tagsByName()) {
      const names = index.get(t.digest);
      if (names) names.push(t.name);
      else index.set(t.digest, [t.name]);
    }
    return index;
  }
}

/**
 * Manifest trees by content description, while a world is built: the same description
 * always gives the same bytes, so tags sharing a release, and an identical target registry,
 * share one tree (and its Buffers) instead of building and holding it again.
 */
export interface ContentCache {
  /** By the description object itself: generated fixtures share one per release. */
  byObject: WeakMap<ContentFixture, LeanTree>;
  /** By what it says, for equal descriptions written out twice. */
  byKey: Map<string, LeanTree>;
}

export function contentKey(content: ContentFixture): string {
  switch (content.kind) {
    case 'image':
      return `i\u0000${content.seed}`;
    case 'index':
      return `x\u0000${content.seed}\u0000${content.platforms.join(',')}`;
    case 'helm':
      return `h\u0000${content.seed}\u0000${content.chart}\u0000${content.version}`;
  }
}

export interface Principal extends PrincipalFixture {
  /** The service principal's object id (deterministic from the client id). */
  objectId: string;
}

/** A deterministic GUID-shaped id from a label. */
export function guidFrom(label: string): string {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function registryResourceId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${name}`;
}

export class RegistryState implements EmulatedRegistry {
  readonly name: string;
  readonly resourceGroup: string;
  readonly resourceId: string;
  readonly location: string;
  readonly sku: 'Basic' | 'Standard' | 'Premium';
  readonly publicNetworkAccess: 'Enabled' | 'Disabled';
  readonly networkRuleBypassOptions: 'AzureServices' | 'None';
  readonly aadAuthAsArmPolicy: 'enabled' | 'disabled';
  readonly creationDate: number;
  /** Set once the registry's data-plane server listens. */
  port = 0;
  private readonly repos = new Map<string, Repository>();
  /** Repository names sorted, rebuilt after a repository is added. */
  private sortedRepos: string[] | undefined;
  private contentCache: ContentCache | undefined;

  constructor(
    fixture: RegistryFixture,
    readonly subscriptionId: string,
    readonly tenantId: string,
    private readonly clock: Clock,
    contentCache?: ContentCache,
  ) {
    this.name = fixture.name;
    this.resourceGroup = fixture.resourceGroup;
    this.resourceId = registryResourceId(subscriptionId, fixture.resourceGroup, fixture.name);
    this.location = fixture.location ?? 'westus';
    this.sku = fixture.sku ?? 'Premium';
    this.publicNetworkAccess = fixture.publicNetworkAccess ?? 'Enabled';
    this.networkRuleBypassOptions = fixture.networkRuleBypassOptions ?? 'AzureServices';
    this.aadAuthAsArmPolicy = fixture.azureADAuthenticationAsArmPolicy ?? 'enabled';
    this.creationDate = clock.now();
    this.contentCache = contentCache;
    for (const [repo, tags] of Object.entries(fixture.repositories ?? {})) {
      for (const [tag, tagFixture] of Object.entries(tags)) {
        const digest = this.push(repo, tag, tagFixture.content);
        if (tagFixture.writeEnabled === false) this.setTagWriteEnabled(repo, tag, false);
        if (tagFixture.manifestWriteEnabled === false) this.setManifestWriteEnabled(repo, digest, false);
      }
    }
    for (const repo of fixture.lockedRepositories ?? []) this.setRepositoryWriteEnabled(repo, false);
    // Later pushes are few: they need no cache, and the world should not hold one.
    this.contentCache = undefined;
  }

  get loginServer(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Whether trusted Azure services (importImage) may reach this registry. */
  get reachableByAzureServices(): boolean {
    return this.publicNetworkAccess === 'Enabled' || this.networkRuleBypassOptions === 'AzureServices';
  }

  repositories(): string[] {
    return [...this.sortedRepositories()];
  }

  /** Repository names sorted by name (a shared array: do not modify). */
  sortedRepositories(): readonly string[] {
    this.sortedRepos ??= [...this.repos.keys()].sort(byName);
    return this.sortedRepos;
  }

  repository(name: string): Repository | undefined {
    return this.repos.get(name);
  }

  ensureRepository(name: string): Repository {
    let repo = this.repos.get(name);
    if (!repo) {
      repo = new Repository(name, this.clock.now());
      this.repos.set(name, repo);
      this.sortedRepos = undefined;
    }
    return repo;
  }

  tags(repository: string): Map<string, string> {
    const repo = this.repos.get(repository);
    return new Map([...(repo?.tags.values() ?? [])].map((t) => [t.name, t.digest]));
  }

  hasManifest(repository: string, digest: string): boolean {
    return this.repos.get(repository)?.manifests.has(digest) ?? false;
  }

  manifestMediaTypes(repository: string): Map<string, string> {
    return new Map([...(this.repos.get(repository)?.manifests.values() ?? [])].map((m) => [m.digest, m.mediaType]));
  }

  /** Stores manifests by digest (children first); an existing digest keeps its dates. */
  storeManifests(repository: string, manifests: readonly ManifestToStore[]): void {
    const repo = this.ensureRepository(repository);
    for (const m of manifests) {
      if (repo.manifests.has(m.digest)) continue;
      const now = this.clock.now();
      // A stored manifest (an import's copy) or a lean blob brings its source; a plain blob its bytes.
      const [source, size]: [BytesSource, number] = 'source' in m ? [m.source, m.size] : [m.bytes, m.bytes.length];
      repo.manifests.set(
        m.digest,
        new StoredManifest(m.digest, m.mediaType, size, source, m.configMediaType, m.platform, m.imageSize, m.references, now, now),
      );
    }
  }

  /** Points a tag at a stored manifest, creating the tag or moving it (lock not checked). */
  setTag(repository: string, tag: string, digest: string): void {
    const repo = this.ensureRepository(repository);
    if (!repo.manifests.has(digest)) throw new Error(`${this.name}/${repository}: no manifest ${digest} to tag`);
    const now = this.clock.now();
    const existing = repo.tags.get(tag);
    if (existing) {
      if (existing.digest !== digest) {
        existing.digest = digest;
        existing.lastUpdateTime = now;
      }
      return;
    }
    repo.tags.set(tag, { name: tag, digest, createdTime: now, lastUpdateTime: now, writeEnabled: true, deleteEnabled: true });
    repo.tagsChanged();
  }

  storeTree(repository: string, tree: ManifestTree | LeanTree): string {
    this.storeManifests(repository, [...tree.children, tree.root]);
    return tree.root.digest;
  }

  push(repository: string, tag: string, content: ContentFixture): string {
    const digest = this.storeTree(repository, this.treeOf(content));
    this.setTag(repository, tag, digest);
    return digest;
  }

  /**
   * The tree of a description: while the world is built, lean (bytes rebuilt on demand) and
   * shared between equal descriptions; afterwards (a harness push) with its bytes kept.
   */
  private treeOf(content: ContentFixture): ManifestTree | LeanTree {
    const cache = this.contentCache;
    if (!cache) return buildContent(content);
    let tree = cache.byObject.get(content);
    if (tree) return tree;
    const key = contentKey(content);
    tree = cache.byKey.get(key);
    if (!tree) {
      tree = leanTree(content);
      cache.byKey.set(key, tree);
    }
    cache.byObject.set(content, tree);
    return tree;
  }

  setTagWriteEnabled(repository: string, tag: string, writeEnabled: boolean): void {
    const found = this.repos.get(repository)?.tags.get(tag);
    if (!found) throw new Error(`${this.name}: no tag ${repository}:${tag}`);
    found.writeEnabled = writeEnabled;
  }

  setRepositoryWriteEnabled(repository: string, writeEnabled: boolean): void {
    const found = this.repos.get(repository);
    if (!found) throw new Error(`${this.name}: no repository ${repository}`);
    found.writeEnabled = writeEnabled;
  }

  setManifestWriteEnabled(repository: string, digest: string, writeEnabled: boolean): void {
    const found = this.repos.get(repository)?.manifests.get(digest);
    if (!found) throw new Error(`${this.name}: no manifest ${repository}@${digest}`);
    found.writeEnabled = writeEnabled;
  }

  deleteTag(repository: string, tag: string): void {
    const repo = this.repos.get(repository);
    if (!repo?.tags.delete(tag)) throw new Error(`${this.name}: no tag ${repository}:${tag}`);
    repo.tagsChanged();
  }
}

export interface SubscriptionState {
  id: string;
  tenantId: string;
  displayName: string;
}

export class EmulatorState {
  readonly clock = new Clock();
  readonly subscriptions = new Map<string, SubscriptionState>();
  readonly registries: RegistryState[] = [];
  readonly principals: Principal[];

  constructor(fixture: Fixture) {
    this.principals = fixture.principals.map((p) => ({ ...p, objectId: guidFrom(`object-id|${p.tenantId}|${p.clientId}`) }));
    const contentCache: ContentCache = { byObject: new WeakMap(), byKey: new Map() };
    for (const sub of fixture.subscriptions) {
      this.subscriptions.set(sub.id.toLowerCase(), { id: sub.id, tenantId: sub.tenantId, displayName: sub.displayName ?? `Subscription ${sub.id.slice(0, 8)}` });
      for (const reg of sub.registries) this.registries.push(new RegistryState(reg, sub.id, sub.tenantId, this.clock, contentCache));
    }
  }

  subscription(id: string): SubscriptionState | undefined {
    return this.subscriptions.get(id.toLowerCase());
  }

  /** Every tenant the emulator knows (of principals and of subscriptions). */
  knowsTenant(tenantId: string): boolean {
    const t = tenantId.toLowerCase();
    return (
      this.principals.some((p) => p.tenantId.toLowerCase() === t) ||
      [...this.subscriptions.values()].some((s) => s.tenantId.toLowerCase() === t)
    );
  }

  principal(tenantId: string, clientId: string): Principal | undefined {
    return this.principals.find(
      (p) => p.tenantId.toLowerCase() === tenantId.toLowerCase() && p.clientId.toLowerCase() === clientId.toLowerCase(),
    );
  }

  registryByName(name: string): RegistryState | undefined {
    return this.registries.find((r) => r.name.toLowerCase() === name.toLowerCase());
  }

  /** ARM resource ids are case-insensitive. */
  registryById(resourceId: string): RegistryState | undefined {
    const id = resourceId.replace(/\/+$/, '').toLowerCase();
    return this.registries.find((r) => r.resourceId.toLowerCase() === id);
  }

  registryByLoginServer(host: string): RegistryState | undefined {
    const h = host.replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
    return this.registries.find((r) => r.loginServer === h);
  }
}
