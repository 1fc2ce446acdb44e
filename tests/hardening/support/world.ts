/**
 * The world every fault scenario runs in: a source registry and a target registry in two
 * subscriptions, two service principals with recognisable fake secrets (one per side for the
 * task's two connections; the target one, which can also read the source, for the command
 * line), and content with shared digests, a multi-arch image, a Helm chart and a locked tag, in
 * both manifest families as real registries hold them: team1's images and the base runtime's
 * manifest list are Docker's (v2 schema 2), the rest OCI.
 */
import type { Fixture, RegistryFixture, TagFixture } from '../../../testkit/emulator/api';

export const TENANT = '7e11a000-5ec2-4e7e-8000-0000000000f1';
export const SUB_SOURCE = '5ec2e700-1111-4111-8111-00000000f0a1';
export const SUB_TARGET = '7a29e700-2222-4222-8222-00000000f0b2';
export const SOURCE = 'faultsource';
export const TARGET = 'faulttarget';
export const SOURCE_APP = 'a9900001-3333-4333-8333-00000000f0c3';
export const TARGET_APP = 'a9900002-4444-4444-8444-00000000f0d4';
/** Recognisable fake secrets: none may ever appear in an output, a report or a summary. */
export const SECRETS = { source: 'FAKE-SOURCE-SECRET-4f1c9e', target: 'FAKE-TARGET-SECRET-8b2d7a' };
export const CONNECTIONS = { source: 'c0ffee00-0000-4000-8000-00000000f0e5', target: 'c0ffee00-0000-4000-8000-00000000f0f6' };

export const sourceRegistryId = `/subscriptions/${SUB_SOURCE}/resourceGroups/rg-faults/providers/Microsoft.ContainerRegistry/registries/${SOURCE}`;
export const targetRegistryId = `/subscriptions/${SUB_TARGET}/resourceGroups/rg-faults-dr/providers/Microsoft.ContainerRegistry/registries/${TARGET}`;

/** Values that must never be printed or written. */
export const NEVER_SHOWN = [SECRETS.source, SECRETS.target, SUB_SOURCE, SUB_TARGET, TENANT, sourceRegistryId, targetRegistryId];

const image = (seed: string): TagFixture => ({ content: { kind: 'image', seed } });
const dockerImage = (seed: string): TagFixture => ({ content: { kind: 'image', format: 'docker', seed } });

/** `count` repositories `app00…` with releases sharing digests, plus special cases. */
export function sourceRepositories(count = 12): NonNullable<RegistryFixture['repositories']> {
  const repos: NonNullable<RegistryFixture['repositories']> = {};
  for (let i = 0; i < count; i++) {
    const name = `team${i % 3}/app${String(i).padStart(2, '0')}`;
    const make = i % 3 === 1 ? dockerImage : image;
    repos[name] = { '1.0.0': make(`${name}-1`), '1.0': make(`${name}-1`), '2.0.0': make(`${name}-2`), latest: make(`${name}-2`) };
  }
  repos['base/runtime'] = { '24.04': { content: { kind: 'index', format: 'docker', seed: 'rt', platforms: ['linux/amd64', 'linux/arm64'] } } };
  repos['charts/app'] = { '1.2.3': { content: { kind: 'helm', seed: 'chart', chart: 'app', version: '1.2.3' } } };
  repos['locked/app'] = { stable: image('locked-new') };
  return repos;
}

/** The target before the run: a few repositories in sync, one re-tagged tag, one lock. */
export function targetRepositories(): NonNullable<RegistryFixture['repositories']> {
  return {
    'team0/app00': { '1.0.0': image('team0/app00-1'), '1.0': image('team0/app00-1'), '2.0.0': image('team0/app00-2'), latest: image('team0/app00-1') },
    'locked/app': { stable: { content: { kind: 'image', seed: 'locked-old' }, writeEnabled: false } },
    'target-only/keep': { v1: image('target-only') },
  };
}

export function faultWorld(options: { repositories?: number } = {}): Fixture {
  return {
    principals: [
      {
        tenantId: TENANT,
        clientId: SOURCE_APP,
        secret: SECRETS.source,
        roles: [
          { role: 'Reader', scope: `/subscriptions/${SUB_SOURCE}` },
          { role: 'AcrPull', scope: `/subscriptions/${SUB_SOURCE}` },
        ],
      },
      {
        tenantId: TENANT,
        clientId: TARGET_APP,
        secret: SECRETS.target,
        roles: [
          { role: 'Contributor', scope: `/subscriptions/${SUB_TARGET}` },
          { role: 'Reader', scope: `/subscriptions/${SUB_SOURCE}` },
          { role: 'AcrPull', scope: `/subscriptions/${SUB_SOURCE}` },
        ],
      },
    ],
    subscriptions: [
      { id: SUB_SOURCE, tenantId: TENANT, registries: [{ name: SOURCE, resourceGroup: 'rg-faults', repositories: sourceRepositories(options.repositories) }] },
      { id: SUB_TARGET, tenantId: TENANT, registries: [{ name: TARGET, resourceGroup: 'rg-faults-dr', repositories: targetRepositories() }] },
    ],
  };
}
