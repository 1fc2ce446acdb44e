/**
 * A credential whose failed token request names the network failure behind it. MSAL turns a
 * network error into "endpoints_resolution_error" or "network_error" and drops the error itself
 * (no host, no cause), so the failure the transport recorded during this call
 * (http/networkFailure.ts) is thrown instead, with MSAL's error as its cause.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { networkFailureIn, type ServiceName } from '../http/networkFailure';
import type { Transport } from '../http/transport';

export function explainedCredential(inner: TokenCredential, transport: Transport, services: readonly ServiceName[]): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const mark = transport.network.mark();
      try {
        return await inner.getToken(scopes, options);
      } catch (error) {
        if (options?.abortSignal?.aborted === true) throw error;
        const failure = networkFailureIn(error) ?? transport.network.failureSince(mark, services);
        throw failure ?? error;
      }
    },
  };
}
