/**
 * A few lines of HTTPS on 127.0.0.1 that answer as a test scripts them and keep what arrived
 * (method, path and query, Authorization): a registry that behaves like Docker Hub where the
 * emulator and distribution do not (rate-limit headers, no catalog, realms elsewhere, no
 * Docker-Content-Digest), and its token realm.
 */
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { TlsMaterial } from '../../../testkit/emulator/ca';

export interface Arrived {
  method: string;
  /** Path and query as received. */
  url: string;
  authorization?: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** A string as is; anything else as JSON. */
  body?: unknown;
}

export interface ScriptedServer {
  /** `127.0.0.1:<port>` */
  host: string;
  arrived: Arrived[];
  stop(): Promise<void>;
}

export async function startScriptedServer(tls: TlsMaterial, answer: (request: IncomingMessage, url: URL) => Answer): Promise<ScriptedServer> {
  const arrived: Arrived[] = [];
  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    arrived.push({ method: req.method ?? 'GET', url: req.url ?? '/', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    req.resume();
    req.on('end', () => {
      const { status, headers = {}, body } = answer(req, url);
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      const type = body === undefined || typeof body === 'string' ? {} : { 'content-type': 'application/json' };
      res.writeHead(status, { ...type, ...headers, 'content-length': String(Buffer.byteLength(text)) });
      res.end(req.method === 'HEAD' ? undefined : text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    arrived,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
