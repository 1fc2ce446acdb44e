/**
 * A credential whose failed token request names the network failure behind it. MSAL turns a
 * network error into "endpoints_resolution_error" or "network_error" and drops the error itself
 * (no host, no cause), so the failure the transport recorded during this call
 * (http/networkFailure.ts) is thrown instead, with MSAL's error as its cause.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { networkFailureIn, type ServiceName } from '../http/networkFailure';
import type { Transport } from '../http/transport';

export class ExplainedCredential<C extends TokenCredential = TokenCredential> implements TokenCredential {
  constructor(
    /** The @azure/identity credential itself. */
    readonly inner: C,
    private readonly transport: Transport,
    private readonly services: readonly ServiceName[],
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const mark = this.transport.network.mark();
    try {
      return await this.inner.getToken(scopes, options);
    } catch (error) {
      if (options?.abortSignal?.aborted === true) throw error;
      throw networkFailureIn(error) ?? this.transport.network.failureSince(mark, this.services) ?? error;
    }
  }
}

/** The @azure/identity credential under an ExplainedCredential (or the credential itself). */
export function innerCredential(credential: TokenCredential): TokenCredential {
  return credential instanceof ExplainedCredential ? (credential as ExplainedCredential).inner : credential;
}

export function explainedCredential(inner: TokenCredential, transport: Transport, services: readonly ServiceName[]): TokenCredential {
  return new ExplainedCredential(inner, transport, services);
}
