/**
 * Registry tokens for one ACR registry, obtained the way ACR documents it (Azure/acr
 * docs/AAD-OAuth.md) and kept as long as they are valid:
 *
 * 1. The realm and service are learnt from the registry's first 401 challenge.
 * 2. An Entra token (from the given TokenCredential, which caches and renews it itself) is
 *    exchanged at `POST /oauth2/exchange` for a refresh token. The ACR audience is asked for
 *    first because registries with `azureADAuthenticationAsArmPolicy` disabled accept only
 *    that one; when the exchange (or the Entra token request) refuses it, the ARM audience is
 *    tried once and whichever worked is remembered for this registry.
 * 3. The refresh token buys an access token per scope at `POST /oauth2/token`
 *    (`registry:catalog:*`, `repository:<repo>:metadata_read`, …). Access tokens are kept per
 *    scope: listing the tags of the same repository on page 2, or again after an import,
 *    costs no token round trip, and neither does switching between repositories (a client
 *    holding one token re-challenges on every switch).
 *
 * Both token kinds are renewed a little before their JWT `exp`. Concurrent callers asking for
 * the same token share one request. Tokens are never logged and never appear in errors.
 */
import type { AbortSignalLike } from '@azure/abort-controller';
import type { TokenCredential } from '@azure/core-auth';
import {
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { acrScope, armScope, type AzureCloud } from '../cloud';
import { oneLineError } from '../redact';
import { acrErrorFrom, AcrRequestError, parseBody } from './acrErrors';
import type { BearerChallenge } from './challenge';
import { jwtExpiresOnMs, jwtTenantId } from './jwt';

export interface AcrTokenProviderOptions {
  /** `https://<loginServer>`; the only origin tokens are requested from and sent to. */
  registryBase: string;
  credential: TokenCredential;
  cloud: AzureCloud;
  /** A pipeline without the registry auth policy (retries, TLS, user agent). */
  pipeline: Pipeline;
  httpClient: HttpClient;
  /** Clock, for tests. */
  now?: () => number;
}

/** Which Entra audience the registry accepted at /oauth2/exchange. */
export type ExchangeAudience = 'acr' | 'arm';

/** The registry refused to hand out a token (or the Entra credential failed). */
export class AcrAuthenticationError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'AcrAuthenticationError';
  }
}

interface HeldToken {
  token: string;
  /** When to fetch a new one (a margin before it expires). */
  renewAtMs: number;
}

/** Renew at most 5 minutes early, and never more than a fifth of the lifetime early. */
const MAX_RENEW_MARGIN_MS = 5 * 60_000;
/** Used when an access token carries no readable expiry. */
const UNKNOWN_LIFETIME_MS = 60_000;

export class AcrTokenProvider {
  private readonly registryOrigin: string;
  private readonly now: () => number;
  private realm?: URL;
  private service?: string;
  private audience?: ExchangeAudience;
  private refresh?: HeldToken;
  private refreshInFlight?: Promise<HeldToken>;
  private readonly access = new Map<string, HeldToken>();
  private readonly accessInFlight = new Map<string, Promise<HeldToken>>();

  constructor(private readonly options: AcrTokenProviderOptions) {
    this.registryOrigin = new URL(options.registryBase).origin;
    this.now = options.now ?? Date.now;
  }

  /** True once a challenge has told where tokens come from. */
  get knowsChallenge(): boolean {
    return this.realm !== undefined;
  }

  /** The audience that worked, once known (for diagnostics and tests). */
  get exchangeAudience(): ExchangeAudience | undefined {
    return this.audience;
  }

  /** Whether a URL belongs to this registry (tokens go nowhere else). */
  serves(url: string): boolean {
    try {
      return new URL(url).origin === this.registryOrigin;
    } catch {
      return false;
    }
  }

  /**
   * Takes realm and service from a challenge. A realm on another host is refused: the Entra
   * token would be sent there.
   */
  learn(challenge: BearerChallenge): void {
    let realm: URL;
    try {
      realm = new URL(challenge.realm, this.options.registryBase);
    } catch {
      throw new AcrAuthenticationError(`the registry ${new URL(this.options.registryBase).host} sent an unusable token realm`);
    }
    if (realm.origin !== this.registryOrigin || realm.protocol !== 'https:') {
      throw new AcrAuthenticationError(
        `the registry ${new URL(this.options.registryBase).host} asked for tokens from another host; refusing to send credentials there`,
      );
    }
    if (this.service !== undefined && this.service !== challenge.service) {
      // A different service invalidates what was obtained for the old one.
      this.refresh = undefined;
      this.access.clear();
    }
    this.realm = realm;
    this.service = challenge.service;
  }

  /** An access token for one scope, reused while valid. */
  async accessToken(scope: string, signal?: AbortSignalLike): Promise<string> {
    const held = this.access.get(scope);
    if (held && this.now() < held.renewAtMs) return held.token;
    let inFlight = this.accessInFlight.get(scope);
    if (!inFlight) {
      inFlight = this.fetchAccessToken(scope).finally(() => this.accessInFlight.delete(scope));
      this.accessInFlight.set(scope, inFlight);
    }
    return (await untilAborted(inFlight, signal)).token;
  }

