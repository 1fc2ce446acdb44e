import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture, type RoleName } from '../../testkit/emulator';
import type { RolePermissions as Permission } from '../../testkit/emulator/roles';
import { SUB_A, TENANT, entraToken, principal, registryId, request, type HttpResult } from './support';

const DST = registryId(SUB_A, 'dst-rg', 'dst');
const SRC = registryId(SUB_A, 'src-rg', 'src');
const IMPORTER: RoleName = 'Container Registry Data Importer and Data Reader';

function fixture(): Fixture {
  return {
    principals: [
      principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }]),
      principal('contributor', [{ role: 'Contributor', scope: `/subscriptions/${SUB_A}/resourceGroups/dst-rg` }]),
      principal('reader', [{ role: 'Reader', scope: DST }]),
      principal('puller', [{ role: 'AcrPull', scope: DST }]),
      principal('pusher', [{ role: 'AcrPush', scope: DST }]),
      principal('importer', [
        { role: IMPORTER, scope: DST },
        { role: 'AcrPull', scope: SRC },
      ]),
      principal('nobody', []),
    ],
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT,
        registries: [
          { name: 'src', resourceGroup: 'src-rg', publicNetworkAccess: 'Disabled', networkRuleBypassOptions: 'None' },
          { name: 'dst', resourceGroup: 'dst-rg', publicNetworkAccess: 'Disabled', networkRuleBypassOptions: 'AzureServices' },
        ],
      },
    ],
  };
}

describe('emulator: ARM permissions API (preflight)', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: fixture() });
  });
  after(() => em.stop());

  const permissions = async (clientId: string, scope: string, api = '2022-04-01'): Promise<HttpResult> => {
    const token = await entraToken(em, clientId, 'https://management.azure.com');
    const query = api ? `?api-version=${api}` : '';
    return request(em.caPem, `${em.armEndpoint}${scope}/providers/Microsoft.Authorization/permissions${query}`, { headers: { Authorization: `Bearer ${token}` } });
  };
  const valueOf = async (clientId: string, scope = DST): Promise<Permission[]> => {
    const res = await permissions(clientId, scope);
    assert.equal(res.status, 200, res.text);
    return res.json<{ value: Permission[] }>().value;
  };

  it('Owner: everything', async function () {
    assert.deepEqual(await valueOf('owner'), [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }]);
  });

  it('Contributor (resource group): everything but authorization writes and deletes', async function () {
    const [p, ...rest] = await valueOf('contributor');
    assert.equal(rest.length, 0);
    assert.deepEqual(p?.actions, ['*']);
    assert.ok(p?.notActions.includes('Microsoft.Authorization/*/Write'));
    assert.ok(p?.notActions.includes('Microsoft.Authorization/*/Delete'));
    assert.ok(!p?.notActions.some((a) => a.startsWith('Microsoft.ContainerRegistry')), 'import stays allowed');
  });

  it('Reader: */read', async function () {
    assert.deepEqual(await valueOf('reader'), [{ actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] }]);
  });

  it('AcrPull and AcrPush: the registry pull and push actions', async function () {
    assert.deepEqual((await valueOf('puller'))[0]?.actions, ['Microsoft.ContainerRegistry/registries/pull/read']);
    assert.deepEqual((await valueOf('pusher'))[0]?.actions, ['Microsoft.ContainerRegistry/registries/pull/read', 'Microsoft.ContainerRegistry/registries/push/write']);
  });

  it('Container Registry Data Importer and Data Reader: importImage, read, pull and the repository and catalog read data actions', async function () {
    const [p] = await valueOf('importer');
    // The 2025 built-in definition, in its order.
    assert.deepEqual(p?.actions, [
      'Microsoft.ContainerRegistry/registries/importImage/action',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.ContainerRegistry/registries/pull/read',
    ]);
    assert.deepEqual(p?.dataActions, [
      'Microsoft.ContainerRegistry/registries/repositories/content/read',
      'Microsoft.ContainerRegistry/registries/repositories/metadata/read',
      'Microsoft.ContainerRegistry/registries/catalog/read',
    ]);
    // On the source it holds AcrPull only: no import there.
    assert.deepEqual(await valueOf('importer', SRC), [{ actions: ['Microsoft.ContainerRegistry/registries/pull/read'], notActions: [], dataActions: [], notDataActions: [] }]);
  });

  it('only assignments covering the scope count: none gives an empty list; a resource group or subscription scope works too', async function () {
    assert.deepEqual(await valueOf('nobody'), []);
    assert.deepEqual(await valueOf('puller', SRC), [], 'AcrPull on dst does not reach src');
    assert.deepEqual(await valueOf('puller', `/subscriptions/${SUB_A}/resourceGroups/dst-rg`), [], 'an assignment below the scope does not cover it');
    assert.equal((await valueOf('contributor', `/subscriptions/${SUB_A}/resourceGroups/dst-rg`)).length, 1);
    assert.equal((await valueOf('owner', `/subscriptions/${SUB_A}`)).length, 1);
  });

  it('answers like ARM: a missing registry or group is 404, no api-version is 400, and it is a metered read', async function () {
    const missing = await permissions('owner', registryId(SUB_A, 'dst-rg', 'nope'));
    assert.equal(missing.status, 404);
    assert.equal(missing.json<{ error: { code: string } }>().error.code, 'ResourceNotFound');
    assert.equal((await permissions('owner', `/subscriptions/${SUB_A}/resourceGroups/ghost`)).json<{ error: { code: string } }>().error.code, 'ResourceGroupNotFound');
    assert.equal((await permissions('owner', DST, '')).status, 400);
    const ok = await permissions('owner', DST);
    assert.equal(ok.headers['x-ms-ratelimit-remaining-subscription-reads'], '249');
    assert.ok(em.log.count('arm.permissions', 200) >= 1);
    assert.equal(em.log.count('arm.permissions', 404), 2);
  });

  it('the registry body carries the network settings preflight reads', async function () {
    const token = await entraToken(em, 'owner', 'https://management.azure.com');
    const get = async (id: string) =>
      (await request(em.caPem, `${em.armEndpoint}${id}?api-version=2025-11-01`, { headers: { Authorization: `Bearer ${token}` } })).json<{
        properties: { publicNetworkAccess: string; networkRuleBypassOptions: string; networkRuleSet: { defaultAction: string } };
      }>().properties;
    const src = await get(SRC);
    assert.equal(src.publicNetworkAccess, 'Disabled');
    assert.equal(src.networkRuleBypassOptions, 'None');
    assert.equal(src.networkRuleSet.defaultAction, 'Deny');
    assert.equal((await get(DST)).networkRuleBypassOptions, 'AzureServices');
  });
});
