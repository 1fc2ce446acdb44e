/**
 * What a sign-in reads before any registry: the subscriptions the identity may see and the
 * cloud's metadata.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { OTHER_TENANT, SUB_A, SUB_B, TENANT, entraToken, principal, registryId, request } from './support';

const SUB_C = 'cccccccc-0000-4000-8000-000000000003';

function fixture(): Fixture {
  return {
    principals: [
      principal('owner-a', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }]),
      // A role on one registry of SUB_B only: SUB_B is visible, the others are not.
      principal('puller-b', [{ role: 'AcrPull', scope: registryId(SUB_B, 'rg', 'bregistry') }]),
      principal('nobody', []),
    ],
    subscriptions: [
      { id: SUB_A, tenantId: TENANT, displayName: 'Production', registries: [{ name: 'aregistry', resourceGroup: 'rg' }] },
      { id: SUB_B, tenantId: TENANT, registries: [{ name: 'bregistry', resourceGroup: 'rg' }] },
      { id: SUB_C, tenantId: OTHER_TENANT, registries: [] },
    ],
  };
}

describe('emulator: subscriptions and cloud metadata', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: fixture() });
  });
  after(() => em.stop());

  const arm = async (clientId: string, path: string) =>
    request(em.caPem, `${em.armEndpoint}${path}`, { headers: { Authorization: `Bearer ${await entraToken(em, clientId, 'https://management.core.windows.net/')}` } });

  it('GET /subscriptions lists the subscriptions of the tenant the caller has a role in, shaped as ARM answers', async function () {
    const res = await arm('owner-a', '/subscriptions?api-version=2019-11-01');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), {
      value: [
        {
          id: `/subscriptions/${SUB_A}`,
          authorizationSource: 'RoleBased',
          managedByTenants: [],
          subscriptionId: SUB_A,
          tenantId: TENANT,
          displayName: 'Production',
          state: 'Enabled',
          subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
        },
      ],
      count: { type: 'Total', value: 1 },
    });
    const b = (await arm('puller-b', '/subscriptions?api-version=2022-12-01')).json<{ value: { subscriptionId: string; displayName: string }[] }>().value;
    assert.deepEqual(b.map((s) => [s.subscriptionId, s.displayName]), [[SUB_B, 'Subscription bbbbbbbb']], 'a role on one registry makes its subscription visible');
    assert.deepEqual((await arm('nobody', '/subscriptions?api-version=2022-12-01')).json(), { value: [], count: { type: 'Total', value: 0 } });
    assert.equal((await arm('owner-a', '/subscriptions?api-version=banana')).json<{ error: { code: string } }>().error.code, 'InvalidApiVersionParameter');
    assert.equal((await request(em.caPem, `${em.armEndpoint}/subscriptions?api-version=2022-12-01`)).status, 401);
  });

  it('GET /subscriptions/{id}: 200 with a role in it, 403 without, 404 for none, 401 for another tenant’s', async function () {
    const own = await arm('owner-a', `/subscriptions/${SUB_A}?api-version=2022-12-01`);
    assert.equal(own.status, 200);
    assert.equal(own.json<{ subscriptionId: string }>().subscriptionId, SUB_A);
    const notMine = await arm('puller-b', `/subscriptions/${SUB_A}?api-version=2022-12-01`);
    assert.equal(notMine.status, 403);
    assert.match(notMine.json<{ error: { message: string } }>().error.message, /'Microsoft\.Resources\/subscriptions\/read' over scope '\/subscriptions\//);
    assert.equal((await arm('owner-a', '/subscriptions/dddddddd-0000-4000-8000-000000000004?api-version=2022-12-01')).json<{ error: { code: string } }>().error.code, 'SubscriptionNotFound');
    assert.equal((await arm('owner-a', `/subscriptions/${SUB_C}?api-version=2022-12-01`)).status, 401);
  });

  it('GET /metadata/endpoints points at the emulator, unauthenticated, in each version’s shape', async function () {
    const legacy = await request(em.caPem, `${em.armEndpoint}/metadata/endpoints?api-version=2015-01-01`);
    assert.equal(legacy.status, 200);
    assert.deepEqual(legacy.json<{ authentication: unknown }>().authentication, {
      loginEndpoint: `${em.authorityHost}/`,
      audiences: ['https://management.core.windows.net/', 'https://management.azure.com/'],
    });
    assert.ok('galleryEndpoint' in legacy.json<object>() && 'graphEndpoint' in legacy.json<object>());

    const current = await request(em.caPem, `${em.armEndpoint}/metadata/endpoints?api-version=2022-09-01`);
    const cloud = current.json<{ resourceManager: string; authentication: { loginEndpoint: string; tenant: string }; suffixes: { acrLoginServer: string }; name: string }>();
    assert.equal(cloud.resourceManager, `${em.armEndpoint}/`);
    assert.equal(cloud.authentication.loginEndpoint, `${em.authorityHost}/`);
    assert.equal(cloud.authentication.tenant, 'common');
    assert.equal(cloud.suffixes.acrLoginServer, em.registryDomain);
    assert.ok(em.registry('aregistry').loginServer.startsWith(`${cloud.suffixes.acrLoginServer}:`));

    const list = await request(em.caPem, `${em.armEndpoint}/metadata/endpoints?api-version=2019-05-01`);
    assert.deepEqual(list.json(), [cloud], 'the 2019 form is an array of clouds');
    assert.equal((await request(em.caPem, `${em.armEndpoint}/metadata/endpoints?api-version=2099-01-01`)).status, 400);
    assert.equal((await request(em.caPem, `${em.armEndpoint}/metadata/endpoints`)).status, 400);
    assert.equal(em.log.count('arm.metadata', 200), 3);
  });
});
