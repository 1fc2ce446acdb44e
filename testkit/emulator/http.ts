/**
 * The plumbing every emulated service shares: an HTTPS server on 127.0.0.1 (port 0), a small
 * router, and the harness steps every request goes through in order — read the body, wait
 * the injected latency, apply a scripted fault, run the handler, log the outcome. Handlers
 * are plain functions from a request context to a reply; they never touch sockets.
 */
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FaultRule, RouteName } from './api';
import { endlessLink, isAnswerFault, writeOversized, writeStalled, type Answer, type AnswerFault } from './answerFaults';
import type { FaultBook } from './faults';
import type { RequestHooks } from './hooks';
import { loggableImportBody } from './importImage';
import type { RequestLogBook } from './requestLog';
import type { TlsMaterial } from './ca';

export interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string | string[]> = {}): Reply {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

export function emptyReply(status: number, headers: Record<string, string | string[]> = {}): Reply {
  return { status, headers };
}

/** A fault that acts on the import operation rather than on the HTTP answer. */
export type InjectedImportFault = Extract<FaultRule, { kind: 'importFails' | 'importHangs' }>;

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly method: string;
  /** Parsed URL; its origin is the Host the client used. */
  readonly url: URL;
  /** Raw (still percent-encoded) path. */
  readonly path: string;
  /** Captures of the route's path pattern, raw. */
  readonly params: readonly string[];
  readonly body: Buffer;
  readonly route: RouteName;
  /** An `importFails` or `importHangs` fault that fired on this request. */
  readonly injectedImportFault?: InjectedImportFault;
  /** Gives the import fault back when the request ends without starting an operation. */
  refundImportFault(): void;
  header(name: string): string | undefined;
  /** Keeps a (secret-free) request body in the request log. */
  logBody(value: unknown): void;
}

export interface Route {
  name: RouteName;
  methods: readonly string[];
  path: RegExp;
  handle(ctx: RequestContext): Reply | Promise<Reply>;
}

/** What makes one service different from another: its routes and its error dialect. */
export interface ServiceSpec {
  /** 'entra', 'arm' or 'acr:<registry name>' in the request log. */
  readonly service: string;
  readonly routes: readonly Route[];
  notFound(ctx: RequestContext): Reply;
  /** The answer of a 'status' fault given without a body, in the service's error shape. */
  faultReply(status: number, ctx: RequestContext): Reply;
  /** Headers every answer carries unless the reply sets them itself. */
  commonHeaders(ctx: RequestContext, reply: Reply): Record<string, string | string[]>;
}

export interface Harness {
  readonly log: RequestLogBook;
  readonly faults: FaultBook;
  readonly hooks: RequestHooks;
  latencyMs(): number;
}

export class HttpsService {
  private readonly server: https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping = false;
  private handshakes = 0;

  constructor(
    private readonly spec: ServiceSpec,
    private readonly harness: Harness,
    tls: TlsMaterial,
  ) {
    this.server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      void this.handle(req, res);
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('secureConnection', () => this.handshakes++);
    // A client that drops a TLS handshake must not crash the emulator.
    this.server.on('tlsClientError', () => undefined);
  }

  /** 'entra', 'arm', 'acr:<registry name>', … as in the request log. */
  get service(): string {
    return this.spec.service;
  }

  /** The TLS connections made to this service so far (handshakes completed). */
  get connectionsOpened(): number {
    return this.handshakes;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
    return address.port;
  }

