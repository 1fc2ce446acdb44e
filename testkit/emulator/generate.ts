/**
 * Registries at scale for benchmarks and long-run tests: a source registry whose repositories
 * and tags look like what release pipelines leave behind, and a target derived from it —
 * empty, identical, or drifted by a given share of tags. Deterministic for a seed.
 *
 * What the source looks like:
 * - names nested one to three levels (`payments/ledger-api`, `platform/jobs/sync-worker`,
 *   `library/node-3`, `charts/identity-auth`), spread over many first letters;
 * - image repositories carry releases newest first, each release one manifest tagged the way
 *   pipelines push it: `1.4.2`, and on the newest of its line also `1.4`, `1`, and on the
 *   newest of all `latest`; older patches carry their own version only. Some also have a
 *   development build tagged `main` and `sha-<7 hex>`;
 * - a share of image repositories publish multi-arch indexes (linux/amd64 + linux/arm64,
 *   some also linux/arm/v7);
 * - a share of repositories hold Helm charts: one version tag per chart version;
 * - a share of image repositories (and of multi-arch ones) push the Docker family (image
 *   manifest v2 schema 2, manifest list), the rest OCI, as registries filled over years hold
 *   both (`docker push` and older buildx write Docker types, buildkit and ORAS OCI ones).
 *
 * A drifted target lacks some of the source's tags and has others pointing elsewhere: at an
 * older release of the same repository when there is one (the target was not updated), else
 * at a stale build the source never had.
 */
import type { ContentFixture, ManifestFormat, RegistryFixture, TagFixture } from './api';
import { contentKey } from './state';

export type TargetKind = 'empty' | 'identical' | 'drifted';

/** Registry fields of a generated registry (its repositories are generated). */
export type GeneratedRegistrySettings = Partial<Omit<RegistryFixture, 'repositories'>>;

export interface GenerateOptions {
  /** Number of source repositories. */
  repositories: number;
  /** Tags per source repository. Default 20. */
  tagsPerRepository?: number;
  /** Seed of every random choice; the same options give the same registries. Default 'acr-transfer'. */
  seed?: string | number;
  /** What the target holds. Default 'empty'. */
  target?: TargetKind;
  /** For a 'drifted' target: the share of the source's tags (percent) that differ. Default 10. */
  driftPercent?: number;
  /** Of the drifted tags, the share (percent) missing from the target; the rest are re-tagged. Default 50. */
  missingPercent?: number;
  /** Share (percent) of repositories holding Helm charts. Default 5. */
  helmPercent?: number;
  /** Share (percent) of image repositories whose releases are multi-arch indexes. Default 10. */
  multiArchPercent?: number;
  /**
   * Share (percent) of image and multi-arch repositories in the Docker family (manifest v2
   * schema 2, manifest list) instead of OCI. Default 50. Chosen per repository by its own draw,
   * so names, tags and drift do not depend on it.
   */
  dockerPercent?: number;
  /** Source registry fields. Default name 'source', resource group 'source-rg'. */
  source?: GeneratedRegistrySettings;
  /** Target registry fields. Default name 'target', resource group 'target-rg'. */
  targetRegistry?: GeneratedRegistrySettings;
}

export interface GeneratedRegistries {
  source: RegistryFixture;
  /**
   * The target. An 'identical' target shares its tag objects with the source (read-only
   * fixtures: build another world instead of editing one).
   */
  target: RegistryFixture;
  /** `repository:tag` of the source the target lacks / has pointing elsewhere ('drifted' only). */
  drift: { missing: string[]; retagged: string[] };
  summary: {
    repositories: number;
    tags: number;
    /** Distinct (repository, manifest) pairs the source's tags point at. */
    images: number;
    helmRepositories: number;
    multiArchRepositories: number;
    /** Image and multi-arch repositories holding Docker-family manifests. */
    dockerRepositories: number;
    /** Distinct (repository, source manifest) pairs a sync must import into the target. */
    importsNeeded: number;
    /** Source tags a sync must create or move in the target. */
    tagsToSync: number;
  };
}

