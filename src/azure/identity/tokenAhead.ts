/**
 * A credential that asks one token ahead, before anyone needs it, and hands that very answer
 * (token or refusal) to the first callers of the same scope.
 *
 * connect() uses it for the registry-audience token of the source: asked beside the ARM token
 * at the very start, it is there when the registry token exchange needs it, after the lookup
 * and the preflight, instead of costing a round trip of its own then. The answer is shared,
 * never asked again: an audience Entra refuses is refused once, as without the head start, and
 * the exchange goes on to the ARM audience as it would.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

export class TokenAheadCredential implements TokenCredential {
  /** The answer asked ahead, until a caller took it after it settled. */
  private ahead?: Promise<AccessToken | null>;
  private settled = false;

  constructor(
    private readonly inner: TokenCredential,
    private readonly scope: string,
    private readonly options: GetTokenOptions,
  ) {
    const ahead = inner.getToken(scope, options);
    this.ahead = ahead;
    // Nobody may ever ask (the run stops before the data plane): no unhandled rejection.
    const done = (): void => {
      if (this.ahead === ahead) this.settled = true;
    };
    ahead.then(done, done);
  }

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const ahead = this.ahead;
    const asked = typeof scopes === 'string' ? [scopes] : scopes;
    if (ahead !== undefined && asked.length === 1 && asked[0] === this.scope && options?.enableCae === this.options.enableCae) {
      // Shared while in flight; the first caller after it settled takes it, later ones ask anew
      // (the inner credential's cache answers them, and renews when due).
      if (this.settled) this.ahead = undefined;
      return ahead;
    }
    return this.inner.getToken(scopes, options);
  }
}
