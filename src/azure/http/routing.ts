/**
 * The way each request leaves the machine: straight to its host, or tunnelled through a proxy,
 * decided per request URL by the transport's ProxyResolver (proxyRoute.ts). A transport holds
 * one direct agent per protocol and one agent per proxy, so connections are pooled across every
 * client built from it, and every one of them trusts the same CAs (one prebuilt secure context,
 * tunnelled or not).
 *
 * The route is set on the request itself (`request.agent`) by a policy inside the retry loop;
 * the SDK's own proxy policy (HTTPS_PROXY read by core-rest-pipeline) then leaves it alone, and
 * a per-client CA is no longer dropped when a proxy is used.
 *
 * Managed-identity endpoints are never proxied: IMDS (169.254.169.254) is link-local and an
 * App Service or Arc identity endpoint is local to the host, so no proxy can reach them. A
 * credential's pipeline says so (`direct`), and IMDS is recognised by its address besides.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Agent, PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import type { NetworkLog } from './networkFailure';
import { createProxyAgent } from './proxyAgent';
import { IMDS_HOST, type ProxyResolver } from './proxyRoute';
import { WarmConnections } from './warmConnections';

/** A connection not made within this long is given up as ETIMEDOUT (a blackholed host). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/**
 * Direct HTTPS with a time limit on making the connection: a host whose packets are dropped
 * would otherwise take the whole request time limit (a minute by default) per attempt.
 */
class DirectHttpsAgent extends HttpsAgent {
  constructor(
    secureContext: SecureContext,
    private readonly connectTimeoutMs: number,
  ) {
    super({ keepAlive: true, secureContext });
  }

  private readonly warm = new WarmConnections();
  /** Connections asked ahead per pool name, not yet opened. */
  private readonly opening = new Map<string, number>();

  override createConnection(...args: Parameters<HttpsAgent['createConnection']>): ReturnType<HttpsAgent['createConnection']> {
    const [options] = args;
    const ahead = typeof options === 'object' && options !== null ? this.warm.take(this.getName(options)) : undefined;
    if (ahead !== undefined) return ahead;
    const socket = super.createConnection(...args) as Socket | undefined;
    if (socket !== undefined && this.connectTimeoutMs > 0) limitConnect(socket, this.connectTimeoutMs);
    return socket;
  }

  /**
   * Opens connections to `url`'s host until `count` wait unused, made as the agent makes a
   * request's (its options, pool name and server name; a cached TLS session is resumed), so
   * that the next requests to the host take them instead of opening their own.
   */
  connectAhead(url: URL, count: number): void {
    const options = this.optionsFor(url);
    const name = this.getName(options);
    // Counted when asked, not as they open: a host that refuses must not be asked forever.
    let left = count - this.waiting(name);
    if (left <= 0) return;
    this.opening.set(name, (this.opening.get(name) ?? 0) + left);
    // One connection per turn of the event loop: each costs ~0.5 ms of CPU to start, and the
    // answers the run is waiting for meanwhile must not queue behind a dozen of them.
    const next = (): void => {
      left--;
      this.opening.set(name, (this.opening.get(name) ?? 1) - 1);
      const socket = super.createConnection({ ...options, _agentKey: name, keepAliveInitialDelay: this.options.keepAliveMsecs ?? 1000 } as never) as Socket | undefined;
      if (socket !== undefined) {
        if (this.connectTimeoutMs > 0) limitConnect(socket, this.connectTimeoutMs);
        this.warm.add(name, socket);
      }
      if (left > 0) setImmediate(next);
    };
    setImmediate(next);
  }

  /** How many connections to `url`'s host wait unused: opened ahead (or about to be), not yet taken or dropped. */
  waitingFor(url: URL): number {
    return this.waiting(this.getName(this.optionsFor(url)));
  }

  /** Opened ahead and not yet taken or dropped, or about to be opened. */
  private waiting(name: string): number {
    return this.warm.count(name) + (this.opening.get(name) ?? 0);
  }

