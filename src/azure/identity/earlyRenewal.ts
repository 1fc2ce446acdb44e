/**
 * Makes every client renew an Entra token before it can expire on its way.
 *
 * A credential reports a token's expiry as "received + expires_in", which is later than the
 * token's own `exp` by the time the answer took and by `exp`'s rounding to whole seconds; the
 * SDK clients then keep using a token until one second before that reported expiry. A request
 * signed in that last stretch, or slowed on its way, arrives with an expired token and is
 * refused (ExpiredAuthenticationToken), and nothing retries it. So the expiry handed on is the
 * token's own `exp` when it is a JWT, less a margin of a quarter of its lifetime (at most a
 * minute): long-lived tokens are renewed a minute early, short ones (tests) early enough.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { jwtExpiresOnMs } from './jwt';

const MAX_MARGIN_MS = 60_000;

export class EarlyRenewalCredential implements TokenCredential {
  constructor(private readonly inner: TokenCredential) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const received = Date.now();
    const token = await this.inner.getToken(scopes, options);
    if (token === null) return null;
    const expiresOn = Math.min(token.expiresOnTimestamp, jwtExpiresOnMs(token.token) ?? token.expiresOnTimestamp);
    const margin = Math.min(MAX_MARGIN_MS, Math.max(0, expiresOn - received) / 4);
    return { ...token, expiresOnTimestamp: expiresOn - margin };
  }
}

/** Wraps a credential once (wrapping twice would take the margin twice). */
export function renewingEarly(credential: TokenCredential): TokenCredential {
  return credential instanceof EarlyRenewalCredential ? credential : new EarlyRenewalCredential(credential);
}
