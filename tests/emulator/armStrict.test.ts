/**
 * ARM as strict as ARM: api-versions the route does not know are refused with ARM's own codes
 * and the versions it supports; malformed names in the path are refused before anything else.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../testkit/emulator';
import { basicFixture, entraToken, registryId, request, SUB_A, TENANT, type HttpResult } from './support';

const PROVIDER = '/providers/Microsoft.ContainerRegistry/registries';

describe('emulator: strict ARM (api-versions and names)', function () {
  let em: Emulator;
  let token: string;
  before(async function () {
    em = await startEmulator({ fixture: basicFixture() });
    token = await entraToken(em, 'owner', 'https://management.azure.com');
  });
  after(() => em.stop());

  const get = (path: string): Promise<HttpResult> => request(em.caPem, `${em.armEndpoint}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const errorOf = (res: HttpResult) => res.json<{ error: { code: string; message: string } }>().error;

  it('accepts the versions the SDK, az 2.45, the recordings and the spec use', async function () {
    for (const v of ['2025-11-01', '2022-02-01-preview', '2019-12-01-preview', '2021-06-01-preview', '2023-01-01-preview', '2019-05-01']) {
      assert.equal((await get(`/subscriptions/${SUB_A}${PROVIDER}?api-version=${v}`)).status, 200, v);
      assert.equal((await get(`${registryId(SUB_A, 'src-rg', 'src')}?api-version=${v}`)).status, 200, v);
    }
    assert.equal((await get(`/subscriptions/${SUB_A}/resources?api-version=2021-04-01`)).status, 200);
    assert.equal((await get(`${registryId(SUB_A, 'dst-rg', 'dst')}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`)).status, 200);
  });

  it('refuses an unknown version of a registry route: 400 NoRegisteredProviderFound, location, type, versions', async function () {
    for (const path of [`/subscriptions/${SUB_A}${PROVIDER}`, `/subscriptions/${SUB_A}/resourceGroups/src-rg${PROVIDER}`, registryId(SUB_A, 'src-rg', 'src')]) {
      const res = await get(`${path}?api-version=banana`);
      assert.equal(res.status, 400, path);
      const e = errorOf(res);
      assert.equal(e.code, 'NoRegisteredProviderFound');
      assert.match(e.message, /^No registered resource provider found for location 'westus' and API version 'banana' for type 'registries'\. The supported api-versions are '2017-03-01, 2017-10-01, .*2022-02-01-preview, .*2025-11-01'\. The supported locations are 'westus, eastus, /);
    }
    const post = await request(em.caPem, `${em.armEndpoint}${registryId(SUB_A, 'dst-rg', 'dst')}/importImage?api-version=2099-01-01`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: { resourceId: registryId(SUB_A, 'src-rg', 'src'), sourceImage: 'app:1.0' } }),
    });
    assert.equal(post.status, 400);
    assert.equal(errorOf(post).code, 'NoRegisteredProviderFound');
    assert.equal(em.registry('dst').repositories().length, 0);
  });

  it('refuses an unknown version of ARM’s own routes with InvalidApiVersionParameter, of permissions for its type', async function () {
    const resources = await get(`/subscriptions/${SUB_A}/resources?api-version=2021-04-02`);
    assert.equal(resources.status, 400);
    assert.equal(errorOf(resources).code, 'InvalidApiVersionParameter');
    assert.match(errorOf(resources).message, /^The api-version '2021-04-02' is invalid\. The supported versions are '2024-08-01,.*,2021-04-01,.*,2014-04'\.$/);
    const permissions = await get(`${registryId(SUB_A, 'dst-rg', 'dst')}/providers/Microsoft.Authorization/permissions?api-version=2020-01-01`);
    assert.equal(permissions.status, 400);
    assert.match(errorOf(permissions).message, /for type 'permissions'\. The supported api-versions are '2015-07-01, 2018-01-01-preview, 2022-04-01, 2022-05-01-preview'/);
    assert.equal((await get(`/subscriptions/${SUB_A}${PROVIDER}`)).status, 400, 'still: no api-version at all');
  });

  it('refuses malformed names before looking anything up', async function () {
    const badSub = await get(`/subscriptions/not-a-guid${PROVIDER}?api-version=2025-11-01`);
    assert.equal(badSub.status, 400);
    assert.deepEqual(errorOf(badSub), { code: 'InvalidSubscriptionId', message: "The provided subscription identifier 'not-a-guid' is malformed or invalid." });

    const badGroup = await get(`/subscriptions/${SUB_A}/resourceGroups/rg!${encodeURIComponent('*')}${PROVIDER}?api-version=2025-11-01`);
    assert.equal(badGroup.status, 400);
    assert.equal(errorOf(badGroup).code, 'InvalidResourceGroup');
    assert.match(errorOf(badGroup).message, /has these invalid characters: '!\*'\. The name can only be a letter, digit, '-', '\.', '\(', '\)' or '_'\.$/);
    assert.equal((await get(`/subscriptions/${SUB_A}/resourceGroups/${'g'.repeat(91)}${PROVIDER}?api-version=2025-11-01`)).status, 400);
    assert.equal((await get(`/subscriptions/${SUB_A}/resourceGroups/ends.${PROVIDER}?api-version=2025-11-01`)).status, 400);

    for (const name of ['my-registry', 'my_registry', 'r'.repeat(51)]) {
      const badName = await get(`/subscriptions/${SUB_A}/resourceGroups/src-rg${PROVIDER}/${name}?api-version=2025-11-01`);
      assert.equal(badName.status, 400, name);
      assert.equal(errorOf(badName).code, 'InvalidResourceName');
    }
  });

  it('refuses a fixture Azure could not hold: a subscription id that is no GUID, a bad group or registry name', async function () {
    const withSub = basicFixture();
    withSub.subscriptions[0].id = 'sub-a';
    await assert.rejects(startEmulator({ fixture: withSub }), /subscription id 'sub-a' must be a GUID/);
    const withGroup = basicFixture();
    withGroup.subscriptions[0].registries[0].resourceGroup = 'bad group';
    await assert.rejects(startEmulator({ fixture: withGroup }), /resource group name 'bad group'/);
    const withName = basicFixture({ subscriptions: [{ id: SUB_A, tenantId: TENANT, registries: [{ name: 'r'.repeat(51), resourceGroup: 'rg' }] }] });
    await assert.rejects(startEmulator({ fixture: withName }), /at most 50 characters/);
  });
});
