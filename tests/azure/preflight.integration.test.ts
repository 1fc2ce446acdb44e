/**
 * The preflight `connect()` runs before anything is written, over HTTPS against the emulator
 * (its ARM permissions API and its registries' token exchange): each known dead end of
 * importImage stops the run with its own key and sentence, without ids; a permissions API that
 * is refused or missing does not; and a run that passes pays nothing extra on the data plane.
 * Plus the RBAC matching it relies on, on its own.
 */
import { strict as assert } from 'node:assert';
import { allowsAction, allowsDataAction, matches, type Permission } from '../../src/azure/arm/armPermissions';
import { connect, type Connection } from '../../src/azure/connect';
import { PreflightError, type PreflightErrorKey } from '../../src/azure/arm/preflight';
import type { RoleAssignment } from '../../testkit/emulator/api';
import { principal, registryId, startHarness, SUB_A, SUB_B, syncer, TENANT, type Harness } from './support/emulatorHarness';

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

const id = (n: number): string => `c11e47a1-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`;
const SOURCE_ID = id(1); // AcrPull + Reader on the source subscription
const SYNCER = id(2); // Contributor on the target subscription, AcrPull on the source subscription
const IMPORTER = id(3); // Data Importer on dstreg only, Reader on srcreg only
const READER_ONLY = id(4); // Reader on the target subscription
const NO_SOURCE = id(5); // Contributor on the target subscription, a role on another source-side registry only
const PULLS_SOURCE = id(6); // Contributor on the target subscription, AcrPull (no Reader) on the source registry

const onSourceSub: RoleAssignment[] = [
  { role: 'AcrPull', scope: `/subscriptions/${SUB_A}` },
  { role: 'Reader', scope: `/subscriptions/${SUB_A}` },
];

