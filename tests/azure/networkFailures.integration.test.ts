/**
 * Connection-level failures of Entra, ARM and registry hosts, with the real SDK clients, on
 * 127.0.0.1 only: a closed port (refused), a server that accepts and never answers (timed out,
 * with a short request time limit), the emulator without its CA passed (certificate not
 * trusted) and a `.invalid` name (does not resolve; the loopback guard answers it as a resolver
 * would, without a DNS query). Each ends with one NetworkFailure naming the service, the host
 * and the cause after a bounded number of attempts — counted, never timed.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server, type Socket } from 'node:net';
import { createPipelineRequest, createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { AzurePublicCloud, armScope, customizeCloud } from '../../src/azure/cloud';
import { connect } from '../../src/azure/connect';
import { createDataPlanePipeline } from '../../src/azure/dataplane/acrPipeline';
import { networkFailureIn, type NetworkFailure } from '../../src/azure/http/networkFailure';
import { createTransport, type Transport } from '../../src/azure/http/transport';
import { clientSecretCredential } from '../../src/azure/identity/credentials';
import { oneLineError } from '../../src/azure/redact';
import { startConnectProxy, type ConnectProxy } from '../support/connectProxy';
import { imageTags, startHarness, SUB_A, SUB_B, syncer, TENANT, type Harness } from './support/emulatorHarness';
import { closedPort } from '../support/closedPort';

const SYNCER = 'c0ffee00-0000-4000-8000-0000000000b2';


/** Accepts connections and never answers; counts them. */
async function silentServer(): Promise<{ port: number; connections: () => number; stop: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    connections: () => connections,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function failureOf(error: unknown): NetworkFailure {
  const failure = networkFailureIn(error);
  assert.ok(failure, `not a network failure: ${String(error)}`);
  return failure;
}

/** The transport retries six times by default; a connection-level failure must not use them all. */
function transport(options: { caPem?: string; requestTimeoutMs?: number } = {}): Transport {
  return createTransport({ version: 'test', retry: { maxRetries: 6, retryDelayInMs: 10, maxRetryDelayInMs: 20 }, ...options });
}

describe('azure/network failures: one line naming the service, the host and the cause, after a bounded number of attempts', function () {
  this.timeout(120_000);
  let h: Harness;

  before(async () => {
    h = await startHarness({
      tokenLifetimeSeconds: 300,
      fixture: {
        principals: [syncer(SYNCER)],
        subscriptions: [
          { id: SUB_A, tenantId: TENANT, registries: [{ name: 'srcreg', resourceGroup: 'rg', repositories: { app: imageTags(1) } }] },
          { id: SUB_B, tenantId: TENANT, registries: [{ name: 'dstreg', resourceGroup: 'rg', repositories: {} }] },
        ],
      },
    });
  });
  after(async () => {
    await h?.stop();
  });

  async function signIn(authorityHost: string, t: Transport): Promise<unknown> {
    const cloud = customizeCloud(AzurePublicCloud, { name: 'Emulator', authorityHost, armEndpoint: h.emulator.armEndpoint });
    const credential = clientSecretCredential(TENANT, SYNCER, `secret-of-${SYNCER}`, cloud, t);
    return credential.getToken(armScope(cloud)).then(
      () => assert.fail('signed in'),
      (error: unknown) => error,
    );
  }

  it('Entra sign-in, connection refused: three attempts, then the line', async () => {
    const port = await closedPort();
    const t = transport();
    const failure = failureOf(await signIn(`https://127.0.0.1:${port}`, t));
    assert.equal(failure.service, 'Entra sign-in');
    assert.equal(failure.host, `127.0.0.1:${port}`);
    assert.equal(failure.reason, 'refused');
    assert.equal(failure.attempts, 3);
    assert.equal(t.counter.snapshot().requests, 3, 'three requests on the wire, not seven');
    assert.equal(
      oneLineError(failure),
      `Entra sign-in at 127.0.0.1:${port} cannot be used after 3 attempts: the connection was refused (ECONNREFUSED). Check that a firewall or proxy lets the machine reach it.`,
    );
  });

  it('Entra sign-in, a server that accepts and never answers: two attempts at the request time limit, then the line', async () => {
    const silent = await silentServer();
    try {
      const t = transport({ requestTimeoutMs: 300 });
      const failure = failureOf(await signIn(`https://127.0.0.1:${silent.port}`, t));
      assert.equal(failure.reason, 'timedOut');
      assert.equal(failure.attempts, 2);
      assert.equal(silent.connections(), 2);
      assert.match(oneLineError(failure), /^Entra sign-in at 127\.0\.0\.1:\d+ cannot be used after 2 attempts: no answer in time \(ETIMEDOUT\)\./);
    } finally {
      await silent.stop();
    }
  });

  it('Entra sign-in, a certificate from a CA not trusted: one attempt, the line names the CA settings', async () => {
    const t = transport(); // the emulator's CA not passed
    const before = h.emulator.log.entries().length;
    const failure = failureOf(await signIn(h.emulator.authorityHost, t));
    assert.equal(failure.reason, 'untrustedCertificate');
    assert.equal(failure.attempts, 1);
    assert.equal(t.counter.snapshot().requests, 1);
    assert.equal(h.emulator.log.entries().length, before, 'no request got past the handshake');
    const line = oneLineError(failure);
    assert.match(line, /^Entra sign-in at 127\.0\.0\.1:\d+ cannot be used after 1 attempt: its TLS certificate is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)\./);
    assert.match(line, /--sslcacert, Agent\.CAInfo\), NODE_EXTRA_CA_CERTS, or the command line's --ca-file\.$/);
  });

  it('Entra sign-in, a name that does not resolve: one attempt, then the line', async () => {
    const t = transport();
    const failure = failureOf(await signIn('https://login.nonexistent.invalid', t));
    assert.equal(failure.reason, 'notResolved');
    assert.equal(failure.attempts, 1);
    assert.equal(t.counter.snapshot().requests, 1);
    assert.equal(
      oneLineError(failure),
      "Entra sign-in at login.nonexistent.invalid cannot be used after 1 attempt: the host name does not resolve (ENOTFOUND). Check the name, the machine's DNS and its proxy settings.",
    );
  });

  it('ARM, connection refused: the line names ARM and its host', async () => {
    const port = await closedPort();
    const t = transport({ caPem: h.emulator.caPem });
    const cloud = customizeCloud(h.cloud, { armEndpoint: `https://127.0.0.1:${port}` });
    // A token is in hand (Entra is not the point here); no request carrying it gets anywhere.
    const credential = { getToken: () => Promise.resolve({ token: 'not-a-real-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const error = await connect(
      { registryName: 'srcreg', subscriptionId: SUB_A, credential },
      { registryName: 'dstreg', subscriptionId: SUB_B, credential },
      { cloud, transport: t },
    ).then(
      () => assert.fail('connected'),
      (e: unknown) => e,
    );
    const failure = failureOf(error);
    assert.equal(failure.service, 'ARM');
    assert.equal(failure.host, `127.0.0.1:${port}`);
    assert.equal(failure.attempts, 3);
    assert.match(oneLineError(error), /^ARM at 127\.0\.0\.1:\d+ cannot be used after 3 attempts: the connection was refused \(ECONNREFUSED\)\./);
  });

  it('a registry host, refused and not resolved: the line names the registry and its host', async () => {
    const port = await closedPort();
    const t = transport({ caPem: h.emulator.caPem });
    const pipeline = createDataPlanePipeline(t);
    const client = createDefaultHttpClient();
    const refused = failureOf(await pipeline.sendRequest(client, createPipelineRequest({ url: `https://127.0.0.1:${port}/v2/` })).catch((e: unknown) => e));
    assert.deepEqual([refused.service, refused.reason, refused.attempts], ['registry', 'refused', 3]);
    const unresolved = failureOf(await pipeline.sendRequest(client, createPipelineRequest({ url: 'https://myregistry.azurecr.invalid/v2/' })).catch((e: unknown) => e));
    assert.deepEqual([unresolved.service, unresolved.host, unresolved.reason, unresolved.attempts], ['registry', 'myregistry.azurecr.invalid', 'notResolved', 1]);
  });

  describe('behind a proxy, which resolves and connects for the client', () => {
    let proxy: ConnectProxy;
    beforeEach(async () => {
      proxy = await startConnectProxy();
    });
    afterEach(async () => {
      await proxy?.stop();
    });
    const through = (): Transport => createTransport({ version: 'test', retry: { maxRetries: 6, retryDelayInMs: 10, maxRetryDelayInMs: 20 }, proxyFor: () => new URL(proxy.url) });

    it('a name the proxy cannot resolve (502 to CONNECT): two attempts, then the line naming the host and the proxy', async () => {
      const t = through();
      const failure = failureOf(await signIn('https://login.nonexistent.invalid', t));
      assert.deepEqual([failure.service, failure.host, failure.reason, failure.attempts], ['Entra sign-in', 'login.nonexistent.invalid', 'tunnelRefused', 2]);
      assert.equal(proxy.refused.get('login.nonexistent.invalid:443'), 2);
      assert.equal(
        oneLineError(failure),
        `Entra sign-in at login.nonexistent.invalid through the proxy ${new URL(proxy.url).host} cannot be used after 2 attempts: the proxy answered the tunnel request with HTTP 502: the proxy could not reach the host: its name, or a connection to it, failed on the proxy.`,
      );
    });

    it("a host the proxy's rules block (403 to CONNECT): one attempt", async () => {
      const t = through();
      const pipeline = createDataPlanePipeline(t);
      const failure = failureOf(await pipeline.sendRequest(createDefaultHttpClient(), createPipelineRequest({ url: 'https://blocked.azurecr.io/v2/' })).catch((e: unknown) => e));
      assert.deepEqual([failure.service, failure.reason, failure.attempts], ['registry', 'tunnelRefused', 1]);
      assert.equal(proxy.refused.get('blocked.azurecr.io:443'), 1);
      assert.match(oneLineError(failure), /HTTP 403: the proxy's rules do not allow this host\.$/);
    });

    it('a refused connection behind the proxy (502 to CONNECT) is retried as a refusal: two attempts', async () => {
      const port = await closedPort();
      const failure = failureOf(await signIn(`https://127.0.0.1:${port}`, through()));
      assert.deepEqual([failure.reason, failure.attempts], ['tunnelRefused', 2]);
      assert.equal(proxy.refused.get(`127.0.0.1:${port}`), 2);
    });
  });

  it('a host that has answered before keeps the usual retries (a hiccup, not a broken path)', async () => {
    const silent = await silentServer();
    try {
      const t = transport({ requestTimeoutMs: 300 });
      t.network.answeredBy(`127.0.0.1:${silent.port}`);
      const pipeline = createDataPlanePipeline(t);
      const error = await pipeline.sendRequest(createDefaultHttpClient(), createPipelineRequest({ url: `https://127.0.0.1:${silent.port}/v2/` })).catch((e: unknown) => e);
      assert.equal(networkFailureIn(error), undefined, 'the SDK gave up by itself');
      assert.equal(silent.connections(), 7, 'the transport retried six times');
    } finally {
      await silent.stop();
    }
  });
});
