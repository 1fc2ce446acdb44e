/**
 * The packaged task (`node dist/index.js` from the unpacked .vsix, the agent's INPUT_* and
 * ENDPOINT_* variables) in every cloud a connection can name, against the emulator playing it:
 *
 * - US Government and China connections (their `environment`, ARM URL and authority at the
 *   emulator, *Registry domain* given as for the cloud) with registries that accept only the
 *   registry audience: the dry run succeeds with `https://containerregistry.azure.net`;
 * - Azure Stack Hub: ARM tokens for the connection's `activeDirectoryServiceEndpointResourceId`;
 * - AD FS: refused with the documented line, nothing sent;
 * - a source registry in the attribute-based permission mode whose sign-in is refused: the
 *   preflight names that mode's roles.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../../testkit/emulator';
import type { Emulator, EmulatorOptions, Fixture, TokenRequestRecord } from '../../../testkit/emulator/api';
import { packagedTaskEntry } from '../../package/support/packaged';
import { runGuarded, type ChildRun } from '../../support/runGuarded';
import { TASK_NODE_MAJORS, testNode } from '../../support/testNodes';
import { connectionEnv, secretConnection } from '../connections/support/agentEnv';

const TENANT = '4d3c2b1a-0000-4000-8000-00000000c1d0';
const SUB = '5a5a5a5a-1111-4111-8111-00000000c1d1';
const CONN = 'c0c0c0c0-0000-4000-8000-0000000c1d0a';
const APP = 'a99a0001-0000-4000-8000-0000000c1d0a';
const SECRET = 'cloud-sp-secret~E2E.value3';
const SOURCE = 'homeregistry';
const TARGET = 'awayregistry';
const ACR_AUDIENCE = 'https://containerregistry.azure.net';
const STACK_AUDIENCE = 'https://management.contosostack.onmicrosoft.com/6f1c9b3a-52d7-4bd3-9c1e-2f4f1d7a8e10';

function fixture(registry: { azureADAuthenticationAsArmPolicy?: 'disabled'; roleAssignmentMode?: 'AbacRepositoryPermissions' } = {}): Fixture {
  return {
    principals: [
      {
        tenantId: TENANT,
        clientId: APP,
        secret: SECRET,
        roles: [
          { role: 'Reader', scope: `/subscriptions/${SUB}` },
          { role: 'AcrPull', scope: `/subscriptions/${SUB}` },
          { role: 'Contributor', scope: `/subscriptions/${SUB}` },
        ],
      },
    ],
    subscriptions: [
      {
        id: SUB,
        tenantId: TENANT,
        registries: [
          { name: SOURCE, resourceGroup: 'rg', ...registry, repositories: { app: { '1.0': { content: { kind: 'image', seed: 'app-1' } } } } },
          { name: TARGET, resourceGroup: 'rg', azureADAuthenticationAsArmPolicy: registry.azureADAuthenticationAsArmPolicy ?? 'enabled' },
        ],
      },
    ],
  };
}

interface CloudRun {
  run: ChildRun;
  emulator: Emulator;
}

/** The task once, one connection for both sides, a dry run. */
async function runTask(entry: string, node: string, options: Omit<EmulatorOptions, 'fixture'> & { fixture: Fixture }, environment: string, data: Record<string, string> = {}, setup?: (em: Emulator) => void): Promise<CloudRun> {
  const emulator = await startEmulator(options);
  try {
    setup?.(emulator);
    const agentTemp = mkdtempSync(join(tmpdir(), 'agent-temp-'));
    const spec = secretConnection(emulator, { id: CONN, tenantId: TENANT, subscriptionId: SUB, clientId: APP, secret: SECRET, environment });
    const run = await runGuarded(entry, [], {
      INPUT_SOURCECONNECTION: CONN,
      INPUT_SOURCEREGISTRY: SOURCE,
      INPUT_TARGETCONNECTION: CONN,
      INPUT_TARGETREGISTRY: TARGET,
      INPUT_REGISTRYDOMAIN: emulator.registryDomain,
      INPUT_DRYRUN: 'true',
      AGENT_TEMPDIRECTORY: agentTemp,
      AGENT_CAINFO: emulator.caFile,
      SYSTEM_DEFAULTWORKINGDIRECTORY: agentTemp,
      ...connectionEnv({ ...spec, data: { ...spec.data, ...data } }),
    }, undefined, [], node);
    return { run, emulator };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

const completion = (run: ChildRun): string => /^##vso\[task\.complete result=(\w+);\](.*)$/m.exec(run.stdout)?.slice(1, 3).join(' ') ?? `(no completion) ${run.stdout}${run.stderr}`;

function scopes(em: Emulator): string[] {
  return [...new Set(em.log.entries().filter((e) => e.route === 'entra.token').map((e) => (e.body as TokenRequestRecord).scope ?? ''))];
}

function assertNoIdsOrSecrets(run: ChildRun): void {
  const clear = run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.setsecret]')).join('\n') + run.stderr;
  for (const value of [SECRET, SUB, TENANT]) assert.ok(!clear.includes(value), `printed ${value.slice(0, 8)}…`);
}

describe('the packaged task in every cloud, run as the agent runs it', function () {
  this.timeout(180_000);
  let entry: string;
  const started: Emulator[] = [];

  before(async () => {
    entry = await packagedTaskEntry();
    assert.ok(existsSync(entry), entry);
  });
  after(async () => Promise.all(started.map((em) => em.stop())));

  for (const major of TASK_NODE_MAJORS) {
    describe(`on Node ${major}`, () => {
      async function cloudRun(...args: Parameters<typeof runTask> extends [string, string, ...infer R] ? R : never): Promise<CloudRun> {
        const result = await runTask(entry, testNode(major).path, ...args);
        started.push(result.emulator);
        assert.ok(result.run.stdout.includes(` on Node ${testNode(major).version}\n`), `not run on Node ${major}`);
        return result;
      }

      for (const environment of ['AzureUSGovernment', 'AzureChinaCloud']) {
        it(`${environment}: registries that take only the registry audience are read with ${ACR_AUDIENCE}`, async () => {
          const { run, emulator } = await cloudRun({ fixture: fixture({ azureADAuthenticationAsArmPolicy: 'disabled' }), acrAudience: ACR_AUDIENCE }, environment);
          assert.equal(completion(run).split(' ')[0], 'Succeeded', completion(run));
          assert.ok(scopes(emulator).includes(`${ACR_AUDIENCE}/.default`), scopes(emulator).join(' '));
          assert.ok(emulator.log.count('acr.exchange', 200) >= 2, 'both registries signed in');
          assert.equal(emulator.log.count('arm.importImage'), 0, 'a dry run');
          assertNoIdsOrSecrets(run);
        });
      }

      it('a cloud whose registries expect another audience: one line naming it and the input that fixes it, not a missing role', async () => {
        const { run, emulator } = await cloudRun({ fixture: fixture({ azureADAuthenticationAsArmPolicy: 'disabled' }), acrAudience: 'https://containerregistry.azure.us' }, 'AzureUSGovernment');
        const line = completion(run);
        assert.match(line, /^Failed .*Entra gave no token for the registry audience https:\/\/containerregistry\.azure\.net and the registry refused the Resource Manager one; if this cloud's registries expect another audience, give it as the registry token audience \(Entra: AADSTS500011: /);
        assert.doesNotMatch(line, /AcrPull/);
        assert.ok(!/[\r\n]/.test(line));
        assert.equal(emulator.log.count('arm.importImage'), 0);
        assertNoIdsOrSecrets(run);
      });

      it("Azure Stack Hub: ARM tokens for the connection's activeDirectoryServiceEndpointResourceId", async () => {
        const { run, emulator } = await cloudRun({ fixture: fixture(), extraArmAudiences: [STACK_AUDIENCE] }, 'AzureStack', { activeDirectoryServiceEndpointResourceId: STACK_AUDIENCE });
        assert.equal(completion(run).split(' ')[0], 'Succeeded', completion(run));
        assert.ok(scopes(emulator).includes(`${STACK_AUDIENCE}/.default`), scopes(emulator).join(' '));
        assert.ok(!scopes(emulator).includes(`${emulator.armEndpoint}/.default`), scopes(emulator).join(' '));
        assertNoIdsOrSecrets(run);
      });

      it('AD FS: fails with the documented line before any request', async () => {
        const { run, emulator } = await cloudRun({ fixture: fixture() }, 'AzureStack', { EnableAdfsAuthentication: 'true' });
        assert.equal(
          completion(run),
          'Failed The source service connection signs in through AD FS (an Azure Stack Hub without Microsoft Entra ID), which this task does not support. Use a connection to a cloud or Azure Stack Hub that signs in with Microsoft Entra ID.',
        );
        assert.equal(emulator.log.entries().length, 0);
      });

      it('a source in the attribute-based permission mode whose sign-in is refused: the preflight names that mode’s roles', async () => {
        const { run, emulator } = await cloudRun({ fixture: fixture({ roleAssignmentMode: 'AbacRepositoryPermissions' }) }, 'AzureCloud', {}, (em) =>
          em.addFault({ route: 'acr.exchange', kind: 'status', status: 401, times: Infinity, body: { errors: [{ code: 'UNAUTHORIZED', message: 'no role on the registry' }] } }),
        );
        assert.match(
          completion(run),
          /^Failed .*the source identity cannot read the source registry homeregistry \(the registry answered HTTP 401 UNAUTHORIZED\): the registry uses attribute-based repository permissions, where AcrPull is not honoured; give the identity Container Registry Repository Catalog Lister and Container Registry Repository Reader on the registry/,
        );
        assert.equal(emulator.log.count('arm.importImage'), 0);
        assertNoIdsOrSecrets(run);
      });
    });
  }
});
