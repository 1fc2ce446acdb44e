/**
 * The emulator's world: subscriptions, principals and registries with their repositories,
 * manifests (stored by digest) and tags. ARM, the data plane and the harness all read and
 * write this one model, so an import seen through ARM is at once visible on the data plane.
 */
import { createHash } from 'node:crypto';
import type { AcrTokenFixture, ChangeableAttributes, ContentFixture, DescriptorFixture, EmulatedRegistry, Fixture, PrincipalFixture, ReferrerFixture, RegistryFixture } from './api';
import { buildContent, descriptorOf, type ManifestTree } from './content';
import { StoredManifest, contentKey, leanTree, type BytesSource, type ContentCache, type LeanTree, type ManifestToStore, type ReferrerFacts } from './storedManifest';

export { StoredManifest, contentKey, type BytesSource, type ContentCache, type ManifestToStore } from './storedManifest';

/** Millisecond clock that never repeats a value, so creation order is also time order. */
export class Clock {
  private last = 0;
  now(): number {
    this.last = Math.max(Date.now(), this.last + 1);
    return this.last;
  }
}

export interface StoredTag extends ChangeableAttributes {
  name: string;
  digest: string;
  createdTime: number;
  lastUpdateTime: number;
}

/** Code-unit order, as registries sort names (and as `last` paging compares them). */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One repository. Tags live in a map; their name-sorted array is built on the first listing
 * after a change and reused until the next one, so paging through a big repository does not
 * sort it again per page. Change tags only through RegistryState (setTag, deleteTag).
 */
export class Repository implements ChangeableAttributes {
  readonly manifests = new Map<string, StoredManifest>();
  readonly tags = new Map<string, StoredTag>();
  private sortedTags: StoredTag[] | undefined;
  /**
   * The repository's own `changeableAttributes.writeEnabled` (`az acr repository update
   * --repository R --write-enabled false`); false = the repository and every image in it locked.
   */
  writeEnabled = true;
  deleteEnabled = true;
  readEnabled = true;
  listEnabled = true;
  constructor(
    readonly name: string,
    readonly createdTime: number,
  ) {}

