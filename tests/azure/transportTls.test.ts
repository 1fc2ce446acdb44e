/**
 * The transport's extra CA on the wire, with core-rest-pipeline's real Node HTTP client: a
 * server signed by the extra CA is reached over kept-alive connections (directly and through a
 * CONNECT proxy), and a server signed by anything else is refused.
 */
import { strict as assert } from 'node:assert';
import { createDefaultHttpClient, createPipelineRequest, isRestError } from '@azure/core-rest-pipeline';
import { createTlsMaterial, type TlsMaterial } from '../../testkit/emulator/ca';
import { networkFailureIn } from '../../src/azure/http/networkFailure';
import { createTransport, type Transport } from '../../src/azure/http/transport';
import { startConnectProxy, type ConnectProxy } from '../support/connectProxy';
import { pipelineOf, sendMany, startCountingServer, trustingTransport, type CountingServer } from '../support/countingServer';

function isCertificateRefusal(error: unknown): boolean {
  const failure = networkFailureIn(error);
  return failure?.reason === 'untrustedCertificate' && isRestError(failure.cause);
}

describe('azure/transport TLS with an extra CA', function () {
  this.timeout(20_000);

  let trusted: TlsMaterial;
  let stranger: TlsMaterial;
  let signed: CountingServer;
  let unknown: CountingServer;

  before(async () => {
    [trusted, stranger] = await Promise.all([createTlsMaterial(), createTlsMaterial()]);
    [signed, unknown] = await Promise.all([startCountingServer(trusted), startCountingServer(stranger)]);
  });

  after(async () => {
    await Promise.all([signed?.stop(), unknown?.stop()]);
  });

  const transport = (options: { proxy?: ConnectProxy } = {}): Transport => trustingTransport(trusted, options.proxy);

  it('reuses connections: many requests, a handshake per parallel connection, one pool for pipelines sharing a client', async () => {
    const t = transport();
    const client = createDefaultHttpClient();
    // Two pipelines of one transport, as two SDK clients sharing core-client's HTTP client.
    const pipelines = [pipelineOf(t), pipelineOf(t)];
    const before = signed.handshakes();
    await sendMany(pipelines, client, signed.url, 200, 4);
    const handshakes = signed.handshakes() - before;
    assert.ok(handshakes >= 1 && handshakes <= 4, `200 requests, 4 at a time, took ${handshakes} TLS handshakes`);
  });

  it('refuses a server whose certificate neither the extra CA nor the system roots signed', async () => {
    const pipeline = pipelineOf(transport());
    const client = createDefaultHttpClient();
    await assert.rejects(pipeline.sendRequest(client, createPipelineRequest({ url: unknown.url })), isCertificateRefusal);
    assert.equal(unknown.handshakes(), 0);
    // And without the extra CA, its own server is refused too: trust comes from the option alone.
    const untrusting = pipelineOf(createTransport({ version: 'test', retry: { maxRetries: 0 } }));
    await assert.rejects(untrusting.sendRequest(client, createPipelineRequest({ url: signed.url })), isCertificateRefusal);
  });

  describe('through a CONNECT proxy', () => {
    let proxy: ConnectProxy;

    beforeEach(async () => {
      proxy = await startConnectProxy();
    });

    afterEach(async () => {
      await proxy?.stop();
    });

    function tunnels(server: CountingServer): number {
      return proxy.tunnels.get(new URL(server.url).host) ?? 0;
    }

    it('keeps tunnels alive: many requests, a tunnel and a handshake per parallel connection', async () => {
      const pipeline = pipelineOf(transport({ proxy }));
      const before = signed.handshakes();
      await sendMany(pipeline, createDefaultHttpClient(), signed.url, 200, 4);
      const handshakes = signed.handshakes() - before;
      assert.ok(tunnels(signed) >= 1 && tunnels(signed) <= 4, `200 requests, 4 at a time, opened ${tunnels(signed)} tunnels`);
      assert.equal(handshakes, tunnels(signed));
    });

    it('refuses, inside the tunnel, a server no trusted CA signed', async () => {
      const pipeline = pipelineOf(transport({ proxy }));
      await assert.rejects(pipeline.sendRequest(createDefaultHttpClient(), createPipelineRequest({ url: unknown.url })), isCertificateRefusal);
      assert.equal(tunnels(unknown), 1, 'the request went through the proxy');
      assert.equal(unknown.handshakes(), 0);
    });
  });
});
