import type { Fixture, RegistryFixture, TagFixture } from '../emulator/api';

/**
 * The demo's two registries, in two subscriptions of one tenant: a production registry with a
 * few dozen repositories (nested names, Helm charts, multi-arch images, tags sharing a digest,
 * legacy repositories to ignore, both manifest families: the platform images, the worker and
 * the Node base images are Docker's, v2 schema 2 and manifest lists, the rest OCI) and a
 * disaster-recovery copy that is partly filled, with one tag re-tagged since the last copy and
 * one tag locked.
 */
export const DEMO_TENANT = '7e4c1d2a-0b5f-4c3e-9a61-2f8d3b9c5e10';
export const DEMO_CLIENT_ID = '3c9b5f0e-8d21-4a7c-b6e4-91d0a2f3c7b8';
export const DEMO_CLIENT_SECRET = 'demo-only-secret-not-a-real-one';
export const SOURCE_SUBSCRIPTION = 'a1b2c3d4-1111-4aaa-8bbb-0123456789ab';
export const TARGET_SUBSCRIPTION = 'f9e8d7c6-2222-4ccc-9ddd-ba9876543210';
export const SOURCE_REGISTRY = 'contosoprod';
export const TARGET_REGISTRY = 'contosodr';

const image = (seed: string): TagFixture => ({ content: { kind: 'image', seed } });
const helm = (chart: string, version: string): TagFixture => ({ content: { kind: 'helm', seed: `${chart}-${version}`, chart, version } });
const multiArch = (seed: string, format: 'oci' | 'docker' = 'oci'): TagFixture => ({ content: { kind: 'index', seed, format, platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] } });
const dockerImage = (seed: string): TagFixture => ({ content: { kind: 'image', format: 'docker', seed } });

/** Several tags on one manifest, as release pipelines push them (1.4.0, 1.4, latest…). */
function release(seed: string, ...tags: string[]): Record<string, TagFixture> {
  return Object.fromEntries(tags.map((t) => [t, image(seed)]));
}

/** The same, pushed by `docker push`: a Docker v2 schema 2 image. */
function dockerRelease(seed: string, ...tags: string[]): Record<string, TagFixture> {
  return Object.fromEntries(tags.map((t) => [t, dockerImage(seed)]));
}

function sourceRepositories(): Record<string, Record<string, TagFixture>> {
  const repos: Record<string, Record<string, TagFixture>> = {
    api: { ...release('api-1.3.2', '1.3.2', '1.3'), ...release('api-1.4.0', '1.4.0', '1.4', 'latest', 'stable') },
    web: { ...release('web-2.0.0', '2.0.0'), ...release('web-2.1.0', '2.1.0', 'latest') },
    worker: dockerRelease('worker-5', '5.0.1', 'latest'),
    'billing/api': { ...release('billing-api-2.0-rebuilt', '2.0'), ...release('billing-api-2.1', '2.1', 'latest') },
    'billing/worker': release('billing-worker-1', '1.0.0', 'latest'),
    'platform/ingress/controller': dockerRelease('ingress-1.11', 'v1.11.2', 'v1.11'),
    'platform/ingress/defaultbackend': dockerRelease('defaultbackend-1.5', '1.5'),
    'platform/cert-manager/webhook': dockerRelease('cm-webhook-1.15', 'v1.15.3'),
    'base/runtime': { '22.04': multiArch('runtime-22.04'), jammy: multiArch('runtime-22.04'), '24.04': multiArch('runtime-24.04'), latest: multiArch('runtime-24.04') },
    'base/node': { '20': multiArch('node-20', 'docker'), '22': multiArch('node-22', 'docker'), lts: multiArch('node-22', 'docker') },
    'charts/api': { '1.0.0': helm('api', '1.0.0'), '1.1.0': helm('api', '1.1.0') },
    'charts/web': { '0.9.0': helm('web', '0.9.0'), '1.0.0': helm('web', '1.0.0') },
    'charts/platform': { '3.2.1': helm('platform', '3.2.1') },
    'legacy/monolith': release('monolith-9', '9.9.9'),
    'legacy/batch': release('batch-old', '0.1'),
    'sandbox/tmp-experiment': release('tmp-exp', 'scratch'),
  };
  for (const team of ['analytics', 'catalog', 'checkout', 'identity', 'search', 'shipping']) {
    for (const service of ['api', 'jobs', 'ui']) {
      repos[`${team}/${service}`] = release(`${team}-${service}-1`, '1.0.0', 'latest');
    }
  }
  repos['zeta/edge-proxy'] = release('edge-proxy-3', '3.0.0');
  repos['0-tools/debug'] = release('debug-tools', '2026.11');
  return repos;
}

/** What the DR registry already holds: part copied before, one re-tag since, one lock. */
function targetRepositories(): Record<string, Record<string, TagFixture>> {
  return {
    api: release('api-1.3.2', '1.3.2', '1.3'),
    // `latest` was moved in production since the last copy: re-tagged.
    web: { ...release('web-2.0.0', '2.0.0', 'latest') },
    worker: dockerRelease('worker-5', '5.0.1', 'latest'),
    // 2.0 was rebuilt in production, but the DR copy is locked: never touched, warned.
    'billing/api': { '2.0': { content: { kind: 'image', seed: 'billing-api-2.0' }, writeEnabled: false } },
    'charts/api': { '1.0.0': helm('api', '1.0.0') },
    'catalog/api': release('catalog-api-1', '1.0.0', 'latest'),
    'catalog/jobs': release('catalog-jobs-1', '1.0.0', 'latest'),
  };
}

/** Other registries in the subscriptions, so finding one by name pages through ARM's list. */
function neighbours(prefix: string, resourceGroup: string, count: number): RegistryFixture[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${String(i + 1).padStart(2, '0')}`, resourceGroup }));
}

export function demoFixture(): Fixture {
  return {
    principals: [
      {
        tenantId: DEMO_TENANT,
        clientId: DEMO_CLIENT_ID,
        secret: DEMO_CLIENT_SECRET,
        roles: [
          { role: 'AcrPull', scope: `/subscriptions/${SOURCE_SUBSCRIPTION}` },
          { role: 'Reader', scope: `/subscriptions/${SOURCE_SUBSCRIPTION}` },
          { role: 'Contributor', scope: `/subscriptions/${TARGET_SUBSCRIPTION}` },
        ],
      },
    ],
    subscriptions: [
      {
        id: SOURCE_SUBSCRIPTION,
        tenantId: DEMO_TENANT,
        registries: [...neighbours('teamsandbox', 'rg-sandbox', 24), { name: SOURCE_REGISTRY, resourceGroup: 'rg-prod', sku: 'Premium', repositories: sourceRepositories() }],
      },
      {
        id: TARGET_SUBSCRIPTION,
        tenantId: DEMO_TENANT,
        registries: [{ name: TARGET_REGISTRY, resourceGroup: 'rg-dr', location: 'westeurope', sku: 'Premium', repositories: targetRepositories() }, ...neighbours('drscratch', 'rg-dr', 3)],
      },
    ],
  };
}