describe('azure/preflight (emulator)', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startHarness({
      fixture: {
        principals: [
          principal(SOURCE_ID, onSourceSub),
          syncer(SYNCER),
          principal(IMPORTER, [
            { role: 'Container Registry Data Importer and Data Reader', scope: registryId(SUB_B, 'dst-rg', 'dstreg') },
            { role: 'Reader', scope: registryId(SUB_A, 'src-rg', 'srcreg') },
          ]),
          principal(READER_ONLY, [{ role: 'Reader', scope: `/subscriptions/${SUB_B}` }]),
          principal(NO_SOURCE, [{ role: 'Contributor', scope: `/subscriptions/${SUB_B}` }, { role: 'AcrPull', scope: registryId(SUB_A, 'src-rg', 'elsewhere') }]),
          principal(PULLS_SOURCE, [{ role: 'Contributor', scope: `/subscriptions/${SUB_B}` }, { role: 'AcrPull', scope: registryId(SUB_A, 'src-rg', 'srcreg') }]),
        ],
        subscriptions: [
          {
            id: SUB_A,
            tenantId: TENANT,
            registries: [
              { name: 'srcreg', resourceGroup: 'src-rg', repositories: { app: { v1: { content: { kind: 'image', seed: 'a' } } } } },
              { name: 'elsewhere', resourceGroup: 'src-rg' },
              // Only the ARM body says so: the emulator does not model the attribute-based mode.
              { name: 'abacsrc', resourceGroup: 'src-rg', roleAssignmentMode: 'AbacRepositoryPermissions' },
              { name: 'closedsrc', resourceGroup: 'src-rg', sku: 'Premium', publicNetworkAccess: 'Disabled', networkRuleBypassOptions: 'None' },
            ],
          },
          {
            id: SUB_B,
            tenantId: TENANT,
            registries: [
              { name: 'dstreg', resourceGroup: 'dst-rg' },
              { name: 'closeddst', resourceGroup: 'dst-rg', sku: 'Premium', publicNetworkAccess: 'Disabled', networkRuleBypassOptions: 'None' },
              { name: 'trusteddst', resourceGroup: 'dst-rg', sku: 'Premium', publicNetworkAccess: 'Disabled', networkRuleBypassOptions: 'AzureServices' },
            ],
          },
        ],
      },
    });
  });
  after(async () => h?.stop());
  beforeEach(() => h.emulator.log.clear());
  afterEach(() => h.emulator.clearFaults());

  function open(options: { source?: string; target?: string; sourceId?: string; targetId: string }): Promise<Connection> {
    return connect(
      { registryName: options.source ?? 'srcreg', subscriptionId: SUB_A, credential: h.credentialFor(options.sourceId ?? SOURCE_ID) },
      { registryName: options.target ?? 'dstreg', subscriptionId: SUB_B, credential: h.credentialFor(options.targetId) },
      { cloud: h.cloud, transport: h.transport },
    );
  }

  async function refused(connecting: Promise<Connection>, key: PreflightErrorKey, args: string[], message: string): Promise<void> {
    await assert.rejects(connecting, (e: unknown) => {
      assert.ok(e instanceof PreflightError, String(e));
      assert.equal(e.key, key);
      assert.deepEqual(e.args, args);
      assert.equal(e.message, message);
      assert.doesNotMatch(e.message, GUID);
      assert.ok(!e.message.includes('/subscriptions/'));
      return true;
    });
    assert.equal(h.emulator.log.count('arm.importImage'), 0, 'nothing written');
  }

  it('lets a run with every right through, with two permission reads and no extra data-plane round trip', async () => {
    const conn = await open({ targetId: SYNCER });
    assert.deepEqual(conn.preflight, { skipped: [] });
    assert.equal(h.emulator.log.count('arm.permissions', 200), 2, 'target scope and source scope');
    // The source's sign-in: no /v2/ probe (an ACR's challenge is known), one exchange, the catalog token…
    assert.equal(h.emulator.log.count('acr.v2'), 0);
    const exchanges = (service: string): number => h.emulator.log.entries().filter((e) => e.route === 'acr.exchange' && e.status === 200 && e.service === service).length;
    assert.equal(exchanges('acr:srcreg'), 1);
    assert.equal(h.emulator.log.count('acr.token', 200), 1);
    // …beside the target's exchange, asked ahead and not awaited (logged once its answer is flushed).
    for (let i = 0; i < 500 && exchanges('acr:dstreg') === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(exchanges('acr:dstreg'), 1);
    // …which the catalog listing then uses without a challenge of its own.
    const names: string[] = [];
    for await (const name of conn.ports.source.listRepositories()) names.push(name);
    assert.deepEqual(names, ['app']);
    assert.equal(h.emulator.log.count('acr.catalog', 401), 0);
    assert.equal(h.emulator.log.count('acr.catalog', 200), 1);
    assert.equal(h.emulator.log.count('acr.token'), 1);
  });

  it('lets through the least-privilege roles: Data Importer on the target, Reader on the source', async () => {
    const conn = await open({ targetId: IMPORTER });
    assert.deepEqual(conn.preflight.skipped, []);
  });

  it('stops at a target with public network access disabled and no trusted services, before any request it does not need', async () => {
    await refused(
      open({ target: 'closeddst', targetId: SYNCER }),
      'PreflightNetworkClosed',
      ['closeddst', 'target'],
      "registry closeddst does not allow trusted Microsoft services; importImage needs 'Allow trusted Microsoft services' when public network access is disabled or limited to selected networks",
    );
    assert.equal(h.emulator.log.count('arm.permissions'), 0);
    assert.equal(h.emulator.log.count('acr.exchange'), 0, 'no registry token asked ahead');
  });

  it('stops at such a source too', async () => {
    await refused(
      open({ source: 'closedsrc', targetId: SYNCER }),
      'PreflightNetworkClosed',
      ['closedsrc', 'source'],
      "registry closedsrc does not allow trusted Microsoft services; importImage needs 'Allow trusted Microsoft services' when public network access is disabled or limited to selected networks",
    );
    assert.equal(h.emulator.log.count('acr.exchange'), 0, 'no registry token asked ahead');
  });

  it('lets through a closed registry that allows trusted Microsoft services', async () => {
    const conn = await open({ target: 'trusteddst', targetId: SYNCER });
    assert.equal(conn.target.name, 'trusteddst');
  });

  it('stops when the target identity cannot import, naming the roles', async () => {
    await refused(
      open({ targetId: READER_ONLY }),
      'PreflightCannotImport',
      ['dstreg'],
      'the target identity cannot import into dstreg: give it Contributor, or Container Registry Data Importer and Data Reader, on the registry',
    );
  });

  it('stops when the target identity cannot read the source', async () => {
    await refused(
      open({ targetId: NO_SOURCE }),
      'PreflightCannotReadSource',
      ['srcreg', 'dstreg'],
      'the target identity cannot read the source registry srcreg; importImage into dstreg runs as that identity, which needs Reader (or Container Registry Data Importer and Data Reader) on the source registry',
    );
  });

  it('stops when the target identity can only pull from the source: importImage needs read on it (LinkedAuthorizationFailed)', async () => {
    await refused(
      open({ targetId: PULLS_SOURCE }),
      'PreflightCannotReadSource',
      ['srcreg', 'dstreg'],
      'the target identity cannot read the source registry srcreg; importImage into dstreg runs as that identity, which needs Reader (or Container Registry Data Importer and Data Reader) on the source registry',
    );
  });

  it('stops when the source identity cannot sign in to the source registry, naming AcrPull', async () => {
    h.emulator.addFault({
      route: 'acr.exchange',
      kind: 'status',
      status: 401,
      times: Infinity,
      body: { errors: [{ code: 'UNAUTHORIZED', message: `The identity '${SOURCE_ID}' has no role on registry 'srcreg'.` }] },
    });
    await refused(
      open({ targetId: SYNCER }),
      'PreflightCannotListSource',
      ['srcreg', 'the registry answered HTTP 401 UNAUTHORIZED'],
      'the source identity cannot read the source registry srcreg (the registry answered HTTP 401 UNAUTHORIZED): give it AcrPull (or Reader) on the registry',
    );
  });

  it('names the attribute-based mode’s roles instead of AcrPull when the source registry is in that mode', async () => {
    h.emulator.addFault({
      route: 'acr.exchange',
      kind: 'status',
      status: 401,
      times: Infinity,
      body: { errors: [{ code: 'UNAUTHORIZED', message: `The identity '${SOURCE_ID}' has no role on registry 'abacsrc'.` }] },
    });
    await refused(
      open({ source: 'abacsrc', targetId: SYNCER }),
      'PreflightCannotListSourceAbac',
      ['abacsrc', 'the registry answered HTTP 401 UNAUTHORIZED'],
      'the source identity cannot read the source registry abacsrc (the registry answered HTTP 401 UNAUTHORIZED): the registry uses attribute-based repository permissions, ' +
        'where AcrPull is not honoured; give the identity Container Registry Repository Catalog Lister and Container Registry Repository Reader on the registry',
    );
  });

  it('names them too when a listing of such a registry is refused later', async () => {
    const conn = await open({ source: 'abacsrc', targetId: SYNCER });
    h.emulator.addFault({ route: 'acr.catalog', kind: 'status', status: 403, times: Infinity, body: { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] } });
    await assert.rejects(
      (async () => {
        for await (const name of conn.ports.source.listRepositories()) void name;
      })(),
      /denied; the registry uses attribute-based repository permissions, where AcrPull is not honoured: the identity needs Container Registry Repository Catalog Lister and Container Registry Repository Reader/,
    );
  });

  for (const status of [404, 403]) {
    it(`does not block when the permissions API answers ${status}: both checks skipped, said without ids`, async () => {
      h.emulator.addFault({ route: 'arm.permissions', kind: 'status', status, times: Infinity });
      // This identity cannot import: only the unanswered check would have said so.
      const conn = await open({ targetId: READER_ONLY });
      assert.deepEqual(
        conn.preflight.skipped.map((s) => s.check),
        ['targetImport', 'sourceRead'],
      );
      for (const skip of conn.preflight.skipped) {
        assert.match(skip.message, new RegExp(`^could not check whether the target identity may (import into dstreg|read srcreg): the permissions API answered HTTP ${status}`));
        assert.match(skip.message, /; the check was skipped$/);
        assert.doesNotMatch(skip.message, GUID);
      }
    });
  }

  it('can be left out', async () => {
    const conn = await connect(
      { registryName: 'srcreg', subscriptionId: SUB_A, credential: h.credentialFor(SOURCE_ID) },
      { registryName: 'dstreg', subscriptionId: SUB_B, credential: h.credentialFor(READER_ONLY) },
      { cloud: h.cloud, transport: h.transport, preflight: false },
    );
    assert.deepEqual(conn.preflight.skipped, []);
    assert.equal(h.emulator.log.count('arm.permissions'), 0);
    // No data-plane sign-in either (the /v2/ probe it once began with is gone for every ACR).
    assert.equal(h.emulator.log.count('acr.exchange'), 0);
    assert.equal(h.emulator.log.count('acr.token'), 0);
  });
});