  /** A request's connection options as the agent completes them (https.Agent#createSocket). */
  private optionsFor(url: URL): AgentOptions & { host: string; port: number; servername: string } {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return { ...this.options, host, port: url.port === '' ? 443 : Number(url.port), servername: isIP(host) === 0 ? host : '' };
  }
}

function limitConnect(socket: Socket, timeoutMs: number): void {
  const timer = setTimeout(() => {
    const error = Object.assign(new Error(`connect ETIMEDOUT: no connection within ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
    socket.destroy(error);
  }, timeoutMs);
  timer.unref();
  const clear = (): void => clearTimeout(timer);
  socket.once('connect', clear);
  socket.once('close', clear);
}

export class Routes {
  private directHttps?: Agent;
  private directHttp?: Agent;
  private readonly proxies = new Map<string, Agent>();
  private readonly chosen = new WeakMap<PipelineRequest, URL | undefined>();

  constructor(
    private readonly resolver: ProxyResolver | undefined,
    private readonly secureContext: () => SecureContext,
    private readonly connectTimeoutMs: number,
  ) {}

  /** The proxy a request to `url` goes through (undefined: direct). */
  proxyFor(url: string, direct = false): URL | undefined {
    if (direct || this.resolver === undefined) return undefined;
    if (new URL(url).hostname === IMDS_HOST) return undefined;
    return this.resolver(url);
  }

  /** The proxy the request's latest attempt was sent through. */
  proxyOf(request: PipelineRequest): URL | undefined {
    return this.chosen.get(request);
  }

  agentFor(url: string, direct = false): { agent: Agent; proxy?: URL } {
    const proxy = this.proxyFor(url, direct);
    if (proxy !== undefined) {
      let agent = this.proxies.get(proxy.href);
      if (agent === undefined) {
        agent = createProxyAgent(proxy, this.secureContext());
        this.proxies.set(proxy.href, agent);
      }
      return { agent, proxy };
    }
    if (new URL(url).protocol === 'http:') {
      this.directHttp ??= new HttpAgent({ keepAlive: true });
      return { agent: this.directHttp };
    }
    this.directHttps ??= new DirectHttpsAgent(this.secureContext(), this.connectTimeoutMs);
    return { agent: this.directHttps };
  }

  /**
   * Opens up to `count` connections to `url`'s host ahead of its requests (warmConnections.ts);
   * only for a direct HTTPS route: a proxied one would tunnel through the proxy first, and a
   * route never used needs none.
   */
  connectAhead(url: string, count: number): void {
    const agent = this.directHttpsFor(url);
    if (agent !== undefined && count > 0) agent.connectAhead(new URL(url), count);
  }

  /** How many connections to `url`'s host opened ahead (or about to be) wait unused. */
  connectionsWaiting(url: string): number {
    return this.directHttpsFor(url)?.waitingFor(new URL(url)) ?? 0;
  }

  private directHttpsFor(url: string): DirectHttpsAgent | undefined {
    if (new URL(url).protocol !== 'https:' || this.proxyFor(url) !== undefined) return undefined;
    const { agent } = this.agentFor(url);
    return agent instanceof DirectHttpsAgent ? agent : undefined;
  }

  /**
   * Sets each attempt's route (`direct` for a managed-identity endpoint's pipeline) and, next to
   * the wire, notes that the host answered when an answer's head comes.
   */
  policy(log: NetworkLog, direct = false): PipelinePolicy {
    return {
      name: routePolicyName,
      sendRequest: async (request, next) => {
        const { agent, proxy } = this.agentFor(request.url, direct);
        request.agent = agent;
        this.chosen.set(request, proxy);
        const response = await next(request);
        log.answeredBy(new URL(request.url).host);
        return response;
      },
    };
  }
}

export const routePolicyName = 'acrTransferRoute';
