import { strict as assert } from 'node:assert';
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { ArmImporter } from '../../src/azure/arm/armImporter';
import { OperationOutcomeRecorder } from '../../src/azure/arm/operationOutcome';
import { ImportFailure, type ImportRequest } from '../../src/engine/ports';

const target = {
  name: 'dst',
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/dst',
  subscriptionId: 's',
  resourceGroup: 'rg',
  loginServer: 'dst.azurecr.io',
};

function importerCallingNothing(): { importer: ArmImporter; calls: unknown[] } {
  const calls: unknown[] = [];
  const client = {
    registries: {
      importImage: (...args: unknown[]) => {
        calls.push(args);
        throw new Error('must not be called');
      },
    },
  } as unknown as ContainerRegistryManagementClient;
  return { importer: new ArmImporter(client, new OperationOutcomeRecorder(), 'https://arm', target, { resourceId: '/subscriptions/x/src' }), calls };
}

const good: ImportRequest = { sourceRepository: 'team/app', targetRepository: 'team/app', sourceDigest: `sha256:${'0'.repeat(64)}`, targetTags: ['1.0'], mode: 'NoForce' };

describe('azure/armImporter (refusals)', () => {
  for (const [label, change] of [
    ['a tag instead of a digest', { sourceDigest: 'latest' }],
    ['a short digest', { sourceDigest: 'sha256:abc' }],
    ['an upper-case digest', { sourceDigest: `sha256:${'A'.repeat(64)}` }],
    ['another algorithm', { sourceDigest: `sha512:${'0'.repeat(128)}` }],
    ['no target tags', { targetTags: [] }],
    ['a tag with a colon', { targetTags: ['a:b'] }],
    ['a repository with a digest in it', { sourceRepository: 'app@sha256:x' }],
    ['a target repository with a tag in it', { targetRepository: 'mirror/app:1' }],
    ['an untagged copy that names tags', { untaggedTargetRepository: 'team/app', mode: 'Force' }],
    ['an untagged copy into a bad repository name', { untaggedTargetRepository: 'Team/App', targetTags: [], mode: 'Force' }],
  ] as [string, Partial<ImportRequest>][]) {
    it(`refuses ${label} without calling ARM`, async () => {
      const { importer, calls } = importerCallingNothing();
      await assert.rejects(importer.importImage({ ...good, ...change }), (e: unknown) => e instanceof ImportFailure);
      assert.equal(calls.length, 0);
    });
  }
});

describe('azure/armImporter (an untagged copy, for a referrer)', () => {
  it('sends untaggedTargetRepositories and no targetTags', async () => {
    const calls: unknown[][] = [];
    const client = {
      registries: {
        importImage: (...args: unknown[]) => {
          calls.push(args);
          return { pollUntilDone: () => Promise.resolve() };
        },
      },
    } as unknown as ContainerRegistryManagementClient;
    const importer = new ArmImporter(client, new OperationOutcomeRecorder(), 'https://arm', target, { resourceId: '/subscriptions/x/src' });
    await importer.importImage({ ...good, targetTags: [], untaggedTargetRepository: 'team/app', mode: 'Force' });
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0][2], {
      source: { resourceId: '/subscriptions/x/src', sourceImage: `team/app@sha256:${'0'.repeat(64)}` },
      untaggedTargetRepositories: ['team/app'],
      mode: 'Force',
    });
  });
});