describe('azure/armPermissions matching', () => {
  const permission = (actions: string[], notActions: string[] = [], dataActions: string[] = []): Permission => ({ actions, notActions, dataActions, notDataActions: [] });
  const IMPORT = 'Microsoft.ContainerRegistry/registries/importImage/action';

  it('reads wildcards and case as Azure RBAC does', () => {
    assert.ok(matches('*', IMPORT));
    assert.ok(matches('*/read', 'Microsoft.ContainerRegistry/registries/pull/read'));
    assert.ok(!matches('*/read', IMPORT));
    assert.ok(matches('microsoft.containerregistry/*', IMPORT));
    assert.ok(matches('Microsoft.ContainerRegistry/registries/*/action', IMPORT));
    assert.ok(!matches('Microsoft.ContainerRegistry/registries/importImage', IMPORT));
    assert.ok(!matches('Microsoft.ContainerRegistry/registries.read', 'Microsoft.ContainerRegistry/registriesXread'), 'dots are literal');
  });

  it('takes notActions away from the same entry only', () => {
    assert.ok(!allowsAction([permission(['*'], ['Microsoft.ContainerRegistry/*'])], IMPORT));
    assert.ok(allowsAction([permission(['*'], ['Microsoft.ContainerRegistry/*']), permission([IMPORT])], IMPORT), 'another role grants it');
    assert.ok(allowsAction([permission(['*'], ['Microsoft.Authorization/*/Write'])], IMPORT), "Contributor's notActions leave import alone");
    assert.ok(!allowsAction([], IMPORT));
    assert.ok(allowsDataAction([permission([], [], ['Microsoft.ContainerRegistry/registries/repositories/*/read'])], 'Microsoft.ContainerRegistry/registries/repositories/content/read'));
    assert.ok(!allowsDataAction([permission(['*'])], 'Microsoft.ContainerRegistry/registries/repositories/content/read'), 'actions are not data actions');
  });
});
