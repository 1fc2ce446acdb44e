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

export interface StoredManifest extends ManifestBlob {
  createdTime: number;
  lastUpdateTime: number;
}

export interface StoredTag {
  name: string;
  digest: string;
  createdTime: number;
  lastUpdateTime: number;
  writeEnabled: boolean;
  deleteEnabled: boolean;
}

export class Repository {
  readonly manifests = new Map<string, StoredManifest>();
  readonly tags = new Map<string, StoredTag>();
  constructor(
    readonly name: string,
    readonly createdTime: number,
  ) {}

  /** Tags pointing at a digest, sorted by name. */
  tagsOf(digest: string): string[] {
    return [...this.tags.values()].filter((t) => t.digest === digest).map((t) => t.name).sort();
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

  constructor(
    fixture: RegistryFixture,
    readonly subscriptionId: string,
    readonly tenantId: string,
    private readonly clock: Clock,
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
    for (const [repo, tags] of Object.entries(fixture.repositories ?? {})) {
      for (const [tag, tagFixture] of Object.entries(tags)) {
        this.push(repo, tag, tagFixture.content);
        if (tagFixture.writeEnabled === false) this.setTagWriteEnabled(repo, tag, false);
      }
    }
  }

  get loginServer(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Whether trusted Azure services (importImage) may reach this registry. */
  get reachableByAzureServices(): boolean {
    return this.publicNetworkAccess === 'Enabled' || this.networkRuleBypassOptions === 'AzureServices';
  }

  repositories(): string[] {
    return [...this.repos.keys()].sort();
  }

  repository(name: string): Repository | undefined {
    return this.repos.get(name);
  }

  ensureRepository(name: string): Repository {
    let repo = this.repos.get(name);
    if (!repo) {
      repo = new Repository(name, this.clock.now());
      this.repos.set(name, repo);
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

  /** Stores manifests by digest (children first); an existing digest keeps its dates. */
  storeManifests(repository: string, manifests: readonly ManifestBlob[]): void {
    const repo = this.ensureRepository(repository);
    for (const m of manifests) {
      if (repo.manifests.has(m.digest)) continue;
      const now = this.clock.now();
      repo.manifests.set(m.digest, { ...m, createdTime: now, lastUpdateTime: now });
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
  }

  storeTree(repository: string, tree: ManifestTree): string {
    this.storeManifests(repository, [...tree.children, tree.root]);
    return tree.root.digest;
  }

  push(repository: string, tag: string, content: ContentFixture): string {
    const digest = this.storeTree(repository, buildContent(content));
    this.setTag(repository, tag, digest);
    return digest;
  }

  setTagWriteEnabled(repository: string, tag: string, writeEnabled: boolean): void {
    const found = this.repos.get(repository)?.tags.get(tag);
    if (!found) throw new Error(`${this.name}: no tag ${repository}:${tag}`);
    found.writeEnabled = writeEnabled;
  }

  deleteTag(repository: string, tag: string): void {
    const repo = this.repos.get(repository);
    if (!repo?.tags.delete(tag)) throw new Error(`${this.name}: no tag ${repository}:${tag}`);
  }
}

export interface SubscriptionState {
  id: string;
  tenantId: string;
}

export class EmulatorState {
  readonly clock = new Clock();
  readonly subscriptions = new Map<string, SubscriptionState>();
  readonly registries: RegistryState[] = [];
  readonly principals: Principal[];

  constructor(fixture: Fixture) {
    this.principals = fixture.principals.map((p) => ({ ...p, objectId: guidFrom(`object-id|${p.tenantId}|${p.clientId}`) }));
    for (const sub of fixture.subscriptions) {
      this.subscriptions.set(sub.id.toLowerCase(), { id: sub.id, tenantId: sub.tenantId });
      for (const reg of sub.registries) this.registries.push(new RegistryState(reg, sub.id, sub.tenantId, this.clock));
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
