/**
 * Refuses any connection that is not to the loopback interface: the emulator, the demo, the
 * benchmark and the tests talk to 127.0.0.1 only. A connection to any other address — above
 * all the managed-identity endpoint 169.254.169.254 or a real Azure host — is refused before a
 * socket (or a DNS query) leaves the machine, and recorded. Load it with
 * `node --require build/testkit/loopbackGuard.js` (or import it first).
 *
 * One exception, so that a test can show what a name that does not resolve does: a host under
 * `.invalid` (RFC 6761: such names never resolve, and resolvers answer so without asking
 * anyone) fails the way Node's resolver fails it — `getaddrinfo ENOTFOUND <host>` — without a
 * DNS query, and is not recorded as a refused connection.
 */
import * as net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

export const blockedConnections: string[] = [];

function targetOf(args: unknown[]): { host?: string; path?: string; port?: unknown } {
  const [first, second] = args;
  if (Array.isArray(first)) return targetOf(first as unknown[]); // internal normalized form
  if (first !== null && typeof first === 'object') {
    const o = first as { host?: string; path?: string; port?: unknown };
    // A port means TCP even when `path` is set: HTTP agents pass the request path along.
    const isPipe = o.path !== undefined && o.path !== null && (o.port === undefined || o.port === null);
    return { host: o.host, path: isPipe ? o.path : undefined, port: o.port };
  }
  if (typeof first === 'string' && Number.isNaN(Number(first))) return { path: first };
  return { port: first, host: typeof second === 'string' ? second : undefined };
}

/** RFC 6761 §6.4: `invalid.` and every name under it. */
function isInvalidName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'invalid' || name.endsWith('.invalid');
}

/** The error Node's resolver gives for a name that does not exist (dns.lookup's NXDOMAIN). */
function notFound(host: string): Error {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: host });
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
      if (isInvalidName(host)) {
        process.nextTick(() => this.destroy(notFound(host)));
        return this;
      }
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
  };
}

install();