/** 32-bit FNV-1a. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for fixtures. */
function prng(seed: string): () => number {
  let a = hash32(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const chance = (random: Random, percent: number): boolean => random() * 100 < percent;

const TEAMS = [
  'analytics', 'billing', 'catalog', 'checkout', 'core', 'data', 'edge', 'finance', 'growth', 'hr', 'identity', 'infra',
  'jobs', 'kiosk', 'logistics', 'media', 'notifications', 'observability', 'partners', 'payments', 'platform', 'qa',
  'reporting', 'search', 'security', 'shipping', 'tools', 'underwriting', 'vendor', 'web', 'xray', 'yield', 'zeta',
] as const;
const LAYERS = ['backend', 'frontend', 'jobs', 'base', 'ops', 'experimental'] as const;
const SERVICES = [
  'admin', 'agent', 'api', 'auth', 'batch', 'cache', 'cli', 'controller', 'exporter', 'frontend', 'gateway', 'indexer',
  'ingest', 'ledger', 'migrator', 'notifier', 'operator', 'profile', 'proxy', 'queue', 'render', 'reporter', 'router',
  'scheduler', 'stream', 'sync', 'upload', 'webhook', 'worker',
] as const;
const QUALIFIERS = ['', '', '', 'legacy', 'v2', 'internal', 'public', 'canary', 'eu', 'us', 'lite', 'gpu'] as const;
const BASES = ['alpine', 'busybox', 'dotnet-runtime', 'golang', 'nginx', 'node', 'openjdk', 'postgres', 'python', 'redis'] as const;

function candidateName(random: Random, helm: boolean): string {
  const service = (): string => {
    const q = pick(random, QUALIFIERS);
    const s = pick(random, SERVICES);
    return q ? `${s}-${q}` : s;
  };
  if (helm) return random() < 0.5 ? `charts/${pick(random, TEAMS)}-${service()}` : `helm/${pick(random, TEAMS)}/${service()}`;
  const r = random();
  if (r < 0.05) return `library/${pick(random, BASES)}-${1 + Math.floor(random() * 30)}`;
  if (r < 0.6) return `${pick(random, TEAMS)}/${service()}`;
  if (r < 0.9) return `${pick(random, TEAMS)}/${pick(random, LAYERS)}/${service()}`;
  return `${pick(random, TEAMS)}-${service()}`;
}

interface Release {
  version: string;
  tags: string[];
}

/** Releases newest first, tagged as pipelines push them, until `count` tags are used. */
function releaseTags(random: Random, count: number, floating: boolean): Release[] {
  const releases: Release[] = [];
  let used = 0;
  let major = 1 + Math.floor(random() * 4);
  let minor = Math.floor(random() * 8);
  let patch = Math.floor(random() * 6);
  let newestOfMajor = true;
  let newestOfMinor = true;
  let build = 0;
  while (used < count) {
    let version: string;
    const tags: string[] = [];
    if (major >= 0) {
      version = `${major}.${minor}.${patch}`;
      tags.push(version);
      if (floating && newestOfMinor) tags.push(`${major}.${minor}`);
      if (floating && newestOfMajor) tags.push(String(major));
      if (floating && releases.length === 0) tags.push('latest');
      newestOfMinor = false;
      newestOfMajor = false;
      patch -= 1;
      if (patch < 0) {
        minor -= 1;
        newestOfMinor = true;
        if (minor < 0) {
          major -= 1;
          newestOfMajor = true;
          minor = 2 + Math.floor(random() * 5);
        }
        patch = Math.floor(random() * 5);
      }
    } else {
      // Every version down to 0.0.0 used: numbered builds.
      build += 1;
      version = `build-${build}`;
      tags.push(version);
    }
    const kept = tags.slice(0, count - used);
    releases.push({ version, tags: kept });
    used += kept.length;
  }
  return releases;
}

const hex7 = (random: Random): string => Math.floor(random() * 0x10000000).toString(16).padStart(7, '0');

interface RepoPlan {
  name: string;
  tags: Record<string, TagFixture>;
  kind: 'image' | 'index' | 'helm';
  format: ManifestFormat;
}

function repositoryTags(name: string, kind: RepoPlan['kind'], format: ManifestFormat, tagCount: number, seed: string): Record<string, TagFixture> {
  const random = prng(`${seed}|tags|${name}`);
  const tags: Record<string, TagFixture> = {};
  const platforms = random() < 0.33 ? ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] : ['linux/amd64', 'linux/arm64'];
  const contentOf = (version: string): ContentFixture => {
    const s = `${seed}|${name}@${version}`;
    if (kind === 'helm') return { kind: 'helm', seed: s, chart: name.split('/').pop() ?? name, version };
    // The OCI family is written without `format`, as fixtures were before Docker content.
    const family = format === 'docker' ? { format } : {};
    if (kind === 'index') return { kind: 'index', seed: s, platforms, ...family };
    return { kind: 'image', seed: s, ...family };
  };
  let left = tagCount;
  // Some image repositories also carry a development build: `main` and `sha-…` on one manifest.
  if (kind !== 'helm' && left >= 4 && random() < 0.3) {
    const sha = hex7(random);
    const dev: TagFixture = { content: contentOf(`main-${sha}`) };
    tags.main = dev;
    tags[`sha-${sha}`] = dev;
    left -= 2;
  }
  for (const release of releaseTags(random, left, kind !== 'helm')) {
    const fixture: TagFixture = { content: contentOf(release.version) };
    for (const t of release.tags) tags[t] = fixture;
  }
  return tags;
}

/** `k` distinct indexes out of `n`, chosen by a partial Fisher–Yates shuffle. */
function sample(random: Random, n: number, k: number): number[] {
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = index[i];
    index[i] = index[j];
    index[j] = t;
  }
  return Array.from(index.subarray(0, k));
}

