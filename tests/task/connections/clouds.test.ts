/**
 * Every cloud a service connection can name, run as the agent runs the task (the driver, a
 * child process with the agent's ENDPOINT_* variables) against the emulator playing that
 * cloud: its Entra issues tokens only for the resources it serves (AADSTS500011 otherwise), as
 * Entra does.
 *
 * - US Government and China: the registries accept only the registry audience (authentication
 *   as ARM disabled). With the audience those clouds' registries use
 *   (`https://containerregistry.azure.net`, docs/decisions/010-clouds-and-audiences.md) the run
 *   lists both registries; an emulated cloud whose registries wanted azure-arm-rest's
 *   `containerregistry.azure.us` / `.azure.cn` instead fails with one line that names the
 *   audience asked for and the fix.
 * - Azure Stack Hub: ARM tokens are asked for the connection's own audience
 *   (`activeDirectoryServiceEndpointResourceId`), or the stamp's metadata's when the connection
 *   has none, never for `<ARM URL>/.default`.
 * - AD FS connections are refused before any request, with one documented line.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../testkit/emulator';
import type { Fixture } from '../../../testkit/emulator/api';
import { connectionEnv, secretConnection, type ConnectionSpec } from './support/agentEnv';
import { tokenGrants } from './support/runAssertions';
import { runDriver, type DriverRun } from './support/runDriver';
import { APP, CLIENT_SECRET, CONN, REGISTRY, SUB_A, TENANT_A, TENANT_B, SUB_B, makeCertificate, world } from './support/world';

const ACR_AUDIENCE = 'https://containerregistry.azure.net';
/** What an Azure Stack Hub stamp registered in Entra uses: `https://management.<directory>/<guid>`. */
const STACK_AUDIENCE = 'https://management.contosostack.onmicrosoft.com/6f1c9b3a-52d7-4bd3-9c1e-2f4f1d7a8e10';

/** The connection world with every registry accepting only registry-audience tokens. */
async function acrAudienceOnlyWorld(): Promise<Fixture> {
  const fixture = world(await makeCertificate());
  for (const subscription of fixture.subscriptions) {
    for (const registry of subscription.registries) registry.azureADAuthenticationAsArmPolicy = 'disabled';
  }
  return fixture;
}

function sourceSpec(em: Emulator, environment: string, data: Record<string, string> = {}): ConnectionSpec {
  const spec = secretConnection(em, { id: CONN.secret, tenantId: TENANT_A, subscriptionId: SUB_A, clientId: APP.secret, secret: CLIENT_SECRET, environment });
  return { ...spec, data: { ...spec.data, ...data } };
}

function listSource(em: Emulator, spec: ConnectionSpec, registryDomain = em.registryDomain): Promise<DriverRun> {
  return runDriver({ sides: [{ side: 'source', connectionId: CONN.secret, registry: REGISTRY.a }], durationMs: 0, intervalMs: 0, registryDomain }, connectionEnv(spec), em.caFile);
}

/** The scopes the source's service principal asked Entra for, distinct, in order. */
function scopesAsked(em: Emulator): string[] {
  return [...new Set(tokenGrants(em, APP.secret).map((g) => g.record.scope ?? ''))];
}

/** One line, no ids or secrets. */
function assertOneSafeLine(run: DriverRun): string {
  assert.equal(run.code, 1, run.stdout);
  const error = run.error ?? '';
  assert.ok(!/[\r\n]/.test(error));
  for (const forbidden of [CONN.secret, TENANT_A, TENANT_B, SUB_A, SUB_B, CLIENT_SECRET, APP.secret]) assert.ok(!error.includes(forbidden), `${forbidden} in: ${error}`);
  return error;
}

