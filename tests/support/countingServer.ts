/**
 * An HTTPS server for transport tests that counts its TLS handshakes (one per new connection),
 * and the pipeline a transport's clients build, to send it requests as the SDK clients do.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createPipelineFromOptions, createPipelineRequest, type HttpClient, type Pipeline } from '@azure/core-rest-pipeline';
import type { TlsMaterial } from '../../testkit/emulator/ca';
import { createTransport, networkPolicies, pipelineSettingsOf, type Transport } from '../../src/azure/http/transport';
import type { ConnectProxy } from './connectProxy';

export interface CountingServer {
  url: string;
  /** TLS handshakes completed: one per new connection. */
  handshakes(): number;
  /** Destroys every connection made to it so far (call it when none is answering a request). */
  dropConnections(): void;
  stop(): Promise<void>;
}

export async function startCountingServer(tls: TlsMaterial): Promise<CountingServer> {
  let handshakes = 0;
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    handshakes++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}/v2/`,
    handshakes: () => handshakes,
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `count` GETs, `parallel` at a time, each expected to answer 200. */
export async function sendMany(pipeline: Pipeline | Pipeline[], client: HttpClient, url: string, count: number, parallel: number): Promise<void> {
  const pipelines = Array.isArray(pipeline) ? pipeline : [pipeline];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const n = next++;
        const response = await pipelines[n % pipelines.length].sendRequest(client, createPipelineRequest({ url }));
        assert.equal(response.status, 200);
      }
    }),
  );
}

/** A pipeline as the transport's clients have it: the SDK's defaults, then the route and the network failure line. */
export function pipelineOf(t: Transport): Pipeline {
  const pipeline = createPipelineFromOptions(pipelineSettingsOf(t));
  const network = networkPolicies(t, { service: 'registry' });
  pipeline.addPolicy(network.outer, { afterPhase: 'Retry' });
  pipeline.addPolicy(network.inner, { afterPhase: 'Retry' });
  return pipeline;
}

/** A transport trusting `tls`'s CA, with no retries, direct or through `proxy`. */
export function trustingTransport(tls: TlsMaterial, proxy?: ConnectProxy): Transport {
  return createTransport({
    version: 'test',
    caPem: tls.caPem,
    retry: { maxRetries: 0 },
    ...(proxy ? { proxy: { host: 'http://127.0.0.1', port: Number(new URL(proxy.url).port) } } : {}),
  });
}
