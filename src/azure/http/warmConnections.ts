/**
 * Connections opened ahead of their first request: a pool of TLS sockets per agent pool name,
 * handed out before the agent opens a new one.
 *
 * A run's first listing wave sends 12 requests to each registry at once, each on a connection
 * of its own; opened then, every one costs the TCP and TLS handshakes (two round trips on a real
 * network, and the handshake's CPU on both ends) in front of its first answer. Opened while the
 * run waits on its sign-in chain (token exchange, catalog), that cost is paid in time that is
 * idle anyway. A socket is only a head start: one that fails or closes before it is used is
 * dropped silently and the agent opens a new one as it would have.
 */
import type { Socket } from 'node:net';

export class WarmConnections {
  private readonly pools = new Map<string, Socket[]>();

  /** How many are waiting for `name` (alive or not yet known dead). */
  count(name: string): number {
    return this.pools.get(name)?.length ?? 0;
  }

  /** Keeps `socket` for the first request to `name`; it holds the process open only once used. */
  add(name: string, socket: Socket): void {
    let pool = this.pools.get(name);
    if (pool === undefined) {
      pool = [];
      this.pools.set(name, pool);
    }
    pool.push(socket);
    socket.unref();
    const drop = (): void => {
      const at = this.pools.get(name)?.indexOf(socket) ?? -1;
      if (at >= 0) this.pools.get(name)?.splice(at, 1);
    };
    // A failure before use is not a failure of any request: the socket is dropped, not reported.
    socket.on('error', drop);
    socket.once('close', drop);
    warmListeners.set(socket, drop);
  }

  /** The oldest socket still open for `name`, no longer kept by the pool, or undefined. */
  take(name: string): Socket | undefined {
    const pool = this.pools.get(name);
    while (pool !== undefined && pool.length > 0) {
      const socket = pool.shift() as Socket;
      const drop = warmListeners.get(socket);
      if (drop !== undefined) {
        socket.removeListener('error', drop);
        socket.removeListener('close', drop);
        warmListeners.delete(socket);
      }
      if (socket.destroyed) continue;
      socket.ref();
      return socket;
    }
    return undefined;
  }

  /** Closes every socket not used. */
  close(): void {
    for (const pool of this.pools.values()) for (const socket of pool.splice(0)) socket.destroy();
  }
}

const warmListeners = new WeakMap<Socket, () => void>();
