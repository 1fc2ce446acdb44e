/**
 * `changeableAttributes` updates by PATCH on a repository, a manifest and a tag: who may, what
 * changes, what the locks they set then refuse.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { ACCEPT_MANIFESTS, SUB_A, TENANT, acrAccessToken, principal, registryId, request, type HttpResult } from './support';

function fixture(): Fixture {
  return {
    principals: [
      principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }]),
      principal('puller', [{ role: 'AcrPull', scope: registryId(SUB_A, 'rg', 'reg') }]),
    ],
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT,
        registries: [{ name: 'reg', resourceGroup: 'rg', repositories: { app: { '1.0': { content: { kind: 'image', format: 'docker', seed: 'a' } }, '2.0': { content: { kind: 'image', seed: 'b' } } } } }],
      },
    ],
  };
}

const ALL_TRUE = { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };

describe('emulator: changeableAttributes updates (PATCH)', function () {
  let em: Emulator;
  let writer: string;
  beforeEach(async function () {
    em = await startEmulator({ fixture: fixture() });
    writer = await acrAccessToken(em, 'reg', 'owner', ['repository:app:metadata_read,metadata_write,pull,push,delete']);
  });
  afterEach(() => em.stop());

  const reg = () => em.registry('reg');
  const patch = (path: string, body: unknown, token = writer): Promise<HttpResult> =>
    request(em.caPem, `https://${reg().loginServer}${path}`, { method: 'PATCH', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const digest = (tag: string): string => reg().tags('app').get(tag) ?? '';

  it('needs metadata_write: challenged without a token, refused to AcrPull (its token leaves the action out)', async function () {
    const anonymous = await request(em.caPem, `https://${reg().loginServer}/acr/v1/app`, { method: 'PATCH', body: '{}' });
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /scope="repository:app:metadata_write"$/);
    const puller = await acrAccessToken(em, 'reg', 'puller', ['repository:app:metadata_write']);
    const refused = await patch('/acr/v1/app/_tags/1.0', { writeEnabled: false }, puller);
    assert.equal(refused.status, 401);
    assert.match(String(refused.headers['www-authenticate']), /error="insufficient_scope"/);
    assert.deepEqual(reg().changeableAttributes('app', '1.0'), ALL_TRUE, 'nothing changed');
  });

  it('changes only the fields sent, on the level named, and answers what a GET answers', async function () {
    const tag = await patch('/acr/v1/app/_tags/1.0', { writeEnabled: false });
    assert.equal(tag.status, 200);
    assert.deepEqual(tag.json<{ tag: { name: string; changeableAttributes: unknown } }>().tag.changeableAttributes, { ...ALL_TRUE, writeEnabled: false });
    assert.deepEqual(reg().changeableAttributes('app', '1.0'), { ...ALL_TRUE, writeEnabled: false });
    assert.deepEqual(reg().changeableAttributes('app', digest('1.0')), ALL_TRUE, 'the manifest keeps its own');
    const manifest = await patch(`/acr/v1/app/_manifests/${digest('2.0')}`, { deleteEnabled: false, readEnabled: false });
    const m = manifest.json<{ manifest: { digest: string; tags: string[]; changeableAttributes: unknown } }>().manifest;
    assert.deepEqual([m.digest, m.tags, m.changeableAttributes], [digest('2.0'), ['2.0'], { ...ALL_TRUE, deleteEnabled: false, readEnabled: false }]);
    const repo = await patch('/acr/v1/app', { listEnabled: false });
    assert.deepEqual(repo.json<{ imageName: string; tagCount: number; changeableAttributes: unknown }>().changeableAttributes, { ...ALL_TRUE, listEnabled: false });
    const read = await request(em.caPem, `https://${reg().loginServer}/acr/v1/app`, { headers: { Authorization: `Bearer ${writer}` } });
    assert.deepEqual(read.json(), repo.json(), 'a GET after answers the same');
    assert.equal(em.log.count('acr.tag'), 1);
    assert.equal(em.log.count('acr.repository'), 2);
  });

  it('puts the locks it sets into force: a write-locked tag takes no push, a delete-locked tag no deletion', async function () {
    await patch('/acr/v1/app/_tags/1.0', { writeEnabled: false });
    await patch('/acr/v1/app/_tags/2.0', { deleteEnabled: false });
    const manifest = await request(em.caPem, `https://${reg().loginServer}/v2/app/manifests/2.0`, { headers: { Authorization: `Bearer ${writer}`, Accept: ACCEPT_MANIFESTS } });
    const push = await request(em.caPem, `https://${reg().loginServer}/v2/app/manifests/1.0`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${writer}`, 'Content-Type': String(manifest.headers['content-type']) },
      body: manifest.body,
    });
    assert.equal(push.status, 405);
    const del = await request(em.caPem, `https://${reg().loginServer}/acr/v1/app/_tags/2.0`, { method: 'DELETE', headers: { Authorization: `Bearer ${writer}` } });
    assert.equal(del.status, 405);
    assert.equal(reg().tags('app').get('2.0'), digest('2.0'), 'still there');
  });

  it('refuses manifest and tag changes in a locked repository (405), bad bodies (400), unknown targets (404)', async function () {
    await patch('/acr/v1/app', { writeEnabled: false });
    for (const path of ['/acr/v1/app/_tags/1.0', `/acr/v1/app/_manifests/${digest('1.0')}`]) {
      const refused = await patch(path, { writeEnabled: true });
      assert.equal(refused.status, 405, path);
      assert.equal(refused.json<{ errors: { code: string }[] }>().errors[0]?.code, 'REGISTRY_DISALLOWED_OPERATION');
    }
    assert.deepEqual(reg().changeableAttributes('app', '1.0'), ALL_TRUE);
    assert.equal((await patch('/acr/v1/app', { writeEnabled: true })).status, 200, 'the repository itself is unlocked by its own PATCH');
    for (const body of ['not json', '[]', { writeEnabled: 'no' }]) assert.equal((await patch('/acr/v1/app', body)).status, 400, JSON.stringify(body));
    assert.equal((await patch('/acr/v1/app/_tags/nope', {})).json<{ errors: { code: string }[] }>().errors[0]?.code, 'TAG_UNKNOWN');
    assert.equal((await patch(`/acr/v1/app/_manifests/sha256:${'0'.repeat(64)}`, {})).json<{ errors: { code: string }[] }>().errors[0]?.code, 'MANIFEST_UNKNOWN');
    const other = await acrAccessToken(em, 'reg', 'owner', ['repository:ghost:metadata_write']);
    assert.equal((await patch('/acr/v1/ghost', {}, other)).json<{ errors: { code: string }[] }>().errors[0]?.code, 'NAME_UNKNOWN');
  });
});
