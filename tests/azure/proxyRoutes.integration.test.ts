/**
 * The route per request on the wire: a real CONNECT proxy on 127.0.0.1 in front of the emulator,
 * the real SDK clients. A host the proxy rule bypasses is reached directly (no tunnel, yet the
 * emulator served it), the others through the proxy; the extra CA works both ways; the
 * managed-identity endpoint never reaches the proxy, even when the proxy is set for everything
 * and HTTPS_PROXY names it too.
 */
import { strict as assert } from 'node:assert';
import { armScope, customizeCloud, type AzureCloud } from '../../src/azure/cloud';
import { connect } from '../../src/azure/connect';
import { clientSecretCredential } from '../../src/azure/identity/credentials';
import { envProxyResolver, type ProxyResolver } from '../../src/azure/http/proxyRoute';
import { createTransport } from '../../src/azure/http/transport';
import { managedIdentityCredential } from '../../src/azure/identity/managedIdentity';
import { startConnectProxy, type ConnectProxy } from '../support/connectProxy';
import { imageTags, startHarness, SUB_A, SUB_B, syncer, TENANT, type Harness } from './support/emulatorHarness';

const SYNCER = 'c0ffee00-0000-4000-8000-0000000000a1';

describe('azure/proxy routes (emulator behind a CONNECT proxy)', function () {
  this.timeout(120_000);
  let h: Harness;
  let proxy: ConnectProxy;

  before(async () => {
    h = await startHarness({
      tokenLifetimeSeconds: 300,
      fixture: {
        principals: [syncer(SYNCER), { tenantId: TENANT, clientId: 'vm', managedIdentity: 'systemAssigned', roles: [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }] }],
        subscriptions: [
          { id: SUB_A, tenantId: TENANT, registries: [{ name: 'srcreg', resourceGroup: 'rg', repositories: { app: imageTags(2) } }] },
          { id: SUB_B, tenantId: TENANT, registries: [{ name: 'dstreg', resourceGroup: 'rg', repositories: {} }] },
        ],
      },
    });
  });
  beforeEach(async () => {
    proxy = await startConnectProxy();
  });
  afterEach(async () => {
    await proxy?.stop();
  });
  after(async () => {
    await h?.stop();
  });

  const hostOf = (url: string): string => new URL(url).host;
  const tunnelled = (): string[] => [...proxy.tunnels.keys()];

  /** Signs in, finds both registries and lists both sides' tags, on a transport with this proxy rule. */
  async function listBothSides(proxyFor: ProxyResolver, cloud: AzureCloud = h.cloud): Promise<void> {
    const transport = createTransport({ version: 'test', caPem: h.emulator.caPem, retry: { maxRetries: 0 }, proxyFor });
    const credential = clientSecretCredential(TENANT, SYNCER, `secret-of-${SYNCER}`, cloud, transport);
    const connection = await connect(
      { registryName: 'srcreg', subscriptionId: SUB_A, credential },
      { registryName: 'dstreg', subscriptionId: SUB_B, credential },
      { cloud, transport },
    );
    assert.equal((await connection.ports.source.listTags('app'))?.length, 2);
    assert.equal(await connection.ports.target.listTags('app'), null, 'no such repository in the target');
  }

  it('sends a registry the bypass list names straight to it, and Entra, ARM and the other registry through the proxy', async () => {
    const src = h.emulator.registry('srcreg').loginServer;
    const dst = h.emulator.registry('dstreg').loginServer;
    // As task-lib decides: a regular expression, matched without regard to case against the whole URL.
    const bypass = [new RegExp(`^https://${src.replace(/\./g, '\\.')}/`, 'i')];
    const before = h.emulator.log.entries().filter((e) => e.service === 'acr:srcreg').length;
    await listBothSides((url) => (bypass.some((re) => re.test(url)) ? undefined : new URL(proxy.url)));
    for (const host of [hostOf(h.emulator.authorityHost), hostOf(h.emulator.armEndpoint), dst]) {
      assert.ok(tunnelled().includes(host), `no tunnel to ${host}; tunnels: ${tunnelled().join(', ')}`);
    }
    assert.ok(!tunnelled().includes(src), `the bypassed registry went through the proxy: ${tunnelled().join(', ')}`);
    const served = h.emulator.log.entries().filter((e) => e.service === 'acr:srcreg' && e.status === 200).length;
    assert.ok(served - before > 0, 'the bypassed registry was reached directly and answered');
  });

  it('reads HTTPS_PROXY and NO_PROXY as the Azure SDK does: an exact host name in NO_PROXY goes direct', async () => {
    // Entra reached as `localhost` (its certificate names it), which NO_PROXY lists; the rest at 127.0.0.1.
    const cloud = customizeCloud(h.cloud, { authorityHost: h.emulator.authorityHost.replace('127.0.0.1', 'localhost') });
    await listBothSides(envProxyResolver({ HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com, localhost' })!, cloud);
    assert.ok(!tunnelled().some((host) => host.startsWith('localhost:')), `Entra went through the proxy: ${tunnelled().join(', ')}`);
    for (const host of [hostOf(h.emulator.armEndpoint), h.emulator.registry('srcreg').loginServer, h.emulator.registry('dstreg').loginServer]) {
      assert.ok(tunnelled().includes(host), `no tunnel to ${host}; tunnels: ${tunnelled().join(', ')}`);
    }
  });

  it('never sends a managed-identity request to the proxy, even with a proxy for everything and HTTPS_PROXY set', async () => {
    const saved = { ...process.env };
    process.env['IDENTITY_ENDPOINT'] = h.emulator.managedIdentity.endpoint;
    process.env['IDENTITY_HEADER'] = h.emulator.managedIdentity.header;
    process.env['HTTPS_PROXY'] = proxy.url;
    try {
      const everything = new URL(proxy.url);
      const transport = createTransport({ version: 'test', caPem: h.emulator.caPem, retry: { maxRetries: 0 }, proxyFor: () => everything });
      const before = h.emulator.log.count('identity.token', 200);
      const credential = managedIdentityCredential(h.cloud, transport, process.env);
      const token = await credential.getToken(armScope(h.cloud));
      assert.ok(token && token.token.length > 20);
      assert.equal(h.emulator.log.count('identity.token', 200) - before, 1, 'the identity endpoint answered');
      assert.deepEqual(tunnelled(), [], 'nothing reached the proxy');
      // IMDS by its address, whatever the rule says.
      assert.equal(transport.routes.proxyFor('http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01'), undefined);
      assert.equal(transport.routes.proxyFor(h.emulator.armEndpoint)?.href, everything.href);
    } finally {
      for (const key of ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'HTTPS_PROXY']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('pools connections: one direct agent per protocol and one agent per proxy, shared by every client of a transport', () => {
    const a = new URL('http://127.0.0.1:1');
    const transport = createTransport({ version: 'test', proxyFor: (url) => (url.includes('proxied') ? a : undefined) });
    const routes = transport.routes;
    assert.equal(routes.agentFor('https://proxied.example/x').agent, routes.agentFor('https://other.proxied.example/y').agent);
    assert.equal(routes.agentFor('https://direct.example/x').agent, routes.agentFor('https://direct2.example/y').agent);
    assert.notEqual(routes.agentFor('https://direct.example/x').agent, routes.agentFor('https://proxied.example/x').agent);
    assert.notEqual(routes.agentFor('http://direct.example/x').agent, routes.agentFor('https://direct.example/x').agent);
  });
});
