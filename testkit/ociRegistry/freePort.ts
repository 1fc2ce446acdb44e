/**
 * A free TCP port on 127.0.0.1. docker-registry's `http.addr: 127.0.0.1:0` listens but never
 * says where, so the launcher asks the kernel for a port here, closes it and hands it to the
 * registry; another process may take it in between, which the launcher meets with a retry.
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
