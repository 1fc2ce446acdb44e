/**
 * Reads claims of a JWT without verifying it: only to learn when a token we were handed
 * expires (`exp`) and which tenant an Entra token belongs to (`tid`). Never used to trust
 * anything; the services verify their own tokens.
 */

export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = Buffer.from(payload.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const claims: unknown = JSON.parse(json);
    return claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `exp` as epoch milliseconds, when the token is a JWT that has one. */
export function jwtExpiresOnMs(token: string): number | undefined {
  const exp = jwtClaims(token)?.['exp'];
  const seconds = typeof exp === 'number' ? exp : typeof exp === 'string' ? Number(exp) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** The `tid` (tenant id) claim of an Entra token. */
export function jwtTenantId(token: string): string | undefined {
  const tid = jwtClaims(token)?.['tid'];
  return typeof tid === 'string' && tid !== '' ? tid : undefined;
}
