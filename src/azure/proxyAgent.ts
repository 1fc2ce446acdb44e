import type { ClientRequest } from 'node:http';
import type { Agent } from '@azure/core-rest-pipeline';
import { HttpsProxyAgent } from 'https-proxy-agent';

type ConnectOptions = Parameters<HttpsProxyAgent<string>['connect']>[1];

/**
 * Tunnels HTTPS through a forward proxy (CONNECT) and checks the server's certificate against
 * the given CAs. https-proxy-agent takes TLS options only from each request, and the SDK's
 * requests carry none once an agent is set, so the CAs are added here, to every connection.
 */
class TrustingProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    private readonly ca: string[] | undefined,
  ) {
    super(proxy.href, { keepAlive: true });
  }

  override connect(req: ClientRequest, opts: ConnectOptions): ReturnType<HttpsProxyAgent<string>['connect']> {
    // Only TLS endpoints reach the server through a handshake; `ca` is ignored otherwise.
    return super.connect(req, this.ca !== undefined ? ({ ...opts, ca: this.ca } as ConnectOptions) : opts);
  }
}

export function createProxyAgent(proxy: URL, ca: string[] | undefined): Agent {
  return new TrustingProxyAgent(proxy, ca);
}
