/**
 * A source ACR in another Microsoft Entra tenant, through its own identity (the task's two
 * Azure Resource Manager connections in two tenants): the target's identity cannot read the
 * source by resource id, so importImage reads it by login server with an ARM access token of
 * the source identity as the password and no user name — Azure's "cross-tenant import with
 * access token". Over HTTPS against the emulator, which signs the token in as that identity
 * and checks its pull right on the source.
 */
import { strict as assert } from 'node:assert';
import { connect, type Connection } from '../../src/azure/connect';
import { createArmImporter } from '../../src/azure/arm/armImporter';
import { PreflightError } from '../../src/azure/arm/preflight';
import { runSync } from '../../src/engine/sync';
import { parseOptions } from '../../src/options/parse';
import { startHarness, SUB_A, SUB_B, type Harness } from './support/emulatorHarness';

const SOURCE_TENANT = '5a5a0001-0000-4000-8000-00000000c7a1';
const TARGET_TENANT = '5a5a0002-0000-4000-8000-00000000c7a2';
const SOURCE_READER = 'c7a10001-0000-4000-8000-000000000001'; // AcrPull + Reader on the source, in the source's tenant
const TARGET_WRITER = 'c7a10002-0000-4000-8000-000000000002'; // Contributor on the target, in the target's tenant
const image = (seed: string) => ({ content: { kind: 'image' as const, seed } });


describe('azure: a source ACR in another tenant, through its own identity', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startHarness({
      fixture: {
        principals: [
          {
            tenantId: SOURCE_TENANT,
            clientId: SOURCE_READER,
            secret: 'source-tenant-secret-1',
            roles: [
              { role: 'AcrPull', scope: `/subscriptions/${SUB_A}` },
              { role: 'Reader', scope: `/subscriptions/${SUB_A}` },
            ],
          },
          { tenantId: TARGET_TENANT, clientId: TARGET_WRITER, secret: 'target-tenant-secret-2', roles: [{ role: 'Contributor', scope: `/subscriptions/${SUB_B}` }] },
        ],
        subscriptions: [
          {
            id: SUB_A,
            tenantId: SOURCE_TENANT,
            registries: [
              { name: 'srcreg', resourceGroup: 'src-rg', repositories: { app: { v1: image('a1'), v2: image('a2'), latest: image('a2') } } },
              { name: 'closedsrc', resourceGroup: 'src-rg', sku: 'Premium', publicNetworkAccess: 'Disabled', networkRuleBypassOptions: 'AzureServices' },
            ],
          },
          { id: SUB_B, tenantId: TARGET_TENANT, registries: [{ name: 'dstreg', resourceGroup: 'dst-rg', repositories: { app: { v1: image('a1') } } }] },
        ],
      },
      importRetryAfterSeconds: 1,
      importDurationMs: 0,
    });
  });
  after(async () => h?.stop());
  beforeEach(() => h.emulator.log.clear());

  function open(crossTenant: boolean, source = 'srcreg'): Promise<Connection> {
    return connect(
      { registryName: source, subscriptionId: SUB_A, credential: h.credentialFor(SOURCE_READER) },
      { registryName: 'dstreg', subscriptionId: SUB_B, credential: h.credentialFor(TARGET_WRITER) },
      { cloud: h.cloud, transport: h.transport, ...(crossTenant ? { crossTenant } : {}) },
    );
  }

  it('cannot be read by resource id: the target identity, of the other tenant, is not let into the source subscription', async () => {
    const conn = await open(false);
    // ARM does not answer the target identity about the source: the check is skipped with a warning…
    assert.deepEqual(conn.preflight.skipped.map((s) => s.check), ['sourceRead']);
    // …and an import by resource id is refused.
    const report = await runSync(parseOptions({ sourceRegistry: 'srcreg', targetRegistry: 'dstreg' }).sync, conn.ports, { toolVersion: 'test' });
    assert.equal(report.result, 'failed');
    assert.equal(h.emulator.registry('dstreg').tags('app').get('v2'), undefined);
  });

  it('syncs by login server with the source identity\'s ARM token as the password, no user name', async () => {
    const conn = await open(true);
    assert.deepEqual(conn.preflight, { skipped: [] });
    // No permissions read of the source: the target identity is not asked to read it.
    assert.equal(h.emulator.log.count('arm.permissions', 200), 1);
    const report = await runSync(parseOptions({ sourceRegistry: 'srcreg', targetRegistry: 'dstreg' }).sync, conn.ports, { toolVersion: 'test' });
    assert.equal(report.result, 'succeeded', JSON.stringify(report.repositories));
    const source = h.emulator.registry('srcreg');
    assert.deepEqual(Object.fromEntries(h.emulator.registry('dstreg').tags('app')), Object.fromEntries(source.tags('app')));
    const bodies = h.emulator.log
      .entries()
      .filter((e) => e.route === 'arm.importImage')
      .map((e) => e.body as { source: { registryUri?: string; resourceId?: string; sourceImage: string; credentials?: Record<string, string> } });
    assert.equal(bodies.length, 1, 'v2 and latest share one import');
    assert.equal(bodies[0]?.source.resourceId, undefined);
    assert.equal(bodies[0]?.source.registryUri, source.loginServer);
    // A password (redacted in the log) and no user name.
    assert.deepEqual(bodies[0]?.source.credentials, { password: '<redacted>' });
    assert.match(bodies[0]?.source.sourceImage ?? '', /^app@sha256:[0-9a-f]{64}$/);
  });

  it('is refused for a source whose public network access is disabled: Azure cannot import across tenants from it', async () => {
    await assert.rejects(open(true, 'closedsrc'), (e: unknown) => e instanceof PreflightError && e.key === 'PreflightCrossTenantClosed' && e.message.includes('closedsrc'));
    assert.equal(h.emulator.log.count('arm.importImage'), 0);
  });

  it('is refused by the service when the source identity may not pull (the emulator checks the token\'s identity)', async () => {
    // The target identity's own ARM token as the password: it has no right on the source.
    const conn = await connect(
      { registryName: 'srcreg', subscriptionId: SUB_A, credential: h.credentialFor(SOURCE_READER) },
      { registryName: 'dstreg', subscriptionId: SUB_B, credential: h.credentialFor(TARGET_WRITER) },
      { cloud: h.cloud, transport: h.transport, crossTenant: true, preflight: false },
    );
    const token = await h.credentialFor(TARGET_WRITER).getToken(`${h.emulator.armEndpoint}/.default`);
    const client = createArmImporter(
      h.credentialFor(TARGET_WRITER),
      conn.target,
      { registryUri: h.emulator.registry('srcreg').loginServer, credentials: { password: token!.token } },
      h.cloud,
      h.transport,
    );
    const digest = h.emulator.registry('srcreg').tags('app').get('v1')!;
    await assert.rejects(client.importImage({ sourceRepository: 'app', targetRepository: 'app', sourceDigest: digest, targetTags: ['v1-copy'], mode: 'NoForce' }));
    assert.equal(h.emulator.registry('dstreg').tags('app').get('v1-copy'), undefined);
  });
});
