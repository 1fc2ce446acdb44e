/**
 * JSON Web Tokens, as far as the emulator needs them. The tokens it issues itself (Entra
 * access tokens, ACR refresh and access tokens) are HS256 with a secret of the emulator:
 * JWT-shaped like Azure's, checkable by the emulator, opaque to clients. The tokens it only
 * checks come signed by someone else: RS256/PS256 client assertions and pipeline ID tokens.
 */
import { constants, createHmac, randomBytes, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

export type Claims = Record<string, unknown>;

export interface DecodedJwt {
  header: Claims;
  claims: Claims;
  signingInput: string;
  signature: Buffer;
}

function encodeSegment(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function parseSegment(segment: string): Claims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Claims) : undefined;
  } catch {
    return undefined;
  }
}

export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, c, s] = parts as [string, string, string];
  const header = parseSegment(h);
  const claims = parseSegment(c);
  if (!header || !claims) return undefined;
  return { header, claims, signingInput: `${h}.${c}`, signature: Buffer.from(s, 'base64url') };
}

export type TokenCheck =
  | { ok: true; claims: Claims }
  | { ok: false; reason: 'malformed' | 'signature' }
  | { ok: false; reason: 'expired'; claims: Claims; exp: number };

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** How many verified tokens a signer remembers (a client reuses one token for many requests). */
const VERIFIED_KEPT = 4096;

/** Signs and checks the emulator's own tokens (HS256 with a random per-run secret). */
export class HmacTokenSigner {
  private readonly key = randomBytes(32);
  /** token -> its claims, for tokens whose signature was already checked (expiry is checked every time). */
  private readonly verified = new Map<string, Claims>();
  constructor(private readonly kid: string) {}

  sign(claims: Claims): string {
    const input = `${encodeSegment({ typ: 'JWT', alg: 'HS256', kid: this.kid })}.${encodeSegment(claims)}`;
    return `${input}.${createHmac('sha256', this.key).update(input).digest('base64url')}`;
  }

  /** Signature first, then expiry: an expired token is reported as such, with its claims. */
  check(token: string): TokenCheck {
    const known = this.verified.get(token);
    if (known) return this.expiry(known);
    const jwt = decodeJwt(token);
    if (!jwt) return { ok: false, reason: 'malformed' };
    const expected = createHmac('sha256', this.key).update(jwt.signingInput).digest();
    if (jwt.header.kid !== this.kid || expected.length !== jwt.signature.length || !timingSafeEqual(expected, jwt.signature)) {
      return { ok: false, reason: 'signature' };
    }
    if (typeof jwt.claims.exp !== 'number') return { ok: false, reason: 'malformed' };
    if (this.verified.size >= VERIFIED_KEPT) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, jwt.claims);
    return this.expiry(jwt.claims);
  }

  private expiry(claims: Claims): TokenCheck {
    const exp = claims.exp as number;
    if (exp <= nowSeconds()) return { ok: false, reason: 'expired', claims, exp };
    return { ok: true, claims };
  }
}

/** RS256 (or PS256) signature as the pipeline's OIDC issuer or a certificate credential makes it. */
export function signRsaJwt(header: Claims, claims: Claims, key: KeyObject): string {
  const input = `${encodeSegment(header)}.${encodeSegment(claims)}`;
  const pss = header.alg === 'PS256';
  const signature = sign('sha256', Buffer.from(input), {
    key,
    ...(pss ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {}),
  });
  return `${input}.${signature.toString('base64url')}`;
}

export function verifyRsaJwt(jwt: DecodedJwt, key: KeyObject): boolean {
  const alg = jwt.header.alg;
  if (alg !== 'RS256' && alg !== 'PS256') return false;
  try {
    return verify(
      'sha256',
      Buffer.from(jwt.signingInput),
      alg === 'PS256' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO } : key,
      jwt.signature,
    );
  } catch {
    return false;
  }
}

/** The `aud` of a token as a list (JWT allows a string or an array). */
export function audiences(claims: Claims): string[] {
  const aud = claims.aud;
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

/** A resource URI without trailing slashes (`https://management.core.windows.net/` → no slash). */
export function normaliseResource(resource: string): string {
  return resource.trim().replace(/\/+$/, '');
}

/** Resource URIs compare without trailing slashes and case-insensitively. */
export function sameResource(a: string, b: string): boolean {
  return normaliseResource(a).toLowerCase() === normaliseResource(b).toLowerCase();
}

export function stringClaim(claims: Claims, name: string): string | undefined {
  const v = claims[name];
  return typeof v === 'string' ? v : undefined;
}
