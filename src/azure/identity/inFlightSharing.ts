/**
 * One identity signing in for both registries (the command line's one sign-in): the source's
 * and the target's ARM clients ask for the same ARM token at the same moment, and MSAL's cache
 * answers only once a token is there, so each would ask Entra ID. Calls for the same scopes and
 * claims made while one is in flight share its answer instead. A settled answer is never kept:
 * the next call asks the credential again, whose cache answers it and renews when due.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

export class InFlightSharingCredential implements TokenCredential {
  private readonly inFlight = new Map<string, Promise<AccessToken | null>>();

  constructor(private readonly inner: TokenCredential) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    // What makes two answers the same token; the abort signal is the first caller's (a run's
    // clients share the run's signal).
    const key = JSON.stringify([typeof scopes === 'string' ? [scopes] : scopes, options?.claims, options?.tenantId, options?.enableCae === true]);
    const shared = this.inFlight.get(key);
    if (shared !== undefined) return shared;
    const answer = this.inner.getToken(scopes, options);
    this.inFlight.set(key, answer);
    const settled = (): void => {
      if (this.inFlight.get(key) === answer) this.inFlight.delete(key);
    };
    answer.then(settled, settled);
    return answer;
  }
}
