/**
 * Role-based access as Azure evaluates it, every documented role at every scope: ARM read
 * (GET, lists), the importImage action, the data-plane scopes the token exchange grants, and
 * the permissions API — all from one role table, so they must agree with each other and with
 * Azure's built-in definitions (classic "RBAC Registry Permissions" mode).
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture, type RoleName } from '../../testkit/emulator';
import { allowsAction, allowsDataAction, type Permission } from '../../src/azure/arm/armPermissions';
import { FORM, SUB_A, TENANT, claimsOf, entraToken, form, principal, registryId, request } from './support';

const RG = `/subscriptions/${SUB_A}/resourceGroups/rg`;
const REG = registryId(SUB_A, 'rg', 'target');
const SIBLING = registryId(SUB_A, 'rg', 'sibling');
const ELSEWHERE = registryId(SUB_A, 'other-rg', 'elsewhere');

interface Expected {
  armRead: boolean;
  importImage: boolean;
  /** Granted data-plane actions, in the order asked below. */
  dataPlane: string[];
}

/** The ACR roles directory reference, "RBAC Registry Permissions" tab. */
const EXPECTED: Record<RoleName, Expected> = {
  Owner: { armRead: true, importImage: true, dataPlane: ['pull', 'push', 'delete', 'metadata_read', 'metadata_write', 'catalog'] },
  Contributor: { armRead: true, importImage: true, dataPlane: ['pull', 'push', 'delete', 'metadata_read', 'metadata_write', 'catalog'] },
  Reader: { armRead: true, importImage: false, dataPlane: ['pull', 'metadata_read', 'catalog'] },
  AcrPull: { armRead: false, importImage: false, dataPlane: ['pull', 'metadata_read', 'catalog'] },
  AcrPush: { armRead: false, importImage: false, dataPlane: ['pull', 'push', 'metadata_read', 'metadata_write', 'catalog'] },
  AcrDelete: { armRead: false, importImage: false, dataPlane: ['delete'] },
  'Container Registry Data Importer and Data Reader': { armRead: true, importImage: true, dataPlane: ['pull', 'metadata_read', 'catalog'] },
};
const ROLES = Object.keys(EXPECTED) as RoleName[];
const SCOPES: Record<string, string> = { subscription: `/subscriptions/${SUB_A}`, 'resource group': RG, registry: REG };

const clientOf = (role: RoleName, scope: string): string => `${role.replace(/\W+/g, '-')}-at-${scope.replace(/\W+/g, '-')}`.toLowerCase();

function fixture(): Fixture {
  const principals = ROLES.flatMap((role) => Object.keys(SCOPES).map((scope) => principal(clientOf(role, scope), [{ role, scope: SCOPES[scope] }])));
  // Roles elsewhere only: a sibling registry, another resource group.
  principals.push(principal('elsewhere', [{ role: 'Owner', scope: SIBLING }, { role: 'Owner', scope: `/subscriptions/${SUB_A}/resourceGroups/other-rg` }]));
  // Importers of `target` with AcrPull, or Reader, on the source `elsewhere`.
  const importer: RoleName = 'Container Registry Data Importer and Data Reader';
  principals.push(principal('import-pulls-source', [{ role: importer, scope: REG }, { role: 'AcrPull', scope: ELSEWHERE }]));
  principals.push(principal('import-reads-source', [{ role: importer, scope: REG }, { role: 'Reader', scope: ELSEWHERE }]));
  return {
    principals,
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT,
        registries: [
          { name: 'target', resourceGroup: 'rg', repositories: { app: { '1.0': { content: { kind: 'image', seed: 'a' } } } } },
          { name: 'sibling', resourceGroup: 'rg' },
          { name: 'elsewhere', resourceGroup: 'other-rg' },
        ],
      },
    ],
  };
}