  /** Stops at once: open, idle and hung connections are all destroyed. */
  async close(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private match(method: string, path: string): { route?: Route; params: string[] } {
    for (const route of this.spec.routes) {
      const m = route.path.exec(path);
      if (m && route.methods.includes(method)) return { route, params: m.slice(1).map((p) => p ?? '') };
    }
    return { params: [] };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return; // the client went away mid-request
    }
    const url = new URL(rawUrl, `https://${req.headers.host ?? '127.0.0.1'}`);
    const path = rawUrl.split('?')[0] ?? '/';
    const { route, params } = this.match(method, path);
    const routeName: RouteName = route?.name ?? 'other';
    let loggedBody: unknown;
    // Set once the answer is known; read when the response is flushed (or the socket closes first).
    let retryAfter: string | undefined = undefined;
    let answeredAt: number | undefined = undefined;
    let logged = false;
    const record = (status: number): void => {
      if (logged) return;
      logged = true;
      this.harness.log.record({
        service: this.spec.service,
        route: routeName,
        method,
        url: rawUrl,
        status,
        ...(loggedBody === undefined ? {} : { body: loggedBody }),
        ...(retryAfter === undefined ? {} : { retryAfter }),
        startedAt,
        finishedAt: Date.now(),
        ...(answeredAt === undefined ? {} : { answeredAt }),
      });
    };
    res.on('finish', () => record(res.statusCode));
    // Reset, hung until stop, or the client gave up: no status was ever sent.
    res.on('close', () => record(0));

    const { hooks } = this.harness;
    if (hooks.size > 0 && hooks.watches(routeName)) {
      await hooks.fire({
        service: this.spec.service,
        route: routeName,
        method,
        url: rawUrl,
        ...(routeName === 'arm.importImage' ? { body: loggableImportBody(body) } : {}),
        receivedAt: startedAt,
      });
      if (this.stopping || res.destroyed) return;
    }

    const latency = this.harness.latencyMs();
    if (latency > 0) await this.sleep(latency);
    if (this.stopping) return;

    const fault = this.harness.faults.take(this.spec.service, routeName, rawUrl);
    const importFault = fault?.kind === 'importFails' || fault?.kind === 'importHangs' ? fault : undefined;
    const ctx: RequestContext = {
      req,
      method,
      url,
      path,
      params,
      body,
      route: routeName,
      injectedImportFault: importFault,
      refundImportFault: () => {
        if (importFault) this.harness.faults.refund(importFault);
      },
      header: (name) => {
        const v = req.headers[name.toLowerCase()];
        return Array.isArray(v) ? v.join(', ') : v;
      },
      logBody: (value) => {
        loggedBody = value;
      },
    };

    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') return; // answered never; stop() destroys the socket

    let reply: Reply;
    if (fault?.kind === 'status') {
      // The route's handler does not run: an import's body is still logged, so a refused import and its retry can be told apart.
      if (routeName === 'arm.importImage') ctx.logBody(loggableImportBody(body));
      reply =
        fault.body === undefined
          ? this.spec.faultReply(fault.status, ctx)
          : typeof fault.body === 'string'
            ? { status: fault.status, body: fault.body }
            : jsonReply(fault.status, fault.body);
      if (fault.contentType !== undefined) reply.headers = { ...reply.headers, 'Content-Type': fault.contentType };
      if (fault.retryAfterSeconds !== undefined) {
        reply.headers = { ...reply.headers, 'Retry-After': String(fault.retryAfterSeconds) };
      }
    } else if (route) {
      try {
        reply = await route.handle(ctx);
      } catch (error) {
        process.stderr.write(`emulator ${this.spec.service} ${method} ${rawUrl}: ${String((error as Error)?.stack ?? error)}\n`);
        reply = this.spec.faultReply(500, ctx);
      }
    } else {
      reply = this.spec.notFound(ctx);
    }
    if (this.stopping || res.destroyed) return;
    let answerFault = isAnswerFault(fault) ? fault : undefined;
    // Only a 200 with a body is an answer such a fault spoils (a challenge goes out as usual),
    // and an endless chain starts where the real one ends.
    const spoils = reply.status === 200 && ctx.method !== 'HEAD' && !(answerFault?.kind === 'endlessPaging' && reply.headers?.Link !== undefined);
    if (answerFault && !spoils) {
      this.harness.faults.refund(answerFault);
      answerFault = undefined;
    }
    retryAfter = headerOf(reply, 'retry-after');
    answeredAt = Date.now();
    this.write(res, ctx, reply, answerFault);
  }

  private write(res: ServerResponse, ctx: RequestContext, reply: Reply, fault?: AnswerFault): void {
    const headers = { ...this.spec.commonHeaders(ctx, reply), ...reply.headers };
    const body = reply.body === undefined ? EMPTY : typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
    // A HEAD reply may state the length of a body it does not send; otherwise it is the body's.
    if (!(ctx.method === 'HEAD' && reply.body === undefined && headers['Content-Length'] !== undefined)) headers['Content-Length'] = String(body.length);
    const answer: Answer = { status: reply.status, headers, body };
    switch (fault?.kind) {
      case 'stall':
        return writeStalled(res, answer, fault.afterBytes);
      case 'oversized':
        return writeOversized(res, answer, fault.bytes, () => this.stopping || res.destroyed);
      case 'endlessPaging':
        headers.Link = endlessLink(ctx.path, ctx.url.searchParams);
        break;
      default:
        break;
    }
    res.writeHead(reply.status, headers);
    res.end(ctx.method === 'HEAD' ? undefined : body);
  }
}

const EMPTY = Buffer.alloc(0);

/** A header of a reply, whatever the case of its name. */
function headerOf(reply: Reply, name: string): string | undefined {
  for (const [key, value] of Object.entries(reply.headers ?? {})) if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(', ') : value;
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

/** Form fields of an `application/x-www-form-urlencoded` body, whatever the Content-Type says. */
export function formOf(body: Buffer): URLSearchParams {
  return new URLSearchParams(body.toString('utf8'));
}