  /** Forgets a token the registry rejected (only if it is still the one held). */
  invalidate(scope: string, token: string): void {
    if (this.access.get(scope)?.token === token) this.access.delete(scope);
  }

  private async fetchAccessToken(scope: string): Promise<HeldToken> {
    const { realm, service } = this.requireChallenge();
    let refresh = await this.refreshToken();
    let response = await this.postForm(realm, {
      grant_type: 'refresh_token',
      service,
      scope,
      refresh_token: refresh.token,
    });
    if (response.status === 401) {
      // The refresh token was revoked or expired early: exchange a new one, once.
      if (this.refresh?.token === refresh.token) this.refresh = undefined;
      refresh = await this.refreshToken();
      response = await this.postForm(realm, { grant_type: 'refresh_token', service, scope, refresh_token: refresh.token });
    }
    if (response.status !== 200) throw toAuthError(acrErrorFrom(response, `getting a registry token for ${scope}`));
    const token = stringField(parseBody(response.bodyAsText), 'access_token');
    if (!token) throw new AcrAuthenticationError(`the registry answered the token request for ${scope} without an access_token`);
    const held = this.hold(token, numberField(parseBody(response.bodyAsText), 'expires_in'));
    this.access.set(scope, held);
    return held;
  }

  private async refreshToken(): Promise<HeldToken> {
    if (this.refresh && this.now() < this.refresh.renewAtMs) return this.refresh;
    if (!this.refreshInFlight) {
      this.refreshInFlight = this.exchange()
        .then((held) => {
          this.refresh = held;
          return held;
        })
        .finally(() => {
          this.refreshInFlight = undefined;
        });
    }
    return this.refreshInFlight;
  }

  private async exchange(): Promise<HeldToken> {
    const { realm, service } = this.requireChallenge();
    const exchangeUrl = new URL('/oauth2/exchange', realm);
    const audiences: ExchangeAudience[] = this.audience ? [this.audience] : ['acr', 'arm'];
    let refusal: AcrAuthenticationError | undefined;
    for (const audience of audiences) {
      const scope = audience === 'acr' ? acrScope(this.options.cloud) : armScope(this.options.cloud);
      let entraToken: string;
      try {
        const got = await this.options.credential.getToken(scope);
        if (!got) throw new Error('the credential returned no token');
        entraToken = got.token;
      } catch (error) {
        refusal = new AcrAuthenticationError(`getting an Entra token for the registry failed: ${oneLineError(error)}`);
        continue;
      }
      const tenant = jwtTenantId(entraToken);
      const response = await this.postForm(exchangeUrl, {
        grant_type: 'access_token',
        service,
        ...(tenant ? { tenant } : {}),
        access_token: entraToken,
      });
      if (response.status === 200) {
        const token = stringField(parseBody(response.bodyAsText), 'refresh_token');
        if (!token) throw new AcrAuthenticationError('the registry answered the token exchange without a refresh_token');
        this.audience = audience;
        return this.hold(token, undefined);
      }
      const error = toAuthError(acrErrorFrom(response, 'exchanging the Entra token for a registry token'));
      // 400/401/403 mean "not this token": worth one try with the other audience.
      if (![400, 401, 403].includes(response.status)) throw error;
      refusal = error;
    }
    throw refusal ?? new AcrAuthenticationError('no Entra token could be exchanged for a registry token');
  }

  private hold(token: string, expiresInSeconds: number | undefined): HeldToken {
    const now = this.now();
    const expiresOn =
      jwtExpiresOnMs(token) ?? (expiresInSeconds !== undefined ? now + expiresInSeconds * 1000 : now + UNKNOWN_LIFETIME_MS);
    const lifetime = Math.max(0, expiresOn - now);
    const margin = Math.min(MAX_RENEW_MARGIN_MS, lifetime / 5);
    return { token, renewAtMs: expiresOn - margin };
  }

  private requireChallenge(): { realm: URL; service: string } {
    if (!this.realm || this.service === undefined) {
      throw new AcrAuthenticationError('the registry has not issued an authentication challenge yet');
    }
    return { realm: this.realm, service: this.service };
  }

  private postForm(url: URL, form: Record<string, string>): Promise<PipelineResponse> {
    const request = createPipelineRequest({
      url: url.toString(),
      method: 'POST',
      headers: createHttpHeaders({ 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }),
      body: new URLSearchParams(form).toString(),
    });
    return this.options.pipeline.sendRequest(this.options.httpClient, request);
  }
}

function toAuthError(error: AcrRequestError): AcrAuthenticationError {
  return new AcrAuthenticationError(error.message, error.status, error.code);
}

/** Lets one caller give up on a shared token request without cancelling it for the others. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignalLike | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function abortError(): Error {
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}

function stringField(body: unknown, key: string): string | undefined {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberField(body: unknown, key: string): number | undefined {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
