import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type ManagedIdentityRecord } from '../../testkit/emulator';
import { FORM, SUB_A, TENANT, basicFixture, claimsOf, form, request } from './support';

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

  /** App Service's 2017-09-01 form, as az 2.45 (msrestazure) sends it: the resource not encoded, header `secret`. */
  const ask2017 = (resource: string, secret: string | null = em.managedIdentity.header, extra = '') =>
    request(em.caPem, `${em.managedIdentity.endpoint}/?resource=${resource}&api-version=2017-09-01${extra}`, { headers: secret === null ? {} : { secret } });

  it('answers App Service’s 2017-09-01 form: the `secret` header, `clientid`, `expires_on` as App Service’s date', async function () {
    const res = await ask2017('https://management.core.windows.net/');
    assert.equal(res.status, 200, res.text);
    const body = res.json<{ access_token: string; expires_on: string; resource: string; token_type: string; client_id: string }>();
    assert.deepEqual(Object.keys(body), ['access_token', 'expires_on', 'resource', 'token_type', 'client_id']);
    assert.equal(body.resource, 'https://management.core.windows.net/');
    assert.equal(body.client_id, 'vm-identity');
    // "11/05/2021 15:18:31 +00:00" (azure-cli's adal_authentication.py), read as %m/%d/%Y %H:%M:%S %z.
    const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2}) \+00:00$/.exec(body.expires_on);
    assert.ok(m, body.expires_on);
    const [, mo, d, y, h, mi, s] = m.map(Number);
    assert.equal(Date.UTC(y, mo - 1, d, h, mi, s) / 1000, claimsOf(body.access_token).exp);
    assert.equal(claimsOf(body.access_token).tid, TENANT);

    const user = await ask2017('https://containerregistry.azure.net', em.managedIdentity.header, '&clientid=user-identity');
    assert.equal(claimsOf(user.json<{ access_token: string }>().access_token).appid, 'user-identity');
  });

  it('refuses the 2017-09-01 form without its secret, with a wrong one, or with the 2019 header instead', async function () {
    assert.equal((await ask2017('https://management.core.windows.net/', null)).status, 401);
    assert.equal((await ask2017('https://management.core.windows.net/', 'guess')).status, 401);
    const other = await request(em.caPem, `${em.managedIdentity.endpoint}/?resource=https://management.core.windows.net/&api-version=2017-09-01`, {
      headers: { 'X-IDENTITY-HEADER': em.managedIdentity.header },
    });
    assert.equal(other.status, 401);
  });

  it('answers the Cloud Shell / VM extension POST (form `resource`, header `Metadata: true`) with every number a string', async function () {
    const post = (headers: Record<string, string>, fields: Record<string, string>) =>
      request(em.caPem, em.managedIdentity.endpoint, { method: 'POST', headers: { ...FORM, ...headers }, body: form(fields) });
    const res = await post({ Metadata: 'true' }, { resource: 'https://management.core.windows.net/' });
    assert.equal(res.status, 200, res.text);
    const body = res.json<Record<string, string>>();
    assert.deepEqual(Object.keys(body), ['access_token', 'refresh_token', 'expires_in', 'expires_on', 'not_before', 'resource', 'token_type']);
    assert.equal(body.refresh_token, '');
    assert.equal(body.expires_in, '90');
    const claims = claimsOf(body.access_token);
    assert.deepEqual([body.expires_on, body.not_before], [String(claims.exp), String(claims.nbf)]);
    assert.equal(claims.appid, 'vm-identity');
    assert.equal(claimsOf((await post({ Metadata: 'true' }, { resource: em.armEndpoint, client_id: 'user-identity' })).json<{ access_token: string }>().access_token).appid, 'user-identity');

    const bare = await post({}, { resource: 'https://management.core.windows.net/' });
    assert.equal(bare.status, 400);
    assert.equal(bare.json<{ error_description: string }>().error_description, 'Required metadata header not specified');
    assert.equal((await post({ Metadata: 'true' }, {})).status, 400);
  });
});
