/**
 * Entra issues tokens only for resources that exist in its tenants: ARM and the registries'
 * audience here. Any other is AADSTS500011, from the token endpoints and, passed through, from
 * the machine's managed-identity endpoint.
 */
import { strict as assert } from 'node:assert';
import { ClientSecretCredential } from '@azure/identity';
import { startEmulator, type Emulator } from '../../testkit/emulator';
import { FORM, SUB_A, TENANT, basicFixture, entraToken, form, principal, request } from './support';

describe('emulator: the resources Entra knows', function () {
  let em: Emulator;
  before(async function () {
    const fixture = basicFixture();
    fixture.principals.push(principal('owner-a', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }]), {
      tenantId: TENANT,
      clientId: 'vm',
      managedIdentity: 'systemAssigned',
      roles: [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }],
    });
    em = await startEmulator({ fixture });
  });
  after(() => em.stop());

  it('Entra issues tokens for ARM and the registries only: any other resource is AADSTS500011', async function () {
    for (const resource of [em.armEndpoint, 'https://management.azure.com/', 'https://management.core.windows.net', em.acrAudience]) {
      assert.ok(await entraToken(em, 'owner-a', resource), resource);
    }
    const refused = await request(em.caPem, `${em.authorityHost}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: FORM,
      body: form({ grant_type: 'client_credentials', client_id: 'owner-a', client_secret: 'secret-of-owner-a', scope: 'https://vault.azure.net/.default' }),
    });
    assert.equal(refused.status, 400);
    const body = refused.json<{ error: string; error_codes: number[]; error_description: string }>();
    assert.equal(body.error, 'invalid_resource');
    assert.deepEqual(body.error_codes, [500011]);
    assert.ok(
      body.error_description.startsWith(
        `AADSTS500011: The resource principal named https://vault.azure.net was not found in the tenant named ${TENANT}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      ),
      body.error_description,
    );
    const v1 = await request(em.caPem, `${em.authorityHost}/${TENANT}/oauth2/token`, {
      method: 'POST',
      headers: FORM,
      body: form({ grant_type: 'client_credentials', client_id: 'owner-a', client_secret: 'secret-of-owner-a', resource: 'https://graph.microsoft.com/' }),
    });
    assert.equal(v1.status, 400);
    assert.match(v1.json<{ error_description: string }>().error_description, /^AADSTS500011: The resource principal named https:\/\/graph\.microsoft\.com\/ was not found/);
    const sdk = new ClientSecretCredential(TENANT, 'owner-a', 'secret-of-owner-a', { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } });
    await assert.rejects(sdk.getToken('https://storage.azure.com/.default'), /AADSTS500011/);
  });

  it('the managed-identity endpoint refuses an unknown resource the same way', async function () {
    const url = (resource: string) => `${em.managedIdentity.endpoint}?api-version=2019-08-01&resource=${encodeURIComponent(resource)}`;
    const ok = await request(em.caPem, url(em.armEndpoint), { headers: { 'X-IDENTITY-HEADER': em.managedIdentity.header } });
    assert.equal(ok.status, 200);
    const refused = await request(em.caPem, url('https://vault.azure.net'), { headers: { 'X-IDENTITY-HEADER': em.managedIdentity.header } });
    assert.equal(refused.status, 400);
    assert.equal(refused.json<{ error: string }>().error, 'invalid_resource');
    assert.match(refused.json<{ error_description: string }>().error_description, /^AADSTS500011: /);
  });
});

describe('emulator: another cloud’s resources (acrAudience, extraArmAudiences)', function () {
  const STACK = 'https://management.contosostack.onmicrosoft.com/6f1c9b3a-52d7-4bd3-9c1e-2f4f1d7a8e10';
  const REGISTRY_AUDIENCE = 'https://containerregistry.azure.us';
  let em: Emulator;
  before(async function () {
    const fixture = basicFixture();
    fixture.principals.push(principal('owner-a', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }]));
    em = await startEmulator({ fixture, acrAudience: REGISTRY_AUDIENCE, extraArmAudiences: [STACK] });
  });
  after(() => em.stop());

  it('issues registry tokens for the configured audience only, as that cloud’s Entra would', async function () {
    assert.equal(em.acrAudience, REGISTRY_AUDIENCE);
    assert.ok(await entraToken(em, 'owner-a', REGISTRY_AUDIENCE));
    await assert.rejects(entraToken(em, 'owner-a', 'https://containerregistry.azure.net'), /400 .*AADSTS500011: The resource principal named https:\/\/containerregistry\.azure\.net was not found/);
  });

  it('issues, accepts and publishes an extra ARM audience as an Azure Stack Hub stamp does', async function () {
    const token = await entraToken(em, 'owner-a', STACK);
    const subscriptions = await request(em.caPem, `${em.armEndpoint}/subscriptions?api-version=2022-12-01`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(subscriptions.status, 200);
    const metadata = await request(em.caPem, `${em.armEndpoint}/metadata/endpoints?api-version=2015-01-01`, {});
    assert.equal(metadata.json<{ authentication: { audiences: string[] } }>().authentication.audiences[0], `${STACK}/`);
    // The data plane takes it as an ARM-audience token (authentication as ARM is on by default).
    const host = em.registry('src').loginServer;
    const exchanged = await request(em.caPem, `https://${host}/oauth2/exchange`, { method: 'POST', headers: FORM, body: form({ grant_type: 'access_token', service: host, access_token: token }) });
    assert.equal(exchanged.status, 200, exchanged.text);
  });
});