describe('task connections: every cloud', function () {
  this.timeout(120_000);

  for (const [environment, armTableAudience] of [
    ['AzureUSGovernment', 'https://containerregistry.azure.us'],
    ['AzureChinaCloud', 'https://containerregistry.azure.cn'],
  ] as const) {
    describe(`${environment} (its endpoints played by the emulator)`, function () {
      let right: Emulator;
      let wrong: Emulator;

      before(async function () {
        [right, wrong] = await Promise.all([
          startEmulator({ fixture: await acrAudienceOnlyWorld(), acrAudience: ACR_AUDIENCE }),
          startEmulator({ fixture: await acrAudienceOnlyWorld(), acrAudience: armTableAudience }),
        ]);
      });
      after(async () => Promise.all([right?.stop(), wrong?.stop()]));

      it('asks for the registry audience of that cloud and lists the registry, with the registry domain given for the cloud', async function () {
        const run = await listSource(right, sourceSpec(right, environment));
        assert.equal(run.error, undefined, run.stderr);
        assert.deepEqual(run.result?.repositories, { source: ['app', 'team/tool'] });
        const cloud = run.resolved[0]?.cloud;
        assert.equal(cloud?.name, `${environment} (custom)`, 'its endpoints are the emulator’s');
        assert.equal(cloud?.acrAudience, ACR_AUDIENCE);
        assert.equal(cloud?.registryDomain, right.registryDomain);
        assert.equal(cloud?.armAudience, undefined, 'ARM tokens are for the ARM URL itself');
        assert.deepEqual(scopesAsked(right), [`${right.armEndpoint}/.default`, `${ACR_AUDIENCE}/.default`]);
        assert.equal(right.log.count('acr.exchange', 200), 1);
      });

      it(`without the registry domain the cloud's own (${environment === 'AzureChinaCloud' ? 'azurecr.cn' : 'azurecr.us'}) is required and no token goes to the registry`, async function () {
        right.log.clear();
        const run = await listSource(right, sourceSpec(right, environment), '');
        const error = assertOneSafeLine(run);
        assert.match(error, new RegExp(`is reached at "127\\.0\\.0\\.1:\\d+", which is not under ${environment === 'AzureChinaCloud' ? 'azurecr\\.cn' : 'azurecr\\.us'}; no token is sent there`));
        assert.equal(right.log.count('acr.exchange'), 0);
      });

      it(`fails with one line naming the audience when the cloud's registries wanted ${armTableAudience}`, async function () {
        const run = await listSource(wrong, sourceSpec(wrong, environment));
        const error = assertOneSafeLine(run);
        // Entra has no such resource here (AADSTS500011), and the registry refuses the ARM audience.
        assert.match(error, /AADSTS500011/);
        assert.ok(error.includes(ACR_AUDIENCE), error);
        assert.match(error, /Azure AD authentication as ARM policy is disabled/);
        assert.match(error, /registry token audience/i, `says which input fixes it: ${error}`);
        assert.equal(wrong.log.count('acr.exchange', 200), 0);
      });

      it('succeeds there too once the registry token audience input names it', async function () {
        const spec = sourceSpec(wrong, environment);
        const run = await runDriver(
          { sides: [{ side: 'source', connectionId: CONN.secret, registry: REGISTRY.a }], durationMs: 0, intervalMs: 0, registryDomain: wrong.registryDomain, acrAudience: armTableAudience },
          connectionEnv(spec),
          wrong.caFile,
        );
        assert.equal(run.error, undefined, run.stderr);
        assert.equal(run.resolved[0]?.cloud.acrAudience, armTableAudience);
      });
    });
  }

  describe('Azure Stack Hub (a custom ARM URL and its own ARM audience)', function () {
    let em: Emulator;

    before(async function () {
      em = await startEmulator({ fixture: world(await makeCertificate()), extraArmAudiences: [STACK_AUDIENCE] });
    });
    after(() => em?.stop());
    beforeEach(() => em.log.clear());

    it("asks for ARM tokens for the connection's activeDirectoryServiceEndpointResourceId, never for the ARM URL", async function () {
      const spec = sourceSpec(em, 'AzureStack', { activeDirectoryServiceEndpointResourceId: STACK_AUDIENCE });
      const run = await listSource(em, spec);
      assert.equal(run.error, undefined, run.stderr);
      assert.deepEqual(run.result?.repositories, { source: ['app', 'team/tool'] });
      const cloud = run.resolved[0]?.cloud;
      assert.equal(cloud?.name, 'AzureStack');
      assert.equal(cloud?.armEndpoint, em.armEndpoint);
      assert.equal(cloud?.armAudience, STACK_AUDIENCE);
      assert.equal(scopesAsked(em)[0], `${STACK_AUDIENCE}/.default`);
      assert.ok(!scopesAsked(em).includes(`${em.armEndpoint}/.default`), scopesAsked(em).join(' '));
      assert.equal(em.log.count('arm.metadata'), 0, 'the connection said everything: the stamp is not asked');
    });

    it("takes the audience from the stamp's metadata when the connection has none, as azure-arm-rest reads it", async function () {
      const spec = sourceSpec(em, 'AzureStack');
      delete spec.data['activeDirectoryAuthority'];
      delete spec.data['environmentAuthorityUrl'];
      const run = await listSource(em, spec);
      assert.equal(run.error, undefined, run.stderr);
      assert.equal(run.resolved[0]?.cloud.armAudience, STACK_AUDIENCE);
      assert.equal(run.resolved[0]?.cloud.authorityHost, em.authorityHost);
      assert.equal(em.log.count('arm.metadata', 200), 1);
      assert.equal(scopesAsked(em)[0], `${STACK_AUDIENCE}/.default`);
    });
  });

  describe('AD FS', function () {
    let em: Emulator;

    before(async function () {
      em = await startEmulator({ fixture: world(await makeCertificate()) });
    });
    after(() => em?.stop());
    beforeEach(() => em.log.clear());

    const ADFS_LINE =
      'The source service connection signs in through AD FS (an Azure Stack Hub without Microsoft Entra ID), which this task does not support. Use a connection to a cloud or Azure Stack Hub that signs in with Microsoft Entra ID.';

    it('a connection marked EnableAdfsAuthentication is refused before any request', async function () {
      const run = await listSource(em, sourceSpec(em, 'AzureStack', { EnableAdfsAuthentication: 'true', activeDirectoryServiceEndpointResourceId: STACK_AUDIENCE }));
      assert.equal(assertOneSafeLine(run), ADFS_LINE);
      assert.equal(em.log.entries().length, 0);
    });

    it('a connection whose authority is an AD FS one (…/adfs/) is refused before any request', async function () {
      const run = await listSource(
        em,
        sourceSpec(em, 'AzureStack', { activeDirectoryAuthority: 'https://adfs.local.azurestack.external/adfs/', activeDirectoryServiceEndpointResourceId: STACK_AUDIENCE }),
      );
      assert.equal(assertOneSafeLine(run), ADFS_LINE);
      assert.equal(em.log.entries().length, 0);
    });
  });
});