function percentOption(value: number | undefined, fallback: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || v > 100) throw new Error(`${what} must be a percentage between 0 and 100`);
  return v;
}

export function generateRegistries(options: GenerateOptions): GeneratedRegistries {
  const count = options.repositories;
  const tagsPerRepository = options.tagsPerRepository ?? 20;
  if (!Number.isInteger(count) || count < 0) throw new Error('repositories must be a whole number ≥ 0');
  if (!Number.isInteger(tagsPerRepository) || tagsPerRepository < 1) throw new Error('tagsPerRepository must be a whole number ≥ 1');
  const seed = String(options.seed ?? 'acr-transfer');
  const targetKind = options.target ?? 'empty';
  const driftPercent = percentOption(options.driftPercent, 10, 'driftPercent');
  const missingPercent = percentOption(options.missingPercent, 50, 'missingPercent');
  const helmPercent = percentOption(options.helmPercent, 5, 'helmPercent');
  const multiArchPercent = percentOption(options.multiArchPercent, 10, 'multiArchPercent');
  const dockerPercent = percentOption(options.dockerPercent, 50, 'dockerPercent');

  const random = prng(`${seed}|names`);
  const names = new Set<string>();
  const plans: RepoPlan[] = [];
  for (let i = 0; i < count; i++) {
    const kind: RepoPlan['kind'] = chance(random, helmPercent) ? 'helm' : chance(random, multiArchPercent) ? 'index' : 'image';
    let name = candidateName(random, kind === 'helm');
    for (let attempt = 0; names.has(name) && attempt < 20; attempt++) name = candidateName(random, kind === 'helm');
    if (names.has(name)) {
      const base = name;
      for (let n = 2; names.has(name); n++) name = `${base}-${n}`;
    }
    names.add(name);
    // Its own draw: the other choices (names, tags, drift) stay what they were without it.
    const format: ManifestFormat = kind !== 'helm' && chance(prng(`${seed}|format|${name}`), dockerPercent) ? 'docker' : 'oci';
    plans.push({ name, kind, format, tags: repositoryTags(name, kind, format, tagsPerRepository, seed) });
  }

  const sourceRepos: Record<string, Record<string, TagFixture>> = {};
  let images = 0;
  for (const p of plans) {
    sourceRepos[p.name] = p.tags;
    images += new Set(Object.values(p.tags).map((t) => contentKey(t.content))).size;
  }
  const totalTags = count * tagsPerRepository;

  const drift = { missing: [] as string[], retagged: [] as string[] };
  let targetRepos: Record<string, Record<string, TagFixture>> = {};
  let importsNeeded = 0;
  let tagsToSync = 0;
  if (targetKind === 'identical') {
    targetRepos = { ...sourceRepos };
  } else if (targetKind === 'empty') {
    importsNeeded = images;
    tagsToSync = totalTags;
  } else {
    const driftRandom = prng(`${seed}|drift`);
    const drifted = sample(driftRandom, totalTags, Math.round((totalTags * driftPercent) / 100));
    const missingCount = Math.round((drifted.length * missingPercent) / 100);
    // tag index -> 'missing' | 'retagged', by repository
    const changes = new Map<number, Map<string, 'missing' | 'retagged'>>();
    // Tag names per repository, listed once: a listing per drifted tag is quadratic in the tags
    // per repository (minutes for 100 × 10,000).
    const tagNames = new Map<number, string[]>();
    drifted.forEach((tagIndex, i) => {
      const repoIndex = Math.floor(tagIndex / tagsPerRepository);
      const plan = plans[repoIndex];
      let names = tagNames.get(repoIndex);
      if (!names) {
        names = Object.keys(plan.tags);
        tagNames.set(repoIndex, names);
      }
      const tagName = names[tagIndex % tagsPerRepository];
      let perRepo = changes.get(repoIndex);
      if (!perRepo) {
        perRepo = new Map<string, 'missing' | 'retagged'>();
        changes.set(repoIndex, perRepo);
      }
      perRepo.set(tagName, i < missingCount ? 'missing' : 'retagged');
    });
    plans.forEach((plan, repoIndex) => {
      const perRepo = changes.get(repoIndex);
      if (!perRepo) {
        targetRepos[plan.name] = plan.tags;
        return;
      }
      const tags: Record<string, TagFixture> = {};
      const pairs = new Set<string>();
      const distinctContents = [...new Map(Object.values(plan.tags).map((t) => [contentKey(t.content), t.content]))];
      const positionOf = new Map(distinctContents.map(([k], i) => [k, i]));
      for (const [tag, fixture] of Object.entries(plan.tags)) {
        const change = perRepo.get(tag);
        if (change === undefined) {
          tags[tag] = fixture;
          continue;
        }
        const key = contentKey(fixture.content);
        pairs.add(key);
        tagsToSync += 1;
        if (change === 'missing') {
          drift.missing.push(`${plan.name}:${tag}`);
          continue;
        }
        drift.retagged.push(`${plan.name}:${tag}`);
        // An older release of the same repository, else a stale build the source never had:
        // a pick among the repository's other contents, indexed past this tag's own content
        // instead of copying the others per tag (quadratic in the tags per repository).
        const own = positionOf.get(key) ?? -1;
        const others = distinctContents.length - (own >= 0 ? 1 : 0);
        let content: ContentFixture;
        if (others > 0) {
          const at = Math.floor(driftRandom() * others);
          content = distinctContents[own >= 0 && at >= own ? at + 1 : at][1];
        } else content = { ...fixture.content, seed: `${fixture.content.seed}|stale` };
        tags[tag] = { content };
      }
      importsNeeded += pairs.size;
      if (Object.keys(tags).length > 0) targetRepos[plan.name] = tags;
    });
  }

  const registry = (defaults: { name: string; resourceGroup: string }, settings: GeneratedRegistrySettings | undefined, repositories: Record<string, Record<string, TagFixture>>): RegistryFixture => ({
    ...defaults,
    ...settings,
    repositories,
  });
  return {
    source: registry({ name: 'source', resourceGroup: 'source-rg' }, options.source, sourceRepos),
    target: registry({ name: 'target', resourceGroup: 'target-rg' }, options.targetRegistry, targetRepos),
    drift,
    summary: {
      repositories: count,
      tags: totalTags,
      images,
      helmRepositories: plans.filter((p) => p.kind === 'helm').length,
      multiArchRepositories: plans.filter((p) => p.kind === 'index').length,
      dockerRepositories: plans.filter((p) => p.format === 'docker').length,
      importsNeeded,
      tagsToSync,
    },
  };
}
