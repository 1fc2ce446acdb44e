/**
 * Workload identity federation. The emulator plays the external identity provider (an Azure
 * DevOps pipeline's OIDC endpoint): it mints RS256 ID tokens for a principal's federated
 * issuer and subject, and Entra accepts as client assertions only tokens it minted, not
 * expired, whose issuer, subject and audience match the principal's federated credential.
 * The pipeline OIDC endpoint (pipeline.ts) serves tokens from this same issuer.
 */
import { generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { Principal } from './state';
import { nowSeconds, signRsaJwt, verifyRsaJwt, type DecodedJwt } from './tokens';

/** The audience Entra expects in federated assertions unless the credential says otherwise. */
export const DEFAULT_FEDERATED_AUDIENCE = 'api://AzureADTokenExchange';

/** Who an ID token speaks for (a federated identity credential matches on these). */
export interface FederatedIdentity {
  issuer: string;
  subject: string;
  audience?: string;
}

export class FederatedTokenIssuer {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    readonly keyId: string,
  ) {}

  static async create(): Promise<FederatedTokenIssuer> {
    const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    return new FederatedTokenIssuer(privateKey, publicKey, randomUUID());
  }

  /**
   * An ID token for the principal's federated identity, valid `lifetimeSeconds` from now.
   * Zero or negative lifetimes give an already expired token (for expiry tests).
   */
  mint(principal: Principal, lifetimeSeconds: number): string {
    const federated = principal.federated;
    if (!federated) throw new Error(`principal ${principal.clientId} has no federated credential`);
    return this.mintFor(federated, lifetimeSeconds).token;
  }

  /** An ID token with this issuer, subject and audience; also returns its id and expiry. */
  mintFor(identity: FederatedIdentity, lifetimeSeconds: number): { token: string; jti: string; exp: number } {
    const now = nowSeconds();
    const exp = now + lifetimeSeconds;
    const issuedAt = Math.min(now, exp - 60);
    const jti = randomUUID();
    const token = signRsaJwt(
      { typ: 'JWT', alg: 'RS256', kid: this.keyId },
      {
        jti,
        iss: identity.issuer,
        sub: identity.subject,
        aud: identity.audience ?? DEFAULT_FEDERATED_AUDIENCE,
        iat: issuedAt,
        nbf: issuedAt,
        exp,
      },
      this.privateKey,
    );
    return { token, jti, exp };
  }

  /** Whether this issuer signed the token. */
  signed(jwt: DecodedJwt): boolean {
    return jwt.header.kid === this.keyId && verifyRsaJwt(jwt, this.publicKey);
  }
}
