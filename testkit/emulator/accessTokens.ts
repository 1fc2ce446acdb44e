/**
 * The Entra access token the emulator hands to a principal, whichever door it came through:
 * the token endpoint (secret, certificate, federated assertion) or the machine's
 * managed-identity endpoint. ARM and the registries check these claims, so both doors must
 * mint the same shape.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from './state';
import { nowSeconds, type HmacTokenSigner } from './tokens';

/** How the app proved itself (Entra's `appidacr`): 1 = secret, 2 = certificate or assertion. */
export type AppAuthMethod = 'secret' | 'assertion' | 'managedIdentity';

export interface IssuedAccessToken {
  token: string;
  /** Issue and expiry times, seconds since the epoch. */
  issuedAt: number;
  exp: number;
}

export function issueAccessToken(
  signer: HmacTokenSigner,
  principal: Principal,
  resource: string,
  lifetimeSeconds: number,
  method: AppAuthMethod,
): IssuedAccessToken {
  const now = nowSeconds();
  const exp = now + lifetimeSeconds;
  const token = signer.sign({
    aud: resource,
    iss: `https://sts.windows.net/${principal.tenantId}/`,
    iat: now,
    nbf: now,
    exp,
    appid: principal.clientId,
    appidacr: method === 'secret' ? '1' : '2',
    azp: principal.clientId,
    idp: `https://sts.windows.net/${principal.tenantId}/`,
    idtyp: 'app',
    oid: principal.objectId,
    sub: principal.objectId,
    tid: principal.tenantId,
    uti: randomUUID(),
    ver: '1.0',
  });
  return { token, issuedAt: now, exp };
}
