import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type ManagedIdentityRecord } from '../../testkit/emulator';
import { SUB_A, TENANT, basicFixture, claimsOf, request } from './support';

describe('emulator: the machine’s managed-identity endpoint', function () {
  let em: Emulator;

  before(async function () {
    const fixture = basicFixture();
    fixture.principals.push(
      { tenantId: TENANT, clientId: 'vm-identity', managedIdentity: 'systemAssigned', roles: [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }] },
      { tenantId: TENANT, clientId: 'user-identity', managedIdentity: 'userAssigned', roles: [] },
    );
    em = await startEmulator({ fixture, tokenLifetimeSeconds: 90 });
  });
  after(() => em.stop());
  beforeEach(() => em.log.clear());

  /** `header: null` sends no X-IDENTITY-HEADER. */
  const ask = (query: Record<string, string>, header: string | null = em.managedIdentity.header) => {
    const url = new URL(em.managedIdentity.endpoint);
    for (const [k, v] of Object.entries({ 'api-version': '2019-08-01', ...query })) url.searchParams.set(k, v);
    return request(em.caPem, url.toString(), { headers: header ? { 'X-IDENTITY-HEADER': header } : {} });
  };

  it('gives the system-assigned identity a token for the resource asked, in App Service’s shape', async function () {
    const res = await ask({ resource: em.armEndpoint });
    assert.equal(res.status, 200);
    const body = res.json<{ access_token: string; expires_on: string; resource: string; token_type: string; client_id: string }>();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.resource, em.armEndpoint);
    assert.equal(body.client_id, 'vm-identity');
    assert.match(body.expires_on, /^\d+$/);
    const claims = claimsOf(body.access_token);
    assert.equal(claims.aud, em.armEndpoint);
    assert.equal(claims.appid, 'vm-identity');
    assert.equal(claims.tid, TENANT);
    assert.equal(Number(body.expires_on), claims.exp);
    assert.equal(Number(claims.exp) - Number(claims.iat), 90);
    assert.deepEqual(em.log.entries()[0]?.body, { resource: em.armEndpoint } satisfies ManagedIdentityRecord);

    // ARM accepts it like any Entra token of that principal.
    const list = await request(em.caPem, `${em.armEndpoint}/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries?api-version=2023-07-01`, {
      headers: { Authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(list.status, 200, list.text);
  });

  it('gives a user-assigned identity its own token by client id', async function () {
    const res = await ask({ resource: 'https://containerregistry.azure.net', client_id: 'user-identity' });
    assert.equal(res.status, 200);
    assert.equal(claimsOf(res.json<{ access_token: string }>().access_token).appid, 'user-identity');
    assert.equal((await ask({ resource: em.armEndpoint, client_id: 'owner' })).status, 400, 'an app registration is no managed identity');
  });

  it('refuses a missing or wrong identity header, and requests without api-version or resource', async function () {
    assert.equal((await ask({ resource: em.armEndpoint }, null)).status, 401);
    assert.equal((await ask({ resource: em.armEndpoint }, 'guess')).status, 401);
    assert.equal((await ask({})).status, 400);
    const noVersion = new URL(em.managedIdentity.endpoint);
    noVersion.searchParams.set('resource', em.armEndpoint);
    assert.equal((await request(em.caPem, noVersion.toString(), { headers: { 'X-IDENTITY-HEADER': em.managedIdentity.header } })).status, 400);
    assert.ok(!JSON.stringify(em.log.entries()).includes(em.managedIdentity.header), 'the header is never logged');
  });
});