describe('emulator: role-based access, every role at every scope', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: fixture(), tokenLifetimeSeconds: 600 });
  });
  after(() => em.stop());

  const arm = async (clientId: string, path: string, init: { method?: string; body?: string } = {}) =>
    request(em.caPem, `${em.armEndpoint}${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${await entraToken(em, clientId, 'https://management.azure.com')}`, 'Content-Type': 'application/json' },
      body: init.body,
    });

  /** The data-plane actions a token for every scope we ask grants, in the order of EXPECTED. */
  async function granted(clientId: string): Promise<string[] | 'refused'> {
    const host = em.registry('target').loginServer;
    const aad = await entraToken(em, clientId, em.acrAudience);
    const ex = await request(em.caPem, `https://${host}/oauth2/exchange`, { method: 'POST', headers: FORM, body: form({ grant_type: 'access_token', service: host, access_token: aad }) });
    if (ex.status !== 200) return 'refused';
    const tok = await request(em.caPem, `https://${host}/oauth2/token`, {
      method: 'POST',
      headers: FORM,
      body: form({
        grant_type: 'refresh_token',
        service: host,
        refresh_token: ex.json<{ refresh_token: string }>().refresh_token,
        scope: ['repository:app:pull,push,delete,metadata_read,metadata_write', 'registry:catalog:*'],
      }),
    });
    assert.equal(tok.status, 200);
    const access = claimsOf(tok.json<{ access_token: string }>().access_token).access as { type: string; actions: string[] }[];
    return access.flatMap((a) => (a.type === 'registry' ? ['catalog'] : a.actions));
  }

  for (const role of ROLES) {
    for (const scope of Object.keys(SCOPES)) {
      const expected = EXPECTED[role];
      it(`${role} at ${scope} scope: ARM read ${expected.armRead ? 'yes' : 'no'}, import ${expected.importImage ? 'yes' : 'no'}, data plane ${expected.dataPlane.join(' ')}`, async function () {
        const client = clientOf(role, scope);
        const get = await arm(client, `${REG}?api-version=2025-11-01`);
        assert.equal(get.status, expected.armRead ? 200 : 403, get.text);
        if (!expected.armRead) assert.equal(get.json<{ error: { code: string } }>().error.code, 'AuthorizationFailed');

        const listed = await arm(client, `/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`);
        const names = listed.json<{ value: { name: string }[] }>().value.map((r) => r.name);
        assert.equal(names.includes('target'), expected.armRead, `list: ${names.join(',')}`);
        assert.equal(names.includes('elsewhere'), expected.armRead && scope === 'subscription', 'nothing outside the assignment');
        const byGroup = await arm(client, `${RG}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`);
        assert.equal(byGroup.json<{ value: { name: string }[] }>().value.some((r) => r.name === 'target'), expected.armRead);
        const resources = await arm(client, `/subscriptions/${SUB_A}/resources?api-version=2021-04-01`);
        assert.equal(resources.json<{ value: { name: string }[] }>().value.some((r) => r.name === 'target'), expected.armRead);

        // An import of the registry's own image: the linked source is the target itself.
        const post = await arm(client, `${REG}/importImage?api-version=2025-11-01`, {
          method: 'POST',
          body: JSON.stringify({ source: { resourceId: REG, sourceImage: 'app:1.0' }, targetTags: ['copy:1.0'] }),
        });
        assert.equal(post.status, expected.importImage ? 202 : 403, post.text);
        if (!expected.importImage) assert.match(post.json<{ error: { message: string } }>().error.message, /'Microsoft\.ContainerRegistry\/registries\/importImage\/action'/);

        assert.deepEqual(await granted(client), expected.dataPlane);

        // The permissions API, read the way the product's preflight reads it, says the same.
        const perms = (await arm(client, `${REG}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`)).json<{ value: Permission[] }>().value;
        assert.equal(allowsAction(perms, 'Microsoft.ContainerRegistry/registries/read'), expected.armRead);
        assert.equal(allowsAction(perms, 'Microsoft.ContainerRegistry/registries/importImage/action'), expected.importImage);
        const pulls = allowsAction(perms, 'Microsoft.ContainerRegistry/registries/pull/read') || allowsDataAction(perms, 'Microsoft.ContainerRegistry/registries/repositories/content/read');
        assert.equal(pulls, expected.dataPlane.includes('pull'));
      });
    }
  }

  it('roles on a sibling registry or another resource group reach nothing here', async function () {
    assert.equal((await arm('elsewhere', `${REG}?api-version=2025-11-01`)).status, 403);
    const names = (await arm('elsewhere', `/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`))
      .json<{ value: { name: string }[] }>()
      .value.map((r) => r.name);
    assert.deepEqual(names, ['sibling', 'elsewhere']);
    assert.equal(await granted('elsewhere'), 'refused', 'the exchange is refused without any data-plane role on the registry');
    assert.deepEqual((await arm('elsewhere', `${REG}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`)).json(), { value: [] });
  });

  it('importImage needs read on the linked source: none or AcrPull there is LinkedAuthorizationFailed (Azure/acr#237), Reader is enough', async function () {
    const body = JSON.stringify({ source: { resourceId: ELSEWHERE, sourceImage: 'app:1.0' }, targetTags: ['app:2.0'] });
    const importImage = (client: string) => arm(client, `${REG}/importImage?api-version=2025-11-01`, { method: 'POST', body });
    for (const client of [clientOf('Container Registry Data Importer and Data Reader', 'registry'), 'import-pulls-source']) {
      const refused = await importImage(client);
      assert.equal(refused.status, 403, client);
      const e = refused.json<{ error: { code: string; message: string } }>().error;
      assert.equal(e.code, 'LinkedAuthorizationFailed');
      assert.ok(
        e.message.endsWith(`however, it does not have permission to perform action 'read' on the linked scope(s) '${ELSEWHERE}'.`),
        e.message,
      );
    }
    assert.equal((await importImage('import-reads-source')).status, 202);
  });
});
