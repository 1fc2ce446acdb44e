/**
 * Manifest GET/HEAD content negotiation, both families: what a client gets for the media types
 * its Accept names (testkit/emulator/manifestNegotiation.ts has the sources).
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { ACCEPT_MANIFESTS, SUB_A, TENANT, acrAccessToken, principal, request, type HttpResult } from './support';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

const OCI_MANIFEST_REFUSED = 'OCI manifest found, but accept header does not support OCI manifests';
const OCI_INDEX_REFUSED = 'OCI index found, but accept header does not support OCI indexes';
const SCHEMA2_REFUSED = 'Schema 2 manifest not supported by client';

function fixture(): Fixture {
  return {
    principals: [principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }])],
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT,
        registries: [
          {
            name: 'reg',
            resourceGroup: 'rg',
            repositories: {
              mixed: {
                oci: { content: { kind: 'image', seed: 'oci' } },
                index: { content: { kind: 'index', seed: 'index', platforms: ['linux/amd64', 'linux/arm64'] } },
                chart: { content: { kind: 'helm', seed: 'chart', chart: 'c', version: '1.0.0' } },
                docker: { content: { kind: 'image', format: 'docker', seed: 'docker' } },
                list: { content: { kind: 'index', format: 'docker', seed: 'list', platforms: ['linux/arm64', 'linux/amd64'] } },
                'arm-only': { content: { kind: 'index', format: 'docker', seed: 'arm', platforms: ['linux/arm64', 'linux/arm/v7'] } },
              },
            },
          },
        ],
      },
    ],
  };
}

describe('emulator: manifest content negotiation (GET and HEAD)', function () {
  let em: Emulator;
  let token: string;
  before(async function () {
    em = await startEmulator({ fixture: fixture() });
    token = await acrAccessToken(em, 'reg', 'owner', ['repository:mixed:pull']);
  });
  after(() => em.stop());

  const digestOf = (tag: string): string => em.registry('reg').tags('mixed').get(tag) ?? '';
  const fetch = (reference: string, accept?: string | string[], method = 'GET'): Promise<HttpResult> => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (accept !== undefined) headers.Accept = Array.isArray(accept) ? accept.join(', ') : accept;
    return request(em.caPem, `https://${em.registry('reg').loginServer}/v2/mixed/manifests/${reference}`, { method, headers });
  };
  const refusal = (res: HttpResult): [number, string | undefined, string | undefined] => {
    const error = res.json<{ errors: { code: string; message: string }[] }>().errors[0];
    return [res.status, error?.code, error?.message];
  };

  it('OCI image manifests and Helm charts: only to a client naming the OCI manifest type, by tag or digest', async function () {
    for (const accept of [undefined, '*/*', DOCKER_V2, `${DOCKER_V2}, ${DOCKER_LIST}, ${OCI_INDEX}`]) {
      for (const reference of ['oci', digestOf('oci'), 'chart']) {
        assert.deepEqual(refusal(await fetch(reference, accept)), [404, 'MANIFEST_UNKNOWN', OCI_MANIFEST_REFUSED], `${reference} with ${String(accept)}`);
      }
    }
    const ok = await fetch('oci', OCI_MANIFEST);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-type'], OCI_MANIFEST);
    assert.equal(ok.headers['docker-content-digest'], digestOf('oci'));
    assert.equal((await fetch('chart', OCI_MANIFEST)).status, 200);
  });

  it('OCI indexes: only to a client naming the index type; a Docker list type is not enough', async function () {
    for (const accept of [undefined, OCI_MANIFEST, DOCKER_LIST, `${OCI_MANIFEST}, ${DOCKER_V2}, ${DOCKER_LIST}`]) {
      assert.deepEqual(refusal(await fetch('index', accept)), [404, 'MANIFEST_UNKNOWN', OCI_INDEX_REFUSED], String(accept));
      assert.deepEqual(refusal(await fetch(digestOf('index'), accept)), [404, 'MANIFEST_UNKNOWN', OCI_INDEX_REFUSED]);
    }
    const ok = await fetch('index', OCI_INDEX);
    assert.deepEqual([ok.status, ok.headers['content-type'], ok.headers['docker-content-digest']], [200, OCI_INDEX, digestOf('index')]);
  });

  it('Docker v2 images: by digest whatever the Accept; by tag only to a client naming the schema 2 type', async function () {
    for (const accept of [undefined, '*/*', OCI_MANIFEST]) {
      const byDigest = await fetch(digestOf('docker'), accept);
      assert.deepEqual([byDigest.status, byDigest.headers['content-type']], [200, DOCKER_V2], String(accept));
      assert.deepEqual(refusal(await fetch('docker', accept)), [400, 'MANIFEST_INVALID', SCHEMA2_REFUSED], String(accept));
    }
    const ok = await fetch('docker', DOCKER_V2);
    assert.deepEqual([ok.status, ok.headers['content-type'], ok.headers['docker-content-digest']], [200, DOCKER_V2, digestOf('docker')]);
    assert.equal(`sha256:${createHash('sha256').update(ok.body).digest('hex')}`, digestOf('docker'));
  });

  it('Docker manifest lists: by tag to a client without the list type, its linux/amd64 image instead (with that digest)', async function () {
    const list = await fetch('list', DOCKER_LIST);
    assert.deepEqual([list.status, list.headers['content-type'], list.headers['docker-content-digest']], [200, DOCKER_LIST, digestOf('list')]);
    const amd64 = list.json<{ manifests: { digest: string; platform: { architecture: string } }[] }>().manifests.find((m) => m.platform.architecture === 'amd64')?.digest;
    // A client accepting schema 2 images only gets the image, not the list it asked for by tag.
    for (const method of ['GET', 'HEAD']) {
      const image = await fetch('list', DOCKER_V2, method);
      assert.deepEqual([image.status, image.headers['content-type'], image.headers['docker-content-digest']], [200, DOCKER_V2, amd64], method);
    }
    assert.deepEqual(refusal(await fetch('list', undefined)), [400, 'MANIFEST_INVALID', SCHEMA2_REFUSED]);
    assert.deepEqual(refusal(await fetch('list', [OCI_MANIFEST, OCI_INDEX])), [400, 'MANIFEST_INVALID', SCHEMA2_REFUSED]);
    assert.deepEqual(refusal(await fetch('arm-only', DOCKER_V2)), [404, 'MANIFEST_UNKNOWN', 'manifest unknown'], 'no linux/amd64 image');
    // By digest, the list itself: a registry answers no other bytes for a digest.
    const byDigest = await fetch(digestOf('list'), OCI_MANIFEST);
    assert.deepEqual([byDigest.status, byDigest.headers['docker-content-digest']], [200, digestOf('list')]);
  });

  it('HEAD answers what GET answers, without a body: the same refusals and the same digests', async function () {
    for (const [reference, accept] of [['oci', undefined], ['index', OCI_MANIFEST], ['docker', undefined], ['oci', OCI_MANIFEST], ['list', DOCKER_LIST], ['list', ACCEPT_MANIFESTS]] as const) {
      const get = await fetch(reference, accept);
      const head = await fetch(reference, accept, 'HEAD');
      assert.equal(head.status, get.status, `${reference} ${String(accept)}`);
      assert.equal(head.body.length, 0);
      assert.equal(head.headers['docker-content-digest'], get.headers['docker-content-digest']);
      assert.equal(head.headers['content-type'], get.headers['content-type']);
      assert.equal(head.headers['content-length'], String(get.body.length));
    }
  });

  it('reads Accept as distribution does: every listed type, parameters and case ignored', async function () {
    assert.equal((await fetch('oci', `application/json;q=0.5, ${OCI_MANIFEST.toUpperCase()} ; q=0.9`)).status, 200);
    assert.equal((await fetch('index', `${OCI_MANIFEST},${OCI_INDEX}`)).status, 200, 'no space after the comma');
    const everything = await Promise.all(['oci', 'index', 'chart', 'docker', 'list'].map((t) => fetch(t, ACCEPT_MANIFESTS)));
    assert.deepEqual(everything.map((r) => r.headers['docker-content-digest']), ['oci', 'index', 'chart', 'docker', 'list'].map(digestOf), 'every type named: each manifest as it is');
  });
});
