/**
 * The credential the task hands to the Azure clients. It asks the connection's own
 * credential for exactly the scopes the client wants (ARM, or the registry audience for the
 * data plane), registers every token it returns with the agent's secret masker before anyone
 * could print it, and turns a failure into one line that names the connection.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { createHash } from 'node:crypto';
import { networkFailureIn, oneLineError } from '../../azure';
import { ConnectionError, connectionErrorIn } from './connectionError';

export interface MaskedCredentialOptions {
  /** For messages. */
  displayName: string;
  /** Registers a secret with the agent (`tl.setSecret`: `##vso[task.setsecret]`). */
  mask(secret: string): void;
  /**
   * The last failure of the credential's own callback (the pipeline ID token): @azure/identity
   * rethrows such a failure with its message but without its cause.
   */
  lastCallbackFailure?: () => ConnectionError | undefined;
}

export class MaskedCredential implements TokenCredential {
  /** Hashes of tokens already registered, so a cached token is not announced again. */
  private readonly masked = new Set<string>();

  constructor(
    private readonly inner: TokenCredential,
    private readonly options: MaskedCredentialOptions,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    let token: AccessToken | null;
    try {
      token = await this.inner.getToken(scopes, options);
    } catch (error) {
      throw this.describe(error, options);
    }
    if (token) this.maskOnce(token.token);
    return token;
  }

  private maskOnce(token: string): void {
    const key = createHash('sha256').update(token).digest('base64url');
    if (this.masked.has(key)) return;
    this.options.mask(token);
    this.masked.add(key);
  }

  private describe(error: unknown, options: GetTokenOptions | undefined): unknown {
    // A caller's cancellation stays a cancellation.
    if (options?.abortSignal?.aborted) return error;
    // A network failure names the host and the cause in its own line, the same as the command line's.
    return connectionErrorIn(error) ?? this.callbackFailureIn(error) ?? networkFailureIn(error) ?? new ConnectionError('TokenFailed', [this.options.displayName, oneLineError(error)]);
  }

  private callbackFailureIn(error: unknown): ConnectionError | undefined {
    const failure = this.options.lastCallbackFailure?.();
    const message = error instanceof Error ? error.message : String(error);
    return failure && message.includes(failure.message) ? failure : undefined;
  }
}
