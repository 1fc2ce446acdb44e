import { strict as assert } from 'node:assert';
import { apiHostOf, canonicalRepositoryName } from '../../../src/azure/oci/sourceAddress';

describe('azure/oci: source addresses', () => {
  it("serves Docker Hub's API on registry-1.docker.io, whichever of its names is given", () => {
    for (const host of ['docker.io', 'index.docker.io', 'registry.hub.docker.com', 'Docker.IO', 'registry-1.docker.io']) {
      assert.equal(apiHostOf(host), 'registry-1.docker.io', host);
    }
  });

  it('leaves every other host as given, port included', () => {
    for (const host of ['ghcr.io', 'quay.io', '127.0.0.1:5000', 'myreg.azurecr.io', 'docker.io.example.com', 'hub.docker.com']) {
      assert.equal(apiHostOf(host), host);
    }
  });

  it("puts Docker Hub's one-segment names under library/, and nothing else", () => {
    assert.equal(canonicalRepositoryName('docker.io', 'nginx'), 'library/nginx');
    assert.equal(canonicalRepositoryName('index.docker.io', 'alpine'), 'library/alpine');
    assert.equal(canonicalRepositoryName('docker.io', 'library/nginx'), 'library/nginx');
    assert.equal(canonicalRepositoryName('docker.io', 'bitnami/redis'), 'bitnami/redis');
    assert.equal(canonicalRepositoryName('ghcr.io', 'nginx'), 'nginx');
    assert.equal(canonicalRepositoryName('127.0.0.1:5000', 'app'), 'app');
  });
});
