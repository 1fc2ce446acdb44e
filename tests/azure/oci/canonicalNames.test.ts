/**
 * Docker Hub's official images: people write `nginx`, Docker Hub knows `library/nginx`. The
 * reader is asked with the name as written and asks the registry with the canonical one, and
 * importImage's `sourceImage` names the canonical one too; other registries' names pass as
 * they are.
 */
import { strict as assert } from 'node:assert';
import { importSourceBody } from '../../../src/azure/arm/importSource';
import { withCanonicalNames } from '../../../src/azure/oci/canonicalNames';
import type { OciRegistryReader } from '../../../src/azure/oci/ociReader';
import { canonicalRepositoryName } from '../../../src/azure/oci/sourceAddress';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function recordingReader(asked: string[]): OciRegistryReader {
  return {
    listRepositories: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true as const, value: undefined }) }) }),
    listTags: (repository) => {
      asked.push(`tags ${repository}`);
      return Promise.resolve([]);
    },
    countReferencedManifests: (repository) => {
      asked.push(`count ${repository}`);
      return Promise.resolve(0);
    },
    listReferrers: (repository) => {
      asked.push(`referrers ${repository}`);
      return Promise.resolve([]);
    },
    hasManifest: (repository) => {
      asked.push(`has ${repository}`);
      return Promise.resolve(true);
    },
    allowance: () => ({ remaining: 7 }),
    currentAllowance: () => Promise.resolve({ remaining: 6 }),
  };
}

describe('azure/oci: Docker Hub names', () => {
  it('asks Docker Hub for library/<name> when a one-segment name is given, under each of its host names', async () => {
    for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
      const asked: string[] = [];
      const reader = withCanonicalNames(recordingReader(asked), host);
      await reader.listTags('nginx');
      await reader.countReferencedManifests!('nginx', DIGEST);
      await reader.listReferrers!('team/tool', DIGEST);
      await reader.hasManifest!('library/redis', DIGEST);
      assert.deepEqual(asked, ['tags library/nginx', 'count library/nginx', 'referrers team/tool', 'has library/redis'], host);
      assert.deepEqual(reader.allowance(), { remaining: 7 });
      assert.deepEqual(await reader.currentAllowance(), { remaining: 6 });
    }
  });

  it('leaves other registries\' names as they are', async () => {
    const asked: string[] = [];
    await withCanonicalNames(recordingReader(asked), 'ghcr.io').listTags('nginx');
    assert.deepEqual(asked, ['tags nginx']);
    assert.equal(canonicalRepositoryName('quay.io', 'nginx'), 'nginx');
  });

  it('names the canonical repository in importImage\'s sourceImage, pinned to the digest', async () => {
    const body = await importSourceBody(
      { registryUri: 'docker.io', credentials: { username: 'bot', password: 'pw' }, sourceRepositoryName: (name) => canonicalRepositoryName('docker.io', name) },
      'nginx',
      DIGEST,
    );
    assert.deepEqual(body, { registryUri: 'docker.io', credentials: { username: 'bot', password: 'pw' }, sourceImage: `library/nginx@${DIGEST}` });
    const token = await importSourceBody({ registryUri: 'other.azurecr.io', credentials: () => Promise.resolve({ password: 'fresh-token' }) }, 'app', DIGEST);
    assert.deepEqual(token, { registryUri: 'other.azurecr.io', credentials: { password: 'fresh-token' }, sourceImage: `app@${DIGEST}` });
  });
});
