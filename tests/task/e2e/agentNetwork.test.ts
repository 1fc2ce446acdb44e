/**
 * The packaged task on an agent behind a proxy, run as the agent runs it (`node dist/index.js`
 * with the agent's variables): a managed-identity connection whose identity endpoint must never
 * be asked through the agent's proxy (azure-arm-rest's known failure there: "Cannot read
 * properties of undefined (reading 'expires_on')"), and an agent without the CA its TLS-inspecting
 * proxy needs, which must fail at once with the one line that names the host, the cause and the
 * agent's CA setting.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../../testkit/emulator';
import type { Emulator, Fixture, PrincipalFixture } from '../../../testkit/emulator/api';
import { startConnectProxy, type ConnectProxy } from '../../support/connectProxy';
import { packagedTaskEntry } from '../../package/support/packaged';
import { runGuarded, type ChildRun } from '../../support/runGuarded';
import { TASK_NODE_MAJORS, testNode } from '../../support/testNodes';
import { connectionEnv, managedIdentityConnection, managedIdentityEnv, secretConnection } from '../connections/support/agentEnv';

const TENANT = '4d3c2b1a-0000-4000-8000-00000000e3e0';
const SUB = '5a5a5a5a-1111-4111-8111-00000000e3e1';
const CONN_MI = 'c0c0c0c0-0000-4000-8000-0000000000c3';
const CONN_SP = 'c0c0c0c0-0000-4000-8000-0000000000d4';
const SP_APP = 'a99a0003-0000-4000-8000-0000000000d4';
const SP_SECRET = 'agent-network-sp-secret~E3E.value';
const image = (seed: string) => ({ content: { kind: 'image' as const, seed } });
const roles: PrincipalFixture['roles'] = [{ role: 'Contributor', scope: `/subscriptions/${SUB}` }];

const fixture: Fixture = {
  principals: [
    { tenantId: TENANT, clientId: 'agent-vm', managedIdentity: 'systemAssigned', roles },
    { tenantId: TENANT, clientId: SP_APP, secret: SP_SECRET, roles },
  ],
  subscriptions: [
    {
      id: SUB,
      tenantId: TENANT,
      registries: [
        { name: 'buildsrc', resourceGroup: 'rg', repositories: { app: { '1.0': image('a1') } } },
        { name: 'builddst', resourceGroup: 'rg', repositories: {} },
      ],
    },
  ],
};

function completion(stdout: string): string | undefined {
  return /^##vso\[task\.complete result=([^;]+);\](.*)$/m.exec(stdout)?.slice(1).join(' ');
}

describe('the packaged task on an agent behind a proxy', function () {
  this.timeout(180_000);
  let entry: string;
  let emulator: Emulator;
  let proxy: ConnectProxy;
  let agentTemp: string;

  before(async () => {
    entry = await packagedTaskEntry();
    assert.ok(existsSync(entry), entry);
    emulator = await startEmulator({ fixture, importRetryAfterSeconds: 1, importDurationMs: 0, tokenLifetimeSeconds: 3600 });
  });
  beforeEach(async () => {
    proxy = await startConnectProxy();
    agentTemp = mkdtempSync(join(tmpdir(), 'agent-temp-'));
  });
  afterEach(async () => {
    await proxy?.stop();
    rmSync(agentTemp, { recursive: true, force: true });
  });
  after(async () => {
    await emulator?.stop();
  });

  async function runTask(connectionId: string, env: Record<string, string>, node: string): Promise<ChildRun> {
    const run = await runGuarded(entry, [], {
      INPUT_SOURCECONNECTION: connectionId,
      INPUT_SOURCEREGISTRY: 'buildsrc',
      INPUT_TARGETCONNECTION: connectionId,
      INPUT_TARGETREGISTRY: 'builddst',
      INPUT_REGISTRYDOMAIN: emulator.registryDomain,
      INPUT_DRYRUN: 'true',
      AGENT_TEMPDIRECTORY: agentTemp,
      SYSTEM_DEFAULTWORKINGDIRECTORY: agentTemp,
      AGENT_PROXYURL: proxy.url,
      ...env,
    }, undefined, [], node);
    const version = /^##vso\[task\.debug\]ACR Transfer \S+ on Node (\S+)$/m.exec(run.stdout)?.[1];
    assert.equal(version, execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(), 'the task ran on the Node asked for');
    return run;
  }

  for (const major of TASK_NODE_MAJORS) {
    describe(`on Node ${major}`, () => {
      it('a managed identity: the identity endpoint is asked directly, everything else through the proxy', async () => {
        const spec = managedIdentityConnection(emulator, { id: CONN_MI, tenantId: TENANT, subscriptionId: SUB });
        const before = emulator.log.count('identity.token', 200);
        const run = await runTask(CONN_MI, { AGENT_CAINFO: emulator.caFile, ...managedIdentityEnv(emulator), ...connectionEnv(spec) }, testNode(major).path);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.match(completion(run.stdout) ?? '', /^Succeeded/, run.stdout);
        assert.ok(emulator.log.count('identity.token', 200) > before, 'the identity endpoint issued the tokens');
        const through = [...proxy.tunnels.keys()];
        assert.ok(!through.includes(new URL(emulator.managedIdentity.endpoint).host), `the identity endpoint went through the proxy: ${through.join(', ')}`);
        for (const host of [new URL(emulator.armEndpoint).host, emulator.registry('buildsrc').loginServer]) {
          assert.ok(through.includes(host), `no tunnel to ${host}; tunnels: ${through.join(', ')}`);
        }
      });

      it("an agent without its proxy's CA: Failed with one line naming Entra's host, the cause and the agent's CA setting, after one attempt", async () => {
        const spec = secretConnection(emulator, { id: CONN_SP, tenantId: TENANT, subscriptionId: SUB, clientId: SP_APP, secret: SP_SECRET });
        const before = emulator.log.entries().length;
        const run = await runTask(CONN_SP, connectionEnv(spec), testNode(major).path); // no AGENT_CAINFO
        const host = new URL(emulator.authorityHost).host;
        // Both sides sign in with the connection at once, and the source's registry token is asked
        // ahead beside them: one attempt each, through the proxy.
        assert.equal(proxy.tunnels.get(host), 3, 'one attempt per token asked (ARM for each side, the source registry ahead), through the proxy');
        assert.equal(emulator.log.entries().length, before, 'no request got past the handshake');
        const line = completion(run.stdout) ?? '';
        assert.match(line, new RegExp(`^Failed .*Entra sign-in at ${host.replace(/\./g, '\\.')} through the proxy 127\\.0\\.0\\.1:\\d+ cannot be used after 1 attempt: its TLS certificate is not trusted \\([A-Z_]+\\)\\.`), run.stdout);
        assert.match(line, /the agent's CA setting \(config --sslcacert, Agent\.CAInfo\)/);
        assert.ok(!line.includes(TENANT) && !line.includes(SUB) && !line.includes(SP_SECRET));
        assert.equal(run.stdout.match(/^##vso\[task\.complete /gm)?.length, 1);
      });
    });
  }
});
