/**
 * A forward proxy for tests: answers HTTP CONNECT by opening a tunnel — to 127.0.0.1 only (a
 * CONNECT to `localhost` is tunnelled there too, and counted under that name) — and
 * counts the tunnels per target, so a test can show that a client really went through it.
 * It refuses as real proxies do: a name under `.invalid` (its own lookup fails) or a target
 * that refuses the connection gets `502 Bad Gateway`, any other host `403 Forbidden` (its
 * rules); those answers are counted per target in `refused`.
 */
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface ConnectProxy {
  url: string;
  /** "host:port" -> tunnels opened */
  tunnels: Map<string, number>;
  /** "host:port" -> CONNECTs answered with something else than 200 */
  refused: Map<string, number>;
  stop(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels = new Map<string, number>();
  const refused = new Map<string, number>();
  const sockets = new Set<Socket>();
  const refuse = (client: Socket, target: string, status: string): void => {
    refused.set(target, (refused.get(target) ?? 0) + 1);
    client.end(`HTTP/1.1 ${status}\r\n\r\n`);
  };
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket) => {
    const target = req.url ?? '';
    const [host, port] = target.split(':');
    client.on('error', () => client.destroy());
    if (host.endsWith('.invalid')) return refuse(client, target, '502 Bad Gateway');
    if (host !== '127.0.0.1' && host !== 'localhost') return refuse(client, target, '403 Forbidden');
    let established = false;
    const upstream = connect(Number(port), '127.0.0.1', () => {
      established = true;
      tunnels.set(target, (tunnels.get(target) ?? 0) + 1);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('error', () => {
      upstream.destroy();
      if (!established) refuse(client, target, '502 Bad Gateway');
      else client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    refused,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
