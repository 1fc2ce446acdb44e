/**
 * The OCI 1.1 referrers API and artifacts about manifests (signatures, SBOMs) held in fixtures,
 * attached by the harness or pushed with a `subject`.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { ACCEPT_MANIFESTS, SUB_A, TENANT, acrAccessToken, principal, request, type HttpResult } from './support';

const SIGNATURE = 'application/vnd.cncf.notary.signature';
const SBOM = 'application/spdx+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

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
              app: {
                '1.0': {
                  content: { kind: 'image', format: 'docker', seed: 'app' },
                  referrers: [
                    { artifactType: SIGNATURE, seed: 'sig-1', annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["ab"]' } },
                    { artifactType: SBOM, seed: 'sbom', referrers: [{ artifactType: SIGNATURE, seed: 'sbom-sig' }] },
                    { artifactType: SIGNATURE, seed: 'sig-2' },
                  ],
                },
                plain: { content: { kind: 'image', seed: 'plain' } },
              },
            },
          },
        ],
      },
    ],
  };
}

interface ReferrerIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }[];
}

describe('emulator: referrers', function () {
  let em: Emulator;
  let token: string;
  before(async function () {
    em = await startEmulator({ fixture: fixture() });
    token = await acrAccessToken(em, 'reg', 'owner', ['repository:app:pull,push', 'repository:nope:pull']);
  });
  after(() => em.stop());

  const reg = () => em.registry('reg');
  const subject = (): string => reg().tags('app').get('1.0') ?? '';
  const get = (path: string, auth = true): Promise<HttpResult> =>
    request(em.caPem, `https://${reg().loginServer}${path}`, { headers: auth ? { Authorization: `Bearer ${token}` } : {} });

  it('keeps fixture referrers untagged next to their subject, a referrer of a referrer too', function () {
    const referrers = reg().referrers('app', subject());
    assert.equal(referrers.length, 3);
    assert.equal(reg().tags('app').size, 2, 'referrers carry no tags');
    const sbom = referrers.find((r) => reg().referrers('app', r.digest).length > 0);
    assert.ok(sbom, 'the SBOM has its own signature');
    assert.equal(reg().manifestMediaTypes('app').size, 2 + 3 + 1);
  });

  it('answers an OCI index of descriptors with artifactType and annotations, for a pull token', async function () {
    const anonymous = await get(`/v2/app/referrers/${subject()}`, false);
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /scope="repository:app:pull"$/);
    const res = await get(`/v2/app/referrers/${subject()}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], INDEX);
    assert.equal(res.headers['oci-filters-applied'], undefined);
    const index = res.json<ReferrerIndex>();
    assert.deepEqual([index.schemaVersion, index.mediaType], [2, INDEX]);
    assert.deepEqual(index.manifests.map((m) => m.digest), reg().referrers('app', subject()).map((r) => r.digest));
    assert.deepEqual(index.manifests.map((m) => m.artifactType).sort(), [SIGNATURE, SIGNATURE, SBOM].sort());
    const signed = index.manifests.find((m) => m.annotations !== undefined);
    assert.deepEqual(signed?.annotations, { 'io.cncf.notary.x509chain.thumbprint#S256': '["ab"]' });
    // Each descriptor names a manifest the registry serves with that size and media type.
    for (const m of index.manifests) {
      const served = await request(em.caPem, `https://${reg().loginServer}/v2/app/manifests/${m.digest}`, { headers: { Authorization: `Bearer ${token}`, Accept: ACCEPT_MANIFESTS } });
      assert.deepEqual([served.status, served.body.length, served.headers['content-type']], [200, m.size, m.mediaType]);
      assert.equal(served.json<{ subject: { digest: string } }>().subject.digest, subject());
    }
  });

  it('filters by artifactType (saying so in OCI-Filters-Applied) and pages with Link, keeping the filter', async function () {
    const filtered = await get(`/v2/app/referrers/${subject()}?artifactType=${encodeURIComponent(SIGNATURE)}`);
    assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
    assert.deepEqual(filtered.json<ReferrerIndex>().manifests.map((m) => m.artifactType), [SIGNATURE, SIGNATURE]);
    const seen: string[] = [];
    let path: string | undefined = `/v2/app/referrers/${subject()}?artifactType=${encodeURIComponent(SIGNATURE)}&n=1`;
    while (path) {
      const page = await get(path);
      assert.equal(page.headers['oci-filters-applied'], 'artifactType');
      seen.push(...page.json<ReferrerIndex>().manifests.map((m) => m.digest));
      path = /^<([^>]+)>; rel="next"$/.exec(String(page.headers.link ?? ''))?.[1];
      if (path) assert.match(path, /artifactType=application%2Fvnd\.cncf\.notary\.signature/);
    }
    assert.deepEqual(seen, filtered.json<ReferrerIndex>().manifests.map((m) => m.digest));
  });

  it('answers 200 and an empty index for a digest nothing refers to or the repository lacks; 400 for no digest; 404 for no repository', async function () {
    const plain = reg().tags('app').get('plain') ?? '';
    assert.deepEqual((await get(`/v2/app/referrers/${plain}`)).json<ReferrerIndex>().manifests, []);
    const absent = await get(`/v2/app/referrers/sha256:${'0'.repeat(64)}`);
    assert.deepEqual([absent.status, absent.json<ReferrerIndex>().manifests], [200, []]);
    assert.equal((await get('/v2/app/referrers/latest')).status, 400);
    const missing = await get(`/v2/nope/referrers/${plain}`);
    assert.equal(missing.json<{ errors: { code: string }[] }>().errors[0]?.code, 'NAME_UNKNOWN');
  });

  it('lists a referrer pushed with a subject (201 with OCI-Subject), its artifactType the config type when it has none', async function () {
    const plain = reg().tags('app').get('plain') ?? '';
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.example.report.v1+json', digest: `sha256:${'2'.repeat(64)}`, size: 10 },
      layers: [],
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: plain, size: 400 },
    });
    const put = await request(em.caPem, `https://${reg().loginServer}/v2/app/manifests/sha256:${createHash('sha256').update(body).digest('hex')}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
      body,
    });
    assert.equal(put.status, 201);
    assert.equal(put.headers['oci-subject'], plain);
    const listed = (await get(`/v2/app/referrers/${plain}`)).json<ReferrerIndex>().manifests;
    assert.deepEqual(listed.map((m) => [m.digest, m.artifactType]), [[put.headers['docker-content-digest'], 'application/vnd.example.report.v1+json']]);
    // The harness attaches the same way a client would push.
    const attached = reg().attach('app', plain, { artifactType: SBOM, seed: 'late' });
    assert.ok((await get(`/v2/app/referrers/${plain}`)).json<ReferrerIndex>().manifests.some((m) => m.digest === attached));
    assert.throws(() => reg().attach('app', `sha256:${'9'.repeat(64)}`, { artifactType: SBOM, seed: 'x' }), /no manifest/);
  });
});