  /** The manifests whose `subject` is `digest` (its OCI 1.1 referrers), by digest. */
  referrersOf(digest: string): StoredManifest[] {
    const found: StoredManifest[] = [];
    for (const m of this.manifests.values()) if (m.subject === digest) found.push(m);
    return found.sort((a, b) => byName(a.digest, b.digest));
  }

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
  readonly anonymousPullEnabled: boolean;
  readonly networkRuleBypassOptions: 'AzureServices' | 'None';
  readonly aadAuthAsArmPolicy: 'enabled' | 'disabled';
  /** Only reported in the ARM body (the attribute-based mode is not modelled). */
  readonly roleAssignmentMode: 'LegacyRegistryPermissions' | 'AbacRepositoryPermissions';
  readonly creationDate: number;
  /** Repository-scoped tokens and the admin user: who may sign in with a password (registryCredentials.ts). */
  readonly tokens: readonly AcrTokenFixture[];
  readonly adminUser: { password: string } | undefined;
  /** Which registry this data plane plays (ACR, or Docker Hub's personality). */
  readonly flavour: 'acr' | 'dockerHub';
  readonly dockerHubPullLimits: { anonymous: number; authenticated: number };
  /** Set once the registry's data-plane server listens. */
  port = 0;
  private readonly repos = new Map<string, Repository>();
  /**
   * Blobs pushed over the data plane, by repository then digest. Apart from the repositories:
   * blobs alone do not make a repository (the catalog lists those with manifests). Fixture
   * content has no blobs (its layers are descriptors only).
   */
  private readonly pushedBlobs = new Map<string, Map<string, Buffer>>();
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
    this.anonymousPullEnabled = fixture.anonymousPullEnabled ?? false;
    this.networkRuleBypassOptions = fixture.networkRuleBypassOptions ?? 'AzureServices';
    this.aadAuthAsArmPolicy = fixture.azureADAuthenticationAsArmPolicy ?? 'enabled';
    this.roleAssignmentMode = fixture.roleAssignmentMode ?? 'LegacyRegistryPermissions';
    this.creationDate = clock.now();
    this.tokens = fixture.tokens ?? [];
    this.adminUser = fixture.adminUser;
    this.flavour = fixture.flavour ?? 'acr';
    this.dockerHubPullLimits = { anonymous: fixture.dockerHubPullLimits?.anonymous ?? 100, authenticated: fixture.dockerHubPullLimits?.authenticated ?? 200 };
    this.contentCache = contentCache;
    for (const [repo, tags] of Object.entries(fixture.repositories ?? {})) {
      for (const [tag, tagFixture] of Object.entries(tags)) {
        const digest = this.push(repo, tag, tagFixture.content);
        if (tagFixture.writeEnabled === false) this.setTagWriteEnabled(repo, tag, false);
        if (tagFixture.lastUpdateTime !== undefined) this.setTagTime(repo, tag, Date.parse(tagFixture.lastUpdateTime));
        if (tagFixture.manifestWriteEnabled === false) this.setManifestWriteEnabled(repo, digest, false);
        for (const referrer of tagFixture.referrers ?? []) this.attachTree(repo, digest, referrer);
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
      const facts: ReferrerFacts = { subject: m.subject, artifactType: m.artifactType, annotations: m.annotations };
      repo.manifests.set(
        m.digest,
        new StoredManifest(m.digest, m.mediaType, size, source, m.configMediaType, m.platform, m.imageSize, m.references, now, now, facts),
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
    repo.tags.set(tag, { name: tag, digest, createdTime: now, lastUpdateTime: now, writeEnabled: true, deleteEnabled: true, readEnabled: true, listEnabled: true });
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
   * Stores an artifact about the manifest `subjectDigest` of a repository, untagged, as
   * `oras attach` or `notation sign` leave it; returns its digest. The subject must be there
   * (a registry accepts a referrer first, but a fixture that names a missing subject is a
   * mistake).
   */
  attach(repository: string, subjectDigest: string, referrer: Omit<ReferrerFixture, 'referrers'>): string {
    const subject = this.repos.get(repository)?.manifests.get(subjectDigest);
    if (!subject) throw new Error(`${this.name}: no manifest ${repository}@${subjectDigest} to attach to`);
    const content: ContentFixture = {
      kind: 'artifact',
      seed: referrer.seed,
      artifactType: referrer.artifactType,
      subject: descriptorOf(subject),
      ...(referrer.annotations ? { annotations: referrer.annotations } : {}),
      ...(referrer.blobMediaType ? { blobMediaType: referrer.blobMediaType } : {}),
    };
    return this.storeTree(repository, this.treeOf(content));
  }

  /** A referrer and the referrers it has in turn. */
  private attachTree(repository: string, subjectDigest: string, referrer: ReferrerFixture): void {
    const digest = this.attach(repository, subjectDigest, referrer);
    for (const next of referrer.referrers ?? []) this.attachTree(repository, digest, next);
  }

  blob(repository: string, digest: string): Buffer | undefined {
    return this.pushedBlobs.get(repository)?.get(digest);
  }

  putBlob(repository: string, digest: string, bytes: Buffer): void {
    let blobs = this.pushedBlobs.get(repository);
    if (!blobs) this.pushedBlobs.set(repository, (blobs = new Map<string, Buffer>()));
    blobs.set(digest, bytes);
  }

  deleteBlob(repository: string, digest: string): boolean {
    return this.pushedBlobs.get(repository)?.delete(digest) ?? false;
  }

  changeableAttributes(repository: string, reference?: string): ChangeableAttributes | undefined {
    const repo = this.repos.get(repository);
    const held = reference === undefined ? repo : reference.startsWith('sha256:') ? repo?.manifests.get(reference) : repo?.tags.get(reference);
    return held ? { deleteEnabled: held.deleteEnabled, writeEnabled: held.writeEnabled, readEnabled: held.readEnabled, listEnabled: held.listEnabled } : undefined;
  }

  referrers(repository: string, digest: string): DescriptorFixture[] {
    return (this.repos.get(repository)?.referrersOf(digest) ?? []).map(descriptorOf);
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

  /** Back-dates a fixture's tag (tag filters by time are tested on it). */
  private setTagTime(repository: string, tag: string, time: number): void {
    const found = this.repos.get(repository)?.tags.get(tag);
    if (found === undefined) throw new Error(`${this.name}/${repository}: no tag ${tag}`);
    found.createdTime = time;
    found.lastUpdateTime = time;
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
