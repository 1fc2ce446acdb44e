/**
 * Locks above the tag: a repository locked as a whole and a locked manifest, as fixtures and
 * harness knobs set them, as the data plane shows them (`GET /acr/v1/{repo}`, the manifest
 * listing and single read) and as importImage and pushes meet them: refused, all or nothing.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { SUB_A, TENANT, acrAccessToken, entraToken, principal, registryId, request, type HttpResult } from './support';

const SRC = registryId(SUB_A, 'rg', 'src');
const image = (seed: string) => ({ content: { kind: 'image' as const, seed } });

function fixture(): Fixture {
  return {
    principals: [principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }])],
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT,
        registries: [
          { name: 'src', resourceGroup: 'rg', repositories: { app: { '1.0': image('one'), '2.0': image('two'), old: image('pinned') } } },
          {
            name: 'dst',
            resourceGroup: 'rg',
            repositories: {
              frozen: { '1.0': image('frozen') },
              // `release` points at a locked manifest; the tag itself is not locked.
              app: { release: { ...image('pinned'), manifestWriteEnabled: false }, other: image('other') },
            },
            lockedRepositories: ['frozen'],
          },
        ],
      },
    ],
  };
}

describe('emulator: locked repositories and manifests', function () {
  let em: Emulator;
  beforeEach(async function () {
    em = await startEmulator({ fixture: fixture(), importRetryAfterSeconds: 0, importDurationMs: 0 });
  });
  afterEach(() => em.stop());

  const host = (): string => em.registry('dst').loginServer;
  const read = async (path: string, scope: string): Promise<HttpResult> =>
    request(em.caPem, `https://${host()}${path}`, { headers: { Authorization: `Bearer ${await acrAccessToken(em, 'dst', 'owner', [scope])}` } });
  const digestOf = (registry: string, repo: string, tag: string): string => em.registry(registry).tags(repo).get(tag) ?? '';

  async function importToEnd(body: unknown): Promise<HttpResult> {
    const token = await entraToken(em, 'owner', 'https://management.azure.com');
    const url = `${em.armEndpoint}/subscriptions/${SUB_A}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/dst/importImage?api-version=2025-11-01`;
    const accepted = await request(em.caPem, url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(accepted.status, 202, accepted.text);
    return request(em.caPem, String(accepted.headers.location), { headers: { Authorization: `Bearer ${token}` } });
  }
  const errorOf = (res: HttpResult): { code: string; message: string } => res.json<{ error: { code: string; message: string } }>().error;

  it('answers GET /acr/v1/{repo} with the repository lock, its counts, and NAME_UNKNOWN for a missing one', async function () {
    const frozen = await read('/acr/v1/frozen', 'repository:frozen:metadata_read');
    assert.equal(frozen.status, 200);
    const body = frozen.json<Record<string, unknown>>();
    assert.deepEqual(Object.keys(body), ['registry', 'imageName', 'createdTime', 'lastUpdateTime', 'manifestCount', 'tagCount', 'changeableAttributes']);
    assert.deepEqual(body.changeableAttributes, { deleteEnabled: true, writeEnabled: false, readEnabled: true, listEnabled: true });
    assert.equal(body.tagCount, 1);
    assert.equal(body.manifestCount, 1);
    const open = await read('/acr/v1/app', 'repository:app:metadata_read');
    assert.equal(open.json<{ changeableAttributes: { writeEnabled: boolean } }>().changeableAttributes.writeEnabled, true);
    const missing = await read('/acr/v1/nope', 'repository:nope:metadata_read');
    assert.equal(missing.status, 404);
    assert.equal(missing.json<{ errors: { code: string }[] }>().errors[0]?.code, 'NAME_UNKNOWN');
    assert.equal(em.log.count('acr.repository', 200), 2);
  });

  it('asks for the repository metadata_read scope, and keeps _catalog, _tags and _manifests their own routes', async function () {
    const challenged = await request(em.caPem, `https://${host()}/acr/v1/frozen`);
    assert.equal(challenged.status, 401);
    assert.match(String(challenged.headers['www-authenticate']), /scope="repository:frozen:metadata_read"/);
    await read('/acr/v1/frozen/_tags', 'repository:frozen:metadata_read');
    await read('/acr/v1/frozen/_manifests', 'repository:frozen:metadata_read');
    assert.equal(em.log.count('acr.tags'), 1);
    assert.equal(em.log.count('acr.manifests'), 1);
    assert.equal(em.log.count('acr.repository'), 1, 'only the challenged read');
  });

  it('shows a manifest lock in the listing and the single read, apart from its tag', async function () {
    const pinned = digestOf('dst', 'app', 'release');
    const listing = await read('/acr/v1/app/_manifests', 'repository:app:metadata_read');
    const manifests = listing.json<{ manifests: { digest: string; changeableAttributes: { writeEnabled: boolean } }[] }>().manifests;
    assert.deepEqual(manifests.map((m) => [m.digest, m.changeableAttributes.writeEnabled]).sort(), [[pinned, false], [digestOf('dst', 'app', 'other'), true]].sort());
    const single = await read(`/acr/v1/app/_manifests/${pinned}`, 'repository:app:metadata_read');
    assert.equal(single.json<{ manifest: { changeableAttributes: { writeEnabled: boolean } } }>().manifest.changeableAttributes.writeEnabled, false);
    const tags = await read('/acr/v1/app/_tags', 'repository:app:metadata_read');
    const release = tags.json<{ tags: { name: string; changeableAttributes: { writeEnabled: boolean } }[] }>().tags.find((t) => t.name === 'release');
    assert.equal(release?.changeableAttributes.writeEnabled, true, 'the tag itself is not locked');
  });

  it('fails an import into a locked repository, new tags included, and writes nothing', async function () {
    const before = em.registry('dst').tags('frozen');
    const res = await importToEnd({ source: { resourceId: SRC, sourceImage: `app@${digestOf('src', 'app', '2.0')}` }, targetTags: ['frozen:2.0'], mode: 'NoForce' });
    assert.equal(res.status, 409);
    assert.equal(errorOf(res).code, 'InvalidParameters');
    assert.match(errorOf(res).message, / Repository frozen is locked in the target registry \(writeEnabled: false\): the operation is disallowed/);
    assert.deepEqual(em.registry('dst').tags('frozen'), before);
    assert.equal(em.registry('dst').hasManifest('frozen', digestOf('src', 'app', '2.0')), false);
  });

  it('fails an import that would tag a locked manifest, or move a tag off one; all or nothing', async function () {
    const dst = em.registry('dst');
    const pinned = digestOf('dst', 'app', 'release');
    assert.equal(pinned, digestOf('src', 'app', 'old'), 'the same content on both sides');
    const onto = await importToEnd({ source: { resourceId: SRC, sourceImage: `app@${pinned}` }, targetTags: ['app:stable'], mode: 'NoForce' });
    assert.equal(onto.status, 409);
    assert.match(errorOf(onto).message, new RegExp(` Manifest app@${pinned} is locked in the target registry`));
    assert.equal(dst.tags('app').has('stable'), false);

    const off = await importToEnd({ source: { resourceId: SRC, sourceImage: `app@${digestOf('src', 'app', '2.0')}` }, targetTags: ['app:release', 'app:fresh'], mode: 'Force' });
    assert.equal(off.status, 409);
    assert.match(errorOf(off).message, new RegExp(` Tag app:release points at manifest ${pinned}, which is locked in the target registry`));
    assert.equal(dst.tags('app').get('release'), pinned);
    assert.equal(dst.tags('app').has('fresh'), false, 'the other tag of the call was not written either');

    const elsewhere = await importToEnd({ source: { resourceId: SRC, sourceImage: `app@${digestOf('src', 'app', '2.0')}` }, targetTags: ['app:other'], mode: 'Force' });
    assert.equal(elsewhere.status, 200, 'a tag on an unlocked manifest still moves');
    assert.equal(dst.tags('app').get('other'), digestOf('src', 'app', '2.0'));
  });

  it('lets the harness lock and unlock a repository and a manifest', async function () {
    const dst = em.registry('dst');
    dst.setRepositoryWriteEnabled('frozen', true);
    dst.setManifestWriteEnabled('app', digestOf('dst', 'app', 'release'), true);
    const res = await importToEnd({ source: { resourceId: SRC, sourceImage: `app@${digestOf('src', 'app', '1.0')}` }, targetTags: ['frozen:1.0', 'app:release'], mode: 'Force' });
    assert.equal(res.status, 200, res.text);
    assert.equal(dst.tags('frozen').get('1.0'), digestOf('src', 'app', '1.0'));
    dst.setRepositoryWriteEnabled('app', false);
    const again = await importToEnd({ source: { resourceId: SRC, sourceImage: `app@${digestOf('src', 'app', '2.0')}` }, targetTags: ['app:brand-new'], mode: 'NoForce' });
    assert.equal(again.status, 409);
    assert.throws(() => dst.setRepositoryWriteEnabled('nope', false), /no repository nope/);
    assert.throws(() => dst.setManifestWriteEnabled('app', `sha256:${'0'.repeat(64)}`, false), /no manifest/);
  });

  it('refuses pushes into a locked repository, onto a locked manifest and off one with 405, and tag deletes in a locked repository', async function () {
    const token = await acrAccessToken(em, 'dst', 'owner', ['repository:frozen:pull,push,delete', 'repository:app:pull,push,delete']);
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 2 }, layers: [] });
    const put = (repo: string, tag: string, body = manifest, type = 'application/vnd.oci.image.manifest.v1+json') =>
      request(em.caPem, `https://${host()}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': type }, body });
    const code = (res: HttpResult) => res.json<{ errors: { code: string }[] }>().errors[0]?.code;

    const intoFrozen = await put('frozen', 'new');
    assert.equal(intoFrozen.status, 405);
    assert.equal(code(intoFrozen), 'REGISTRY_DISALLOWED_OPERATION');
    const del = await request(em.caPem, `https://${host()}/acr/v1/frozen/_tags/1.0`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(del.status, 405);

    const off = await put('app', 'release');
    assert.equal(off.status, 405, 'the tag would leave a locked manifest');
    const pinnedBytes = await request(em.caPem, `https://${host()}/v2/app/manifests/release`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    const onto = await put('app', 'copy', pinnedBytes.body.toString('utf8'), String(pinnedBytes.headers['content-type']));
    assert.equal(onto.status, 405, 'the locked manifest pushed again under a new tag');
    assert.equal((await put('app', 'fresh')).status, 201);
    assert.deepEqual([...em.registry('dst').tags('app').keys()].sort(), ['fresh', 'other', 'release']);
  });

  it('refuses a fixture that locks a repository it does not have', async function () {
    const bad = fixture();
    bad.subscriptions[0].registries[1].lockedRepositories = ['ghost'];
    await assert.rejects(startEmulator({ fixture: bad }), /locked repository 'ghost' is not among its repositories/);
  });
});
