/**
 * Repository-scoped ACR tokens, the admin user and service principals (app id and secret) on an
 * emulated registry: importImage takes
 * them as `source.credentials` with a `registryUri`, and the data plane's `GET /oauth2/token`
 * takes them as Basic credentials (docker's flow), so a generic OCI client can list and pull.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { RegistryClient } from '../../testkit/ociRegistry';
import { failureMessage, importToEnd } from './importRunner';
import { ACCEPT_MANIFESTS, SUB_A, principal, request, sourceAndDstFixture } from './support';

const READER = { username: 'reader', password: 'reader-pw-1' };
const SRC_ID = `/subscriptions/${SUB_A}/resourceGroups/src-rg/providers/Microsoft.ContainerRegistry/registries/src`;
/** AcrPull on the source registry only; `nobody` has no role there; `elsewhere` is of another tenant. */
const PULLER = principal('puller-app', [{ role: 'AcrPull', scope: SRC_ID }]);
const NOBODY = principal('nobody-app', [{ role: 'AcrPull', scope: `/subscriptions/${SUB_A}/resourceGroups/dst-rg` }]);
const ELSEWHERE = principal('elsewhere-app', [{ role: 'AcrPull', scope: SRC_ID }], { tenantId: 'e15e0000-0000-4000-8000-000000000001' });
const asUser = (p: { clientId: string; secret?: string }) => ({ username: p.clientId, password: p.secret ?? '' });

function fixture(): Fixture {
  return sourceAndDstFixture(
    {
      name: 'src',
      resourceGroup: 'src-rg',
      repositories: {
        app: { '1.0': { content: { kind: 'image', seed: 'app-1' } } },
        'team/api': { v2: { content: { kind: 'index', seed: 'api', platforms: ['linux/amd64', 'linux/arm64'] } } },
        secret: { '1': { content: { kind: 'image', seed: 'secret' } } },
      },
      tokens: [
        {
          name: 'reader',
          passwords: ['reader-pw-1', 'reader-pw-2'],
          actions: ['repositories/app/content/read', 'repositories/app/metadata/read', 'repositories/team/*/content/read'],
        },
        { name: 'off', passwords: ['off-pw'], actions: ['repositories/app/content/read'], status: 'disabled' },
      ],
      adminUser: { password: 'admin-pw' },
    },
    [PULLER, NOBODY, ELSEWHERE],
  );
}

