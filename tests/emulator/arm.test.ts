import { strict as assert } from 'node:assert';
import { ClientSecretCredential } from '@azure/identity';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { OTHER_TENANT, SUB_A, SUB_B, TENANT, claimsOf, entraToken, principal, registryId, request, sleep } from './support';

/** Five registries in SUB_A over two resource groups, one in SUB_B (another tenant). */
function fixture(): Fixture {
  return {
    principals: [
      principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }]),
      principal('rg-reader', [{ role: 'Reader', scope: `/subscriptions/${SUB_A}/resourceGroups/rg-one` }]),
      principal('one-puller', [{ role: 'AcrPull', scope: registryId(SUB_A, 'rg-two', 'reg4') }]),
      principal('nobody', []),
      { tenantId: OTHER_TENANT, clientId: 'b-owner', secret: 'secret-of-b-owner', roles: [{ role: 'Owner', scope: `/subscriptions/${SUB_B}` }] },
    ],
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT,
        registries: [
          { name: 'reg1', resourceGroup: 'rg-one', sku: 'Standard' },
          { name: 'reg2', resourceGroup: 'rg-one', publicNetworkAccess: 'Disabled', networkRuleBypassOptions: 'None' },
          { name: 'reg3', resourceGroup: 'rg-one', azureADAuthenticationAsArmPolicy: 'disabled' },
          { name: 'reg4', resourceGroup: 'rg-two' },
          { name: 'reg5', resourceGroup: 'rg-two', location: 'eastus' },
        ],
      },
      { id: SUB_B, tenantId: OTHER_TENANT, registries: [{ name: 'other', resourceGroup: 'b-rg' }] },
    ],
  };
}

