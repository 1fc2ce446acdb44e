/**
 * The benchmark's world: one tenant, one principal (Contributor on the subscription, enough
 * to list both registries and import), a source registry of N repositories × T tags (20 unless
 * a run asks for another shape: issue 15's rows of 1,000 × 1,000 and 100 × 10,000) and a
 * target that is identical (no-op), empty (full) or drifted by 10 % of its tags (drift), all
 * made by the emulator's generator (`generateRegistries`): nested names, releases whose tags
 * share a manifest (`1.4.2`, `1.4`, `1`, `latest`), multi-arch indexes and Helm charts.
 */
import type { Fixture } from '../testkit/emulator/api';
import { generateRegistries, type TargetKind } from '../testkit/emulator/generate';

export const TENANT = '5b0c3f1e-7d2a-4e8b-9c61-0a1b2c3d4e5f';
export const CLIENT_ID = '8e2d4f6a-1b3c-4d5e-8f70-112233445566';
export const CLIENT_SECRET = 'bench-only-secret-not-a-real-one';
export const SUBSCRIPTION = 'c0ffee00-1234-4abc-8def-0123456789ab';
export const SOURCE = 'benchsource';
export const TARGET = 'benchtarget';
export const RESOURCE_GROUP = 'rg-bench';
/** Tags per repository of the benchmark's usual rows (issue 5's N × 20). */
export const TAGS_PER_REPOSITORY = 20;
export const SEED = 'acr-transfer-bench';

export type Sku = 'Basic' | 'Standard' | 'Premium';

export interface WorldSpec {
  repositories: number;
  /** Tags per source repository; default TAGS_PER_REPOSITORY. */
  tagsPerRepository?: number;
  /** A 'drifted' target differs in the generator's default 10 % of the source's tags. */
  target: TargetKind;
  sourceSku?: Sku;
  targetSku?: Sku;
  /** The source lets anyone pull (`anonymousPullEnabled`): how a client with no Azure identity reads it by address. */
  sourceAnonymousPull?: boolean;
}

export interface World {
  fixture: Fixture;
  source: string;
  target: string;
  subscriptionId: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Which generator made it, with its seed. */
  generator: string;
  /** The generator's own count of (repository, manifest) pairs to import: a cross-check. */
  importsNeeded: number;
}

export function buildWorld(spec: WorldSpec): World {
  const generated = generateRegistries({
    repositories: spec.repositories,
    tagsPerRepository: spec.tagsPerRepository ?? TAGS_PER_REPOSITORY,
    seed: SEED,
    target: spec.target,
    source: { name: SOURCE, resourceGroup: RESOURCE_GROUP, sku: spec.sourceSku ?? 'Premium' },
    targetRegistry: { name: TARGET, resourceGroup: RESOURCE_GROUP, sku: spec.targetSku ?? 'Premium' },
  });
  const fixture: Fixture = {
    principals: [
      {
        tenantId: TENANT,
        clientId: CLIENT_ID,
        secret: CLIENT_SECRET,
        roles: [{ role: 'Contributor', scope: `/subscriptions/${SUBSCRIPTION}` }],
      },
    ],
    subscriptions: [
      {
        id: SUBSCRIPTION,
        tenantId: TENANT,
        registries: [spec.sourceAnonymousPull ? { ...generated.source, anonymousPullEnabled: true } : generated.source, generated.target],
      },
    ],
  };
  return {
    fixture,
    source: SOURCE,
    target: TARGET,
    subscriptionId: SUBSCRIPTION,
    tenantId: TENANT,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    generator: `generateRegistries (testkit/emulator/generate.ts), seed "${SEED}"`,
    importsNeeded: generated.summary.importsNeeded,
  };
}

/**
 * Import calls a full sync of `repositories` × `tagsPerRepository` needs (distinct manifests
 * per repository), without starting an emulator: for sizing the ARM pacing run.
 */
export function fullSyncImports(repositories: number, tagsPerRepository: number = TAGS_PER_REPOSITORY): number {
  return generateRegistries({ repositories, tagsPerRepository, seed: SEED, target: 'empty' }).summary.importsNeeded;
}
