/**
 * The packaged task reading an ACR in another tenant through a Docker Registry service
 * connection of type "Azure Container Registry" (scheme ServicePrincipal: login server, app id
 * and secret), run as the agent runs it on each Node handler. The principal belongs to the
 * source's tenant and has AcrPull there; the target is reached through an Azure Resource
 * Manager connection of the other tenant. The app id and secret are Basic credentials to the
 * source registry and importImage's `source.credentials`: no Entra token is asked for in the
 * source's tenant, no ARM id of the source is used, and the secret appears only in the line
 * that registers it.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../../testkit/emulator';
import type { AcrTokenRequestRecord, Emulator, Fixture } from '../../../testkit/emulator/api';
import { packagedTaskEntry } from '../../package/support/packaged';
import { runGuarded, type ChildRun } from '../../support/runGuarded';
import { TASK_NODE_MAJORS, testNode } from '../../support/testNodes';
import { acrRegistryConnection, connectionEnv, secretConnection } from '../connections/support/agentEnv';
import { agentEnv, outputVariables, tagsOf } from './support/taskOutput';

const TENANT = '4d3c2b1a-0000-4000-8000-00000000f151';
const SUB = '5a5a5a5a-1111-4111-8111-00000000f152';
const PARTNER_TENANT = '6b6b6b6b-0000-4000-8000-00000000f153';
const PARTNER_SUB = '6b6b6b6b-1111-4111-8111-00000000f154';
const SOURCE = 'partneracr';
const TARGET = 'ouracr';
const ARM_CONN = 'c0c0c0c0-0000-4000-8000-0000000f15a1';
const ACR_CONN = 'd0d0d0d0-0000-4000-8000-0000000f15a2';
const OUR_APP = { clientId: 'a99a0001-0000-4000-8000-0000000f15a1', secret: 'our-sp-secret~F15.value' };
const PARTNER_APP = { clientId: 'b88b0002-0000-4000-8000-0000000f15a2', secret: 'Partner-SP-secret~9q2.x' };
const SOURCE_ID = `/subscriptions/${PARTNER_SUB}/resourceGroups/rg-partner/providers/Microsoft.ContainerRegistry/registries/${SOURCE}`;
const image = (seed: string) => ({ content: { kind: 'image' as const, seed } });

function fixture(): Fixture {
  return {
    principals: [
      { tenantId: TENANT, ...OUR_APP, roles: [{ role: 'Contributor', scope: `/subscriptions/${SUB}` }] },
      { tenantId: PARTNER_TENANT, ...PARTNER_APP, roles: [{ role: 'AcrPull', scope: SOURCE_ID }] },
    ],
    subscriptions: [
      { id: SUB, tenantId: TENANT, registries: [{ name: TARGET, resourceGroup: 'rg', repositories: { 'shared/base': { '2.0': image('stale') } } }] },
      {
        id: PARTNER_SUB,
        tenantId: PARTNER_TENANT,
        registries: [
          {
            name: SOURCE,
            resourceGroup: 'rg-partner',
            repositories: { 'shared/base': { '2.0': image('base-2'), '2.1': image('base-21') }, tools: { v3: image('tools-3') } },
          },
        ],
      },
    ],
  };
}

for (const major of TASK_NODE_MAJORS) {
  describe(`the packaged task on Node ${major}: an ACR in another tenant through an Azure Container Registry (service principal) connection`, function () {
    this.timeout(240_000);
    let entry: string;
    let emulator: Emulator;
    const agentTemp = mkdtempSync(join(tmpdir(), 'agent-temp-acr-connection-'));

    before(async () => {
      entry = await packagedTaskEntry();
      emulator = await startEmulator({ fixture: fixture(), importRetryAfterSeconds: 1, importDurationMs: 0 });
    });
    after(async () => {
      await emulator?.stop();
      rmSync(agentTemp, { recursive: true, force: true });
    });

    function runTask(): Promise<ChildRun> {
      const target = secretConnection(emulator, { id: ARM_CONN, tenantId: TENANT, subscriptionId: SUB, ...OUR_APP });
      const source = acrRegistryConnection({
        id: ACR_CONN,
        loginServer: emulator.registry(SOURCE).loginServer,
        tenantId: PARTNER_TENANT,
        ...PARTNER_APP,
        registryId: SOURCE_ID,
        subscriptionId: PARTNER_SUB,
      });
      return runGuarded(
        entry,
        [],
        {
          INPUT_SOURCETYPE: 'registry',
          INPUT_SOURCEREGISTRYCONNECTION: ACR_CONN,
          INPUT_TARGETCONNECTION: ARM_CONN,
          INPUT_TARGETREGISTRY: TARGET,
          INPUT_REGISTRYDOMAIN: emulator.registryDomain,
          ...agentEnv(emulator, agentTemp),
          ...connectionEnv(target),
          ...connectionEnv(source),
        },
        undefined,
        [],
        testNode(major).path,
      );
    }

    function assertSecretOnlyRegistered(run: ChildRun): void {
      const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n/);
      assert.ok(lines.includes(`##vso[task.setsecret]${PARTNER_APP.secret}`), 'the secret is registered');
      assert.ok(!lines.filter((l) => !l.startsWith('##vso[task.setsecret]')).some((l) => l.includes(PARTNER_APP.secret)), 'the secret appears nowhere else');
    }

    it('syncs with the principal\'s app id and secret as the registry\'s credentials, re-tagging the tag that differs; a second run does nothing', async () => {
      const run = await runTask();
      assert.match(run.stdout, /^##vso\[task\.complete result=Succeeded;\]/m, `${run.stdout}\n${run.stderr}`);
      assert.deepEqual(tagsOf(emulator, TARGET), tagsOf(emulator, SOURCE));
      const bodies = emulator.log
        .entries()
        .filter((e) => e.route === 'arm.importImage')
        .map((e) => e.body as { source: { registryUri?: string; resourceId?: string; sourceImage: string; credentials?: unknown }; targetTags: string[]; mode: string });
      assert.equal(bodies.length, 3);
      for (const body of bodies) {
        assert.equal(body.source.registryUri, emulator.registry(SOURCE).loginServer);
        assert.equal(body.source.resourceId, undefined);
        assert.deepEqual(body.source.credentials, { username: '<redacted>', password: '<redacted>' });
        assert.match(body.source.sourceImage, /^[a-z/]+@sha256:[0-9a-f]{64}$/);
      }
      assert.equal(bodies.find((b) => b.targetTags.includes('shared/base:2.0'))?.mode, 'Force');
      // The source was read with the app id and secret as Basic credentials: tokens from its own
      // token route (the catalog granted by AcrPull), no Entra token in its tenant, no exchange.
      const sourceTokens = emulator.log.entries().filter((e) => e.service === `acr:${SOURCE}` && e.route === 'acr.token' && e.status === 200);
      assert.ok(sourceTokens.some((e) => (e.body as AcrTokenRequestRecord).granted.includes('registry:catalog:*')), JSON.stringify(sourceTokens.map((e) => e.body)));
      assert.ok(!emulator.log.entries().some((e) => e.service === `acr:${SOURCE}` && e.route === 'acr.exchange'));
      assert.ok(!emulator.log.entries().some((e) => e.service === 'entra' && e.url.includes(PARTNER_TENANT)));
      assert.equal(outputVariables(run.stdout).tagsImported, '3');
      assert.equal(outputVariables(run.stdout).tagsRetagged, '1');
      assertSecretOnlyRegistered(run);

      const again = await runTask();
      assert.match(again.stdout, /^##vso\[task\.complete result=Succeeded;\]/m, `${again.stdout}\n${again.stderr}`);
      assert.equal(emulator.log.count('arm.importImage'), 3);
      assert.equal(outputVariables(again.stdout).tagsInSync, '3');
      assertSecretOnlyRegistered(again);
    });
  });
}
