/**
 * Finding registries through the real @azure/arm-containerregistry client and a real
 * ClientSecretCredential, over HTTPS against the emulator's ARM and Entra ID.
 */
import { strict as assert } from 'node:assert';
import { createArmClient } from '../../src/azure/arm/armClient';
import { connect } from '../../src/azure/connect';
import { locateRegistry, RegistryLookupError, RegistryNotFoundError } from '../../src/azure/arm/registryLocator';
import { principal, registryId, startHarness, SUB_A, SUB_B, TENANT, type Harness } from './support/emulatorHarness';

const READER = 'c11e47a1-0000-4000-8000-0000000000c1';
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('azure/registryLocator (emulator)', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    const many = Array.from({ length: 44 }, (_, i) => ({ name: `filler${String(i).padStart(2, '0')}`, resourceGroup: `rg-${i % 3}` }));
    h = await startHarness({
      fixture: {
        // Reader on both: finding a registry through ARM needs Microsoft.ContainerRegistry/registries/read.
        principals: [principal(READER, [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }, { role: 'Reader', scope: `/subscriptions/${SUB_B}` }])],
        subscriptions: [
          {
            id: SUB_A,
            tenantId: TENANT,
            // The wanted registry comes last, on the third page of 20.
            registries: [
              ...many,
              {
                name: 'SrcReg',
                resourceGroup: 'src-rg',
                sku: 'Premium',
                publicNetworkAccess: 'Disabled',
                networkRuleBypassOptions: 'AzureServices',
                azureADAuthenticationAsArmPolicy: 'disabled',
              },
            ],
          },
          { id: SUB_B, tenantId: TENANT, registries: [{ name: 'dstreg', resourceGroup: 'dst-rg', sku: 'Standard' }] },
        ],
      },
    });
  });
  after(async () => h?.stop());
  beforeEach(() => h.emulator.log.clear());
  afterEach(() => h.emulator.clearFaults());

  it('follows every ARM page and matches the name case-insensitively', async () => {
    const client = createArmClient(h.credentialFor(READER), SUB_A, h.cloud, h.transport);
    const ref = await locateRegistry(client, 'srcreg', 'source');
    assert.equal(ref.name, 'SrcReg');
    assert.equal(ref.resourceGroup, 'src-rg');
    assert.equal(ref.subscriptionId, SUB_A);
    assert.equal(ref.id.toLowerCase(), registryId(SUB_A, 'src-rg', 'SrcReg').toLowerCase());
    assert.equal(ref.loginServer, h.emulator.registry('SrcReg').loginServer);
    assert.equal(ref.sku, 'Premium');
    assert.equal(ref.publicNetworkAccess, 'Disabled');
    assert.equal(ref.networkRuleBypassOptions, 'AzureServices');
    assert.equal(ref.azureADAuthenticationAsArmPolicy, 'disabled');
    assert.equal(h.emulator.log.count('arm.registries.list', 200), 3, 'three pages of 20');
  });

  it('says which side a missing registry belongs to, without ids', async () => {
    const client = createArmClient(h.credentialFor(READER), SUB_B, h.cloud, h.transport);
    await assert.rejects(locateRegistry(client, 'nope', 'target'), (e: unknown) => {
      assert.ok(e instanceof RegistryNotFoundError);
      assert.equal(e.message, 'registry "nope" was not found in the target subscription (or the target identity cannot see it: it needs Reader on the registry)');
      return true;
    });
  });

  it('reports a refused listing in one redacted line naming the side', async () => {
    h.emulator.addFault({
      route: 'arm.registries.list',
      kind: 'status',
      status: 403,
      body: {
        error: {
          code: 'AuthorizationFailed',
          message: `The client '${READER}' with object id '${READER}' does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/read' over scope '/subscriptions/${SUB_A}' or the scope is invalid.`,
        },
      },
    });
    const client = createArmClient(h.credentialFor(READER), SUB_A, h.cloud, h.transport);
    await assert.rejects(locateRegistry(client, 'srcreg', 'source'), (e: unknown) => {
      assert.ok(e instanceof RegistryLookupError);
      assert.equal(e.code, 'AuthorizationFailed');
      assert.match(e.message, /^could not list the registries of the source subscription: AuthorizationFailed: The client '\[redacted-id\]'/);
      assert.match(e.message, /'Microsoft\.ContainerRegistry\/registries\/read' over scope '\[redacted-resource-id\]'/);
      assert.doesNotMatch(e.message, GUID);
      assert.ok(!e.message.includes('/subscriptions/'));
      return true;
    });
  });

  it('connect resolves both sides and names the side that failed', async () => {
    const credential = h.credentialFor(READER);
    // This identity cannot import (the preflight's business, tests/azure/preflight.integration.test.ts).
    const conn = await connect(
      { registryName: 'SRCREG', subscriptionId: SUB_A, credential },
      { registryName: 'DstReg', subscriptionId: SUB_B, credential },
      { cloud: h.cloud, transport: h.transport, preflight: false },
    );
    assert.equal(conn.source.name, 'SrcReg');
    assert.equal(conn.target.name, 'dstreg');
    assert.equal(conn.target.subscriptionId, SUB_B);
    await assert.rejects(
      connect(
        { registryName: 'srcreg', subscriptionId: SUB_A, credential },
        { registryName: 'srcreg', subscriptionId: SUB_B, credential },
        { cloud: h.cloud, transport: h.transport },
      ),
      /^RegistryNotFoundError: registry "srcreg" was not found in the target subscription \(or the target identity cannot see it/,
    );
  });

  it('one identity in one subscription: finds both registries in one listing of its pages', async () => {
    const credential = h.credentialFor(READER);
    const pages = (): number => h.emulator.log.count('arm.registries.list');
    // filler05 is on the first page of 20, SrcReg on the third: one listing reads three pages.
    const conn = await connect(
      { registryName: 'filler05', subscriptionId: SUB_A, credential },
      { registryName: 'srcreg', subscriptionId: SUB_A, credential },
      { cloud: h.cloud, transport: h.transport, preflight: false },
    );
    assert.deepEqual([conn.source.name, conn.target.name], ['filler05', 'SrcReg']);
    assert.equal(conn.target.loginServer, h.emulator.registry('SrcReg').loginServer);
    assert.equal(pages(), 3);
    // Two identities (two credentials) each list what they can see: one page and three.
    h.emulator.log.clear();
    await connect(
      { registryName: 'filler05', subscriptionId: SUB_A, credential },
      { registryName: 'srcreg', subscriptionId: SUB_A, credential: h.credentialFor(READER) },
      { cloud: h.cloud, transport: h.transport, preflight: false },
    );
    assert.equal(pages(), 4);
    // Either side missing from the one listing is named as before, the source first.
    await assert.rejects(
      connect({ registryName: 'filler05', subscriptionId: SUB_A, credential }, { registryName: 'nosuch', subscriptionId: SUB_A, credential }, { cloud: h.cloud, transport: h.transport }),
      /^RegistryNotFoundError: registry "nosuch" was not found in the target subscription/,
    );
    await assert.rejects(
      connect({ registryName: 'nosuch', subscriptionId: SUB_A, credential }, { registryName: 'nothere', subscriptionId: SUB_A, credential }, { cloud: h.cloud, transport: h.transport }),
      /^RegistryNotFoundError: registry "nosuch" was not found in the source subscription/,
    );
  });
});
