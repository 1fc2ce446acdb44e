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
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Agent, PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import type { NetworkLog } from './networkFailure';
import { createProxyAgent } from './proxyAgent';
import { IMDS_HOST, type ProxyResolver } from './proxyRoute';

/** A connection not made within this long is given up as ETIMEDOUT (a blackholed host). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/**
 * Direct HTTPS with a time limit on making the connection: a host whose packets are dropped
 * would otherwise take the whole request time limit (a minute by default) per attempt.
 */
class DirectHttpsAgent extends HttpsAgent {
  constructor(
    secureContext: SecureContext | undefined,
    private readonly connectTimeoutMs: number,
  ) {
    super({ keepAlive: true, ...(secureContext ? { secureContext } : {}) });
  }

  override createConnection(...args: Parameters<HttpsAgent['createConnection']>): ReturnType<HttpsAgent['createConnection']> {
    const socket = super.createConnection(...args) as Socket | undefined;
    if (socket !== undefined && this.connectTimeoutMs > 0) limitConnect(socket, this.connectTimeoutMs);
    return socket;
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
    private readonly secureContext: () => SecureContext | undefined,
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