describe('emulator: ACR repository-scoped tokens and the admin user', function () {
  let em: Emulator;
  before(async () => {
    em = await startEmulator({ fixture: fixture(), importRetryAfterSeconds: 1, importDurationMs: 0 });
  });
  after(() => em.stop());

  const src = (): string => em.registry('src').loginServer;

  it('imports with a token whose scope map covers the repository (by name and by wildcard), reading no HTTPS', async () => {
    const app = await importToEnd(em, { source: { registryUri: src(), sourceImage: 'app:1.0', credentials: READER }, targetTags: ['app:1.0'] });
    assert.equal(app.status, 200, app.text);
    assert.equal(em.registry('dst').tags('app').get('1.0'), em.registry('src').tags('app').get('1.0'));
    const second = { username: 'reader', password: 'reader-pw-2' };
    const api = await importToEnd(em, { source: { registryUri: src(), sourceImage: 'team/api:v2', credentials: second }, targetTags: ['team/api:v2'] });
    assert.equal(api.status, 200, api.text);
    assert.equal(em.registry('dst').tags('team/api').get('v2'), em.registry('src').tags('team/api').get('v2'));
    const admin = await importToEnd(em, { source: { registryUri: src(), sourceImage: 'secret:1', credentials: { username: 'src', password: 'admin-pw' } }, targetTags: ['secret:1'] });
    assert.equal(admin.status, 200, admin.text);
    // An emulated ACR is read from its state, not over HTTPS.
    assert.deepEqual(em.remoteReads(), []);
  });

  it('refuses, in Azure\'s unauthorized words, a repository outside the scope map, a wrong password, a disabled token and no credentials', async () => {
    const cases: [string, unknown][] = [
      ['secret:1', READER],
      ['app:1.0', { username: 'reader', password: 'wrong' }],
      ['app:1.0', { username: 'off', password: 'off-pw' }],
      ['app:1.0', undefined],
    ];
    for (const [sourceImage, credentials] of cases) {
      const failed = await importToEnd(em, { source: { registryUri: src(), sourceImage, ...(credentials ? { credentials } : {}) }, targetTags: ['refused:x'] });
      assert.equal(failed.status, 400, sourceImage);
      assert.match(failureMessage(failed), /Invalid message Unauthorized Unauthorized .*"code":"UNAUTHORIZED"/);
    }
    assert.equal(em.registry('dst').tags('refused').size, 0);
    const logged = JSON.stringify(em.log.entries());
    for (const secret of ['reader-pw-1', 'wrong', 'off-pw', 'admin-pw']) assert.ok(!logged.includes(secret), `${secret} is not in the request log`);
  });

  it('answers GET /oauth2/token with Basic token credentials: the scopes its scope map allows, nothing more', async () => {
    const basic = `Basic ${Buffer.from(`${READER.username}:${READER.password}`).toString('base64')}`;
    const url = `https://${src()}/oauth2/token?service=${encodeURIComponent(src())}&scope=${encodeURIComponent('repository:app:pull,push')}&scope=${encodeURIComponent('repository:secret:pull')}`;
    const answer = await request(em.caPem, url, { headers: { Authorization: basic } });
    assert.equal(answer.status, 200, answer.text);
    const token = answer.json<{ access_token: string }>().access_token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string; access: unknown };
    assert.equal(claims.sub, 'reader');
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'app', actions: ['pull'] }]);
    const pulled = await request(em.caPem, `https://${src()}/v2/app/manifests/1.0`, { headers: { Authorization: `Bearer ${token}`, Accept: ACCEPT_MANIFESTS } });
    assert.equal(pulled.status, 200);
    const refused = await request(em.caPem, `https://${src()}/v2/secret/manifests/1`, { headers: { Authorization: `Bearer ${token}`, Accept: ACCEPT_MANIFESTS } });
    assert.equal(refused.status, 401);
    const wrong = await request(em.caPem, url, { headers: { Authorization: `Basic ${Buffer.from('reader:nope').toString('base64')}` } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json<{ errors: { code: string }[] }>().errors[0]?.code, 'UNAUTHORIZED');
    // Anonymous pull is off: no token without credentials.
    assert.equal((await request(em.caPem, url)).status, 401);
  });

  it('lets a generic OCI client with a token list tags and pull, as its challenges ask', async () => {
    const client = new RegistryClient({ host: src(), ca: em.caPem, credentials: READER });
    const tags = await client.request('GET', '/v2/app/tags/list');
    assert.equal(tags.status, 200, tags.body.toString());
    assert.deepEqual(JSON.parse(tags.body.toString()), { name: 'app', tags: ['1.0'] });
    const head = await client.request('HEAD', '/v2/app/manifests/1.0', { headers: { accept: ACCEPT_MANIFESTS } });
    assert.equal(head.status, 200);
    assert.equal(head.headers['docker-content-digest'], em.registry('src').tags('app').get('1.0'));
    // content/read only on team/*: it can pull but not list (Azure/acr#690).
    assert.equal((await client.request('GET', '/v2/team/api/tags/list')).status, 401);
    assert.equal((await client.request('GET', '/v2/team/api/manifests/v2', { headers: { accept: ACCEPT_MANIFESTS } })).status, 200);
    // A token never lists the catalog.
    assert.equal((await client.request('GET', '/v2/_catalog')).status, 401);
  });

  it('signs in a service principal of the registry\'s tenant with its app id and secret, as its roles allow: importImage and GET /oauth2/token', async () => {
    const imported = await importToEnd(em, { source: { registryUri: src(), sourceImage: 'secret:1', credentials: asUser(PULLER) }, targetTags: ['by-principal:1'] });
    assert.equal(imported.status, 200, imported.text);
    assert.equal(em.registry('dst').tags('by-principal').get('1'), em.registry('src').tags('secret').get('1'));
    for (const credentials of [asUser(NOBODY), asUser(ELSEWHERE), { username: PULLER.clientId, password: 'not-its-secret' }]) {
      const refused = await importToEnd(em, { source: { registryUri: src(), sourceImage: 'app:1.0', credentials }, targetTags: ['refused-principal:x'] });
      assert.equal(refused.status, 400, credentials.username);
      assert.match(failureMessage(refused), /Invalid message Unauthorized Unauthorized/);
    }
    assert.equal(em.registry('dst').tags('refused-principal').size, 0);
    // AcrPull reads and lists (the catalog included), never pushes.
    const basic = `Basic ${Buffer.from(`${PULLER.clientId}:${PULLER.secret ?? ''}`).toString('base64')}`;
    const url = `https://${src()}/oauth2/token?service=${encodeURIComponent(src())}&scope=${encodeURIComponent('repository:app:pull,push')}&scope=${encodeURIComponent('registry:catalog:*')}`;
    const answer = await request(em.caPem, url, { headers: { Authorization: basic } });
    assert.equal(answer.status, 200, answer.text);
    const claims = JSON.parse(Buffer.from(answer.json<{ access_token: string }>().access_token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string; access: unknown };
    assert.equal(claims.sub, PULLER.clientId);
    assert.deepEqual(claims.access, [
      { type: 'repository', name: 'app', actions: ['pull'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
    const client = new RegistryClient({ host: src(), ca: em.caPem, credentials: asUser(PULLER) });
    assert.equal((await client.request('GET', '/v2/_catalog')).status, 200);
    assert.equal((await request(em.caPem, url, { headers: { Authorization: `Basic ${Buffer.from(`${NOBODY.clientId}:${NOBODY.secret ?? ''}`).toString('base64')}` } })).status, 401, 'no role on the registry: no sign-in');
    const logged = JSON.stringify(em.log.entries());
    assert.ok(!logged.includes(PULLER.secret ?? '-'), 'the secret is not in the request log');
  });
});
