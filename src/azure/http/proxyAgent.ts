import type { ClientRequest } from 'node:http';
import type { SecureContext } from 'node:tls';
import type { Agent } from '@azure/core-rest-pipeline';
import { HttpsProxyAgent } from 'https-proxy-agent';

type ConnectOptions = Parameters<HttpsProxyAgent<string>['connect']>[1];

/** http.Agent's pooling entry point: Node calls it for every request, @types/node leaves it out. */
interface PoolingAgent {
  addRequest(req: ClientRequest, options: object): void;
}

/**
 * Tunnels HTTPS through a forward proxy (CONNECT) and checks the server's certificate against
 * the given trust (Node's defaults, or its roots plus the extra CA: one prebuilt secure context).
 * https-proxy-agent takes TLS options only from each request, and the SDK's requests carry none
 * once an agent is set, so the context is added here, to every tunnelled TLS connection.
 */
class TrustingProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    private readonly secureContext: SecureContext,
  ) {
    super(proxy.href, { keepAlive: true });
  }

  override async connect(req: ClientRequest, opts: ConnectOptions): ReturnType<HttpsProxyAgent<string>['connect']> {
    let status: number | undefined;
    req.once('proxyConnect', (answer: { statusCode?: number }) => (status = answer.statusCode));
    // A prebuilt context rather than a `ca` list: a list would be parsed into a new context for
    // every tunnel (~150 PEMs). Only TLS endpoints reach the server through a handshake; the
    // context is ignored otherwise.
    const socket = await super.connect(req, { ...opts, secureContext: this.secureContext } as ConnectOptions);
    if (status !== undefined && status !== 200) {
      // https-proxy-agent would replay the proxy's answer as if the server had sent it (a 502 read
      // as the service's own, retried as such). It is a connection that could not be made.
      socket.destroy();
      throw Object.assign(new Error(`the proxy answered the tunnel request with HTTP ${status}`), { code: PROXY_TUNNEL_REFUSED });
    }
    return socket;
  }

  /**
   * agent-base tells an https request from an http one by `secureEndpoint`/`protocol` in the
   * options, else by looking for Node's https module on the call stack. The SDK's options have
   * neither, and the stack shows https when a request is added but not when its socket is freed,
   * so a kept-alive tunnel was filed under a plain-http pool name and never found again: every
   * request opened a new tunnel and a new TLS session. Saying it once here gives every step of
   * the pool (add, create, free, remove) the same name.
   */
  addRequest(req: ClientRequest, options: object): void {
    const base = HttpsProxyAgent.prototype as unknown as PoolingAgent;
    base.addRequest.call(this, req, { ...options, secureEndpoint: req.protocol === 'https:' });
  }
}

/** The error code of a tunnel the proxy would not open; the message carries its HTTP status. */
export const PROXY_TUNNEL_REFUSED = 'EPROXYTUNNEL';

export function createProxyAgent(proxy: URL, secureContext: SecureContext): Agent {
  return new TrustingProxyAgent(proxy, secureContext);
}
