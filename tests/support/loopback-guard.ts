/**
 * Preloaded into the mocha process (`.mocharc.json`) and into every child process the tests
 * start (`NODE_OPTIONS=--require …`). Tests must only ever talk to 127.0.0.1: a connection to
 * any other address — above all the managed-identity endpoint 169.254.169.254 or a real Azure
 * host — is refused before a socket (or a DNS query) leaves the machine, and it is recorded so
 * the test that caused it fails instead of passing quietly on a retry.
 */
import * as net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

export const blockedConnections: string[] = [];

function targetOf(args: unknown[]): { host?: string; path?: string; port?: unknown } {
  const [first, second] = args;
  if (Array.isArray(first)) return targetOf(first as unknown[]); // internal normalized form
  if (first !== null && typeof first === 'object') {
    const o = first as { host?: string; path?: string; port?: unknown };
    return { host: o.host, path: o.path, port: o.port };
  }
  if (typeof first === 'string' && Number.isNaN(Number(first))) return { path: first };
  return { port: first, host: typeof second === 'string' ? second : undefined };
}

function install(): void {
  const marker = Symbol.for('acr-transfer.loopback-guard');
  const registry = globalThis as unknown as Record<symbol, boolean>;
  if (registry[marker]) return;
  registry[marker] = true;

  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const target = targetOf(args);
    if (target.path === undefined) {
      const host = target.host ?? 'localhost';
      if (!LOOPBACK.has(host)) {
        const where = `${host}:${String(target.port)}`;
        blockedConnections.push(where);
        process.stderr.write(`LOOPBACK GUARD: refused a connection to ${where}\n`);
        const error = new Error(`loopback guard: connection to ${where} refused (tests talk to 127.0.0.1 only)`);
        process.nextTick(() => this.destroy(error));
        return this;
      }
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
}

install();

/** Mocha root hooks: fail the test during which a non-loopback connection was attempted. */
export const mochaHooks = {
  afterEach(this: { currentTest?: { title: string } }): void {
    if (blockedConnections.length > 0) {
      const seen = blockedConnections.splice(0);
      throw new Error(`test tried to reach a non-loopback address: ${seen.join(', ')}`);
    }
  },
};
