/**
 * `GET /v2/{name}/tags/list` as ACR serves it: a `metadata_read` scope, lexical names, `n`
 * and `last`, the next page in a `Link`.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { SUB_A, TENANT, acrAccessToken, images, principal, registryId, request } from './support';

function fixture(): Fixture {
  return {
    principals: [
      principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }]),
      principal('puller', [{ role: 'AcrPull', scope: registryId(SUB_A, 'rg', 'reg') }]),
    ],
    subscriptions: [{ id: SUB_A, tenantId: TENANT, registries: [{ name: 'reg', resourceGroup: 'rg', repositories: { 'team/app': images(12, 'v') } }] }],
  };
}

describe('emulator: /v2/{name}/tags/list', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: fixture() });
  });
  after(() => em.stop());

  const host = (): string => em.registry('reg').loginServer;
  const list = (path: string, token?: string) => request(em.caPem, `https://${host()}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

  it('challenges for metadata_read (listing tags is metadata on ACR), and a pull token does not list', async function () {
    const anonymous = await list('/v2/team/app/tags/list');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers['www-authenticate'], `Bearer realm="https://${host()}/oauth2/token",service="${host()}",scope="repository:team/app:metadata_read"`);
    const pull = await acrAccessToken(em, 'reg', 'owner', ['repository:team/app:pull']);
    const refused = await list('/v2/team/app/tags/list', pull);
    assert.equal(refused.status, 401);
    assert.match(String(refused.headers['www-authenticate']), /scope="repository:team\/app:metadata_read",error="insufficient_scope"$/);
    assert.equal(em.log.count('acr.tagList', 401), 2);
  });

  it('answers every tag name in lexical order, paged by n and last with a Link; 404 NAME_UNKNOWN for a missing repository', async function () {
    const token = await acrAccessToken(em, 'reg', 'puller', ['repository:team/app:metadata_read', 'repository:nope:metadata_read']);
    const all = await list('/v2/team%2Fapp/tags/list', token);
    assert.equal(all.status, 200);
    assert.equal(all.headers['content-type'], 'application/json; charset=utf-8');
    const names = [...em.registry('reg').tags('team/app').keys()].sort();
    assert.deepEqual(all.json(), { name: 'team/app', tags: names });
    assert.equal(all.headers.link, undefined);

    const seen: string[] = [];
    let path: string | undefined = '/v2/team/app/tags/list?n=5';
    let pages = 0;
    while (path) {
      const page = await list(path, token);
      seen.push(...page.json<{ tags: string[] }>().tags);
      pages += 1;
      path = /^<([^>]+)>; rel="next"$/.exec(String(page.headers.link ?? ''))?.[1];
      if (pages === 1) assert.equal(path, `/v2/team/app/tags/list?last=${names[4]}&n=5&orderby=`);
    }
    assert.deepEqual([pages, seen], [3, names]);
    assert.deepEqual((await list(`/v2/team/app/tags/list?last=${names[10]}`, token)).json<{ tags: string[] }>().tags, [names[11]]);
    const missing = await list('/v2/nope/tags/list', token);
    assert.equal(missing.status, 404);
    assert.equal(missing.json<{ errors: { code: string }[] }>().errors[0]?.code, 'NAME_UNKNOWN');
  });
});