describe('emulator: ARM registries', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: fixture(), armPageSize: 2, tokenLifetimeSeconds: 600 });
  });
  after(() => em.stop());

  const client = (clientId: string, subscription = SUB_A, tenant = TENANT): ContainerRegistryManagementClient =>
    new ContainerRegistryManagementClient(
      new ClientSecretCredential(tenant, clientId, `secret-of-${clientId}`, { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } }),
      subscription,
      { endpoint: em.armEndpoint, credentials: { scopes: [`${em.armEndpoint}/.default`] }, tlsOptions: { ca: em.caPem }, retryOptions: { maxRetries: 0 } },
    );

  const armGet = async (clientId: string, path: string, tenant = TENANT) =>
    request(em.caPem, `${em.armEndpoint}${path}`, { headers: { Authorization: `Bearer ${await entraToken(em, clientId, 'https://management.azure.com', tenant)}` } });

  it('lists every readable registry through nextLink pages (SDK)', async function () {
    const names: string[] = [];
    for await (const r of client('owner').registries.list()) names.push(r.name ?? '');
    assert.deepEqual(names, ['reg1', 'reg2', 'reg3', 'reg4', 'reg5']);
    assert.equal(em.log.count('arm.registries.list', 200), 3, 'pages of 2: three requests');
  });

  it('pages with an absolute ARM nextLink carrying $skipToken', async function () {
    const first = await armGet('owner', `/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`);
    assert.equal(first.status, 200);
    const body = first.json<{ value: { name: string }[]; nextLink: string }>();
    assert.deepEqual(body.value.map((r) => r.name), ['reg1', 'reg2']);
    assert.ok(body.nextLink.startsWith(`${em.armEndpoint}/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries?`));
    assert.match(body.nextLink, /[?&]\$skipToken=[^&]+/);
    assert.match(body.nextLink, /api-version=2025-11-01/);
    const last = await armGet('owner', `/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01&%24skiptoken=${new URL(body.nextLink).searchParams.get('$skipToken') ?? ''}`);
    assert.deepEqual(last.json<{ value: { name: string }[] }>().value.map((r) => r.name), ['reg3', 'reg4'], 'az re-encodes $skiptoken; still understood');
  });

  it('lists only registries the caller may read (AcrPull alone has no registries/read)', async function () {
    const byRg: string[] = [];
    for await (const r of client('rg-reader').registries.list()) byRg.push(r.name ?? '');
    assert.deepEqual(byRg, ['reg1', 'reg2', 'reg3']);
    const one: string[] = [];
    for await (const r of client('one-puller').registries.list()) one.push(r.name ?? '');
    assert.deepEqual(one, [], 'AcrPull grants pull/read, not Microsoft.ContainerRegistry/registries/read');
    const none: string[] = [];
    for await (const r of client('nobody').registries.list()) none.push(r.name ?? '');
    assert.deepEqual(none, []);
  });

  it('lists by resource group', async function () {
    const names: string[] = [];
    for await (const r of client('owner').registries.listByResourceGroup('rg-two')) names.push(r.name ?? '');
    assert.deepEqual(names, ['reg4', 'reg5']);
  });

  it('gets a registry with its login server, network settings and policies', async function () {
    const r = await client('owner').registries.get('rg-one', 'reg2');
    assert.equal(r.id, registryId(SUB_A, 'rg-one', 'reg2'));
    assert.equal(r.type, 'Microsoft.ContainerRegistry/registries');
    assert.equal(r.loginServer, em.registry('reg2').loginServer);
    assert.match(r.loginServer ?? '', /^127\.0\.0\.1:\d+$/);
    assert.equal(r.publicNetworkAccess, 'Disabled');
    assert.equal(r.networkRuleBypassOptions, 'None');
    assert.equal(r.sku.name, 'Premium');
    assert.equal(r.provisioningState, 'Succeeded');
    const raw = await armGet('owner', `/subscriptions/${SUB_A}/resourceGroups/rg-one/providers/Microsoft.ContainerRegistry/registries/reg3?api-version=2022-02-01-preview`);
    assert.equal(raw.json<{ properties: { policies: { azureADAuthenticationAsArmPolicy: { status: string } } } }>().properties.policies.azureADAuthenticationAsArmPolicy.status, 'disabled');
  });

  it('answers ARM errors: ResourceNotFound, ResourceGroupNotFound, SubscriptionNotFound, AuthorizationFailed', async function () {
    const missing = await armGet('owner', `/subscriptions/${SUB_A}/resourceGroups/rg-one/providers/Microsoft.ContainerRegistry/registries/nope?api-version=2025-11-01`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json<{ error: { code: string } }>().error.code, 'ResourceNotFound');
    const noGroup = await armGet('owner', `/subscriptions/${SUB_A}/resourceGroups/nope/providers/Microsoft.ContainerRegistry/registries/nope?api-version=2025-11-01`);
    assert.equal(noGroup.json<{ error: { code: string } }>().error.code, 'ResourceGroupNotFound');
    const noSub = await armGet('owner', `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`);
    assert.equal(noSub.status, 404);
    assert.equal(noSub.json<{ error: { code: string } }>().error.code, 'SubscriptionNotFound');
    // AcrPull on reg4 itself does not let one-puller read it through ARM, let alone reg1.
    for (const [rg, name] of [['rg-one', 'reg1'], ['rg-two', 'reg4']]) {
      const forbidden = await armGet('one-puller', `/subscriptions/${SUB_A}/resourceGroups/${rg}/providers/Microsoft.ContainerRegistry/registries/${name}?api-version=2025-11-01`);
      assert.equal(forbidden.status, 403);
      const e = forbidden.json<{ error: { code: string; message: string } }>().error;
      assert.equal(e.code, 'AuthorizationFailed');
      assert.match(e.message, new RegExp(`^The client 'one-puller' with object id '[0-9a-f-]{36}' does not have authorization to perform action 'Microsoft\\.ContainerRegistry/registries/read' over scope '/subscriptions/.+/registries/${name}'`));
    }
    await assert.rejects(client('owner').registries.get('rg-one', 'nope'), (err: { statusCode?: number; code?: string }) => err.statusCode === 404 && err.code === 'ResourceNotFound');
  });

  it('needs an api-version', async function () {
    const res = await armGet('owner', `/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries`);
    assert.equal(res.status, 400);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'MissingApiVersionParameter');
  });

  it('refuses missing, forged, wrong-audience, expired and other-tenant tokens with 401', async function () {
    const url = `${em.armEndpoint}/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`;
    const none = await request(em.caPem, url);
    assert.equal(none.status, 401);
    assert.equal(none.json<{ error: { code: string } }>().error.code, 'InvalidAuthenticationToken');
    assert.match(String(none.headers['www-authenticate']), /^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/", error="invalid_token"/);

    const good = await entraToken(em, 'owner', 'https://management.core.windows.net/');
    const [h, c] = good.split('.');
    const forged = await request(em.caPem, url, { headers: { Authorization: `Bearer ${h}.${c}.AAAA` } });
    assert.equal(forged.json<{ error: { code: string } }>().error.code, 'InvalidAuthenticationToken');

    const acr = await entraToken(em, 'owner', em.acrAudience);
    const wrongAud = await request(em.caPem, url, { headers: { Authorization: `Bearer ${acr}` } });
    assert.equal(wrongAud.status, 401);
    assert.match(wrongAud.json<{ error: { message: string } }>().error.message, /wrong audience/);

    const foreign = await armGet('b-owner', `/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`, OTHER_TENANT);
    assert.equal(foreign.status, 401);
    assert.equal(foreign.json<{ error: { code: string } }>().error.code, 'InvalidAuthenticationTokenTenant');
    const own = await armGet('b-owner', `/subscriptions/${SUB_B}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`, OTHER_TENANT);
    assert.deepEqual(own.json<{ value: { name: string }[] }>().value.map((r) => r.name), ['other']);

    em.setTokenLifetimeSeconds(1);
    try {
      const shortLived = await entraToken(em, 'owner', 'https://management.azure.com');
      assert.equal(Number(claimsOf(shortLived).exp) - Number(claimsOf(shortLived).iat), 1);
      await sleep(1100);
      const expired = await request(em.caPem, url, { headers: { Authorization: `Bearer ${shortLived}` } });
      assert.equal(expired.status, 401);
      assert.equal(expired.json<{ error: { code: string } }>().error.code, 'ExpiredAuthenticationToken');
    } finally {
      em.setTokenLifetimeSeconds(600);
    }
  });

  it('accepts all three ARM audiences, with or without trailing slash', async function () {
    for (const aud of [em.armEndpoint, `${em.armEndpoint}/`, 'https://management.azure.com/', 'https://management.core.windows.net']) {
      const token = await entraToken(em, 'owner', aud);
      const res = await request(em.caPem, `${em.armEndpoint}/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200, aud);
    }
  });
});
