/**
 * Registry tokens for one ACR registry, obtained the way ACR documents it (Azure/acr
 * docs/AAD-OAuth.md) and kept as long as they are valid:
 *
 * 1. The realm and service are learnt from the registry's first 401 challenge, or known from
 *    the start for an ACR found through ARM (`knownChallenge`), whose first request then
 *    already carries a token.
 * 2. An Entra token (from the given TokenCredential, which caches and renews it itself) is
 *    exchanged at `POST /oauth2/exchange` for a refresh token. The ACR audience is asked for
 *    first because registries with `azureADAuthenticationAsArmPolicy` disabled accept only
 *    that one; when the exchange (or the Entra token request) refuses it, the ARM audience is
 *    tried once and whichever worked is remembered for this registry.
 * 3. The refresh token buys access tokens at `POST /oauth2/token` (`registry:catalog:*`,
 *    `repository:<repo>:metadata_read`, …). Access tokens are kept per scope: listing the tags
 *    of the same repository on page 2, or again after an import, costs no token round trip,
 *    and neither does switching between repositories (a client holding one token
 *    re-challenges on every switch).
 * 4. Several repository scopes per token request (docs/decisions/005-batched-registry-scopes.md):
 *    told which repositories will be listed and in what order (`expectRepositories`), a
 *    request for one of them also asks for the next few that hold no token yet, in one
 *    `scope` list, and the one token answers for all of them; the next batch is asked for
 *    before the listings reach it. A run then pays about one token round trip per
 *    `scopesPerRequest` repositories instead of one per repository, and no listing waits for
 *    it. A registry that refuses such a request gets one scope per request from then on.
 *    Which scopes go together is scopeBatcher.ts's choice; this file makes the requests.
 *
 * Held access tokens are bounded (least recently used dropped first), so memory does not grow
 * with the number of repositories. Both token kinds are renewed a little before their JWT
 * `exp`. Concurrent callers asking for the same token share one request, also when the scope
 * rides along in another scope's request. Tokens are never logged and never appear in errors.
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
import { LRUCache } from 'lru-cache';
import { acrScope, armScope, type AzureCloud } from '../cloud';
import { networkFailureIn } from '../http/networkFailure';
import { oneLineError, redactText } from '../redact';
import { acrErrorFrom, AcrRequestError } from './acrErrors';
import { answerProblemOf, sendExpecting } from './answerCheck';
import { ACCESS_TOKEN_ANSWER, REFRESH_TOKEN_ANSWER, type AnswerShape } from './answerShapes';
import type { BearerChallenge } from './challenge';
import { jwtExpiresOnMs, jwtTenantId } from '../identity/jwt';
import { unlessAborted } from '../../engine/abort';
import { ScopeBatcher } from './scopeBatcher';

// The batching limits, re-exported where the provider's users (tests, the benchmark) take them.
export { MAX_SCOPE_CHARS_PER_TOKEN_REQUEST, MAX_SCOPES_PER_TOKEN_REQUEST } from './scopeBatcher';

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
  /** Most scopes asked for in one token request (default MAX_SCOPES_PER_TOKEN_REQUEST; 1 = no batching). */
  scopesPerRequest?: number;
  /** Most access tokens held at once (default MAX_HELD_ACCESS_TOKENS). */
  maxHeldTokens?: number;
  /**
   * Realm and service known without asking (an ACR found through ARM: `knownAcrChallenge`), so
   * the first request already carries a token and no `/v2/` probe is needed. A later 401 still
   * teaches the registry's own (`learn`).
   */
  knownChallenge?: BearerChallenge;
}

/**
 * What an ACR's challenge says, known from its login server alone: every ACR names
 * `https://<loginServer>/oauth2/token` as its realm and its login server as the service
 * (Azure/acr docs/AAD-OAuth.md; decision 002).
 */
export function knownAcrChallenge(loginServer: string): BearerChallenge {
  return { realm: `https://${loginServer}/oauth2/token`, service: loginServer };
}

/**
 * Entra tokens are asked with CAE, as the ARM SDK's bearer policy asks them: @azure/identity
 * keeps one MSAL application per CAE setting, so asking alike shares the authority discovery
 * and the token cache with ARM instead of paying a second discovery round trip.
 */
export const ENTRA_TOKEN_OPTIONS = { enableCae: true } as const;

/** Which Entra audience the registry accepted at /oauth2/exchange. */
export type ExchangeAudience = 'acr' | 'arm';

/** The registry refused to hand out a token (or the Entra credential failed). */
export class AcrAuthenticationError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
    /** Entra had no token for the registry audience and the registry refused ARM's: not a missing role. */
    readonly noUsableAudience = false,
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

/** What one token request brought: the token and every scope it was asked for. */
interface Grant {
  held: HeldToken;
  scopes: readonly string[];
}

/**
 * A token request in flight, as seen by one of its scopes. `primary`: the request was made for
 * this scope, so it resolves to its token or fails. A scope that rode along in another
 * scope's request resolves to undefined when that request did not bring its token (it failed,
 * or the registry refused several scopes and only the first was asked for again).
 */
interface InFlight {
  promise: Promise<HeldToken | undefined>;
  primary: boolean;
}

/**
 * Access tokens held at once. A repository's token is needed while its listing (and index
 * check, and read-back) runs; far more than the repositories in flight times the batch, far
 * less than the 20,000 scopes of a 10,000-repository run (about 15 MB of tokens when all kept).
 */
export const MAX_HELD_ACCESS_TOKENS = 512;
/** Answers to a several-scope token request that say "not like this": retried with one scope. */
const BATCH_REFUSED_STATUSES = new Set([400, 401, 413]);

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
  /** Access tokens by scope, the least recently used dropped first once `maxHeldTokens` are held. */
  private readonly access: LRUCache<string, HeldToken>;
  private readonly accessInFlight = new Map<string, InFlight>();
  /** Picks the scopes that ride along; a scope with a valid token or a request in flight does not. */
  private readonly batcher: ScopeBatcher;
  /**
   * The same for `pull` scopes (referrers listings and manifest reads, decision 012), kept apart:
   * a repository whose `metadata_read` was asked for has not had its `pull` asked for, and a
   * no-op run, which reads nothing with `pull`, never asks for one.
   */
  private readonly pullBatcher: ScopeBatcher;

  constructor(private readonly options: AcrTokenProviderOptions) {
    this.registryOrigin = new URL(options.registryBase).origin;
    this.now = options.now ?? Date.now;
    this.access = new LRUCache({ max: Math.max(1, Math.floor(options.maxHeldTokens ?? MAX_HELD_ACCESS_TOKENS)) });
    const covered = (scope: string): boolean => this.accessInFlight.has(scope) || this.peekValid(scope);
    this.batcher = new ScopeBatcher(options.scopesPerRequest, covered);
    this.pullBatcher = new ScopeBatcher(options.scopesPerRequest, covered);
    if (options.knownChallenge) this.learn(options.knownChallenge);
  }

  /** True once a challenge has told where tokens come from. */
  get knowsChallenge(): boolean {
    return this.realm !== undefined;
  }

  /** The audience that worked, once known (for diagnostics and tests). */
  get exchangeAudience(): ExchangeAudience | undefined {
    return this.audience;
  }

  /** False once the registry refused several scopes in one request (for diagnostics and tests). */
  get batchesScopes(): boolean {
    return this.batcher.batches;
  }

  /** How many access tokens are held (for tests: the bound). */
  get heldAccessTokens(): number {
    return this.access.size;
  }

  /**
   * The repositories whose scopes will be asked for next, in that order (replaces any earlier
   * list). A request for one of them then also asks for the following ones that have no token
   * and no request yet. Only a hint: other repositories, and any order, still work.
   */
  expectRepositories(names: readonly string[]): void {
    this.batcher.expect(names);
    this.pullBatcher.expect(names);
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
    const held = this.validAccess(scope);
    if (held) {
      this.prefetchNear(scope);
      return held.token;
    }
    const joined = this.accessInFlight.get(scope) ?? this.request(scope);
    this.prefetchNear(scope);
    const got = await unlessAborted(joined.promise, signal);
    if (got) return got.token;
    // The request this scope rode along in did not bring its token: ask for it in its own name
    // (or join a request made in its name meanwhile), which brings the token or fails.
    const again = this.validAccess(scope);
    if (again) return again.token;
    const current = this.accessInFlight.get(scope);
    const own = current?.primary === true ? current : this.request(scope);
    const token = await unlessAborted(own.promise, signal);
    if (!token) throw new AcrAuthenticationError(`the registry gave no token for ${scope}`);
    return token.token;
  }

  /** Forgets a token the registry rejected (only if it is still the one held). */
  invalidate(scope: string, token: string): void {
    // `peek`: a token that stays (another one is held now) keeps its place in the order.
    if (this.access.peek(scope)?.token === token) this.access.delete(scope);
  }

  /** The held token of a scope if it is still valid, marked as just used. */
  private validAccess(scope: string): HeldToken | undefined {
    const held = this.access.get(scope);
    if (held === undefined) return undefined;
    // Due for renewal: treated as absent and dropped; the caller asks for a new one.
    if (this.now() >= held.renewAtMs) {
      this.access.delete(scope);
      return undefined;
    }
    return held;
  }

  private batcherFor(scope: string): ScopeBatcher {
    return scope.endsWith(':pull') ? this.pullBatcher : this.batcher;
  }

  /** Starts one token request for `scope` and the expected scopes that ride along with it. */
  private request(scope: string): InFlight {
    const riders = this.batcherFor(scope).ridersFor(scope);
    const batch = this.fetchAccessToken([scope, ...riders]);
    this.trackRiders(batch, riders);
    return this.track(scope, { promise: batch.then((grant) => grant.held), primary: true });
  }

  /**
   * Asks for the next batch before the listings reach it (ScopeBatcher.upcomingNear says when),
   * so that its round trip runs while they list the repositories before it.
   */
  private prefetchNear(scope: string): void {
    const upcoming = this.batcherFor(scope).upcomingNear(scope);
    if (upcoming.length > 0) this.trackRiders(this.fetchAccessToken(upcoming), upcoming);
  }

  /**
   * Makes scopes that ride along in a request findable until it settles. A rider does not
   * inherit the failure of a request made for someone else: its caller, if any, then asks in
   * its own name.
   */
  private trackRiders(batch: Promise<Grant>, riders: readonly string[]): void {
    for (const rider of riders) {
      const promise = batch.then(
        (grant) => (grant.scopes.includes(rider) ? grant.held : undefined),
        () => undefined,
      );
      this.track(rider, { promise, primary: false });
    }
  }

  /** Makes a request findable by its scope until it settles. */
  private track(scope: string, entry: InFlight): InFlight {
    this.accessInFlight.set(scope, entry);
    const forget = (): void => {
      if (this.accessInFlight.get(scope) === entry) this.accessInFlight.delete(scope);
    };
    entry.promise.then(forget, forget);
    return entry;
  }

  /** Whether a valid token is held for a scope, without marking it used. */
  private peekValid(scope: string): boolean {
    const held = this.access.peek(scope);
    return held !== undefined && this.now() < held.renewAtMs;
  }

  private async fetchAccessToken(scopes: readonly string[]): Promise<Grant> {
    const { realm, service } = this.requireChallenge();
    const what = scopes.length === 1 ? scopes[0] : `${scopes[0]} and ${scopes.length - 1} more scopes`;
    // One `scope` parameter holding a space-separated list: the distribution spec's form for
    // POST /token (docs/spec/auth/oauth.md) and what docker sends ACR with a refresh token.
    const form = (refresh: HeldToken): Record<string, string> => ({
      grant_type: 'refresh_token',
      service,
      scope: scopes.join(' '),
      refresh_token: refresh.token,
    });
    const answering = `getting a registry token for ${what} from ${this.host}`;
    let refresh = await this.refreshToken();
    let { response, value } = await this.postForm(realm, form(refresh), ACCESS_TOKEN_ANSWER, answering);
    if (response.status === 401) {
      // The refresh token was revoked or expired early: exchange a new one, once.
      if (this.refresh?.token === refresh.token) this.refresh = undefined;
      refresh = await this.refreshToken();
      ({ response, value } = await this.postForm(realm, form(refresh), ACCESS_TOKEN_ANSWER, answering));
    }
    if (scopes.length > 1 && BATCH_REFUSED_STATUSES.has(response.status)) {
      // A registry that does not take several scopes at once: the first scope alone, and if
      // that works, one scope per request from now on. The others are asked for when needed.
      const single = await this.fetchAccessToken(scopes.slice(0, 1));
      this.batcher.stopBatching();
      this.pullBatcher.stopBatching();
      return single;
    }
    if (value === undefined) throw toAuthError(acrErrorFrom(response, `getting a registry token for ${what}`));
    // One token string for every scope it was asked for.
    const held = this.hold(value.token, value.expiresInSeconds);
    for (const scope of scopes) this.access.set(scope, held);
    return { held, scopes };
  }

  /**
   * Gets the refresh token now, before any access token is asked for (preflight.ts: the target's
   * exchange beside the preflight, not after the source's catalog). Its failure is not kept:
   * an access token asked while it is in flight shares it, one asked after exchanges again.
   */
  async exchangeAhead(): Promise<void> {
    if (this.realm === undefined) return;
    await this.refreshToken();
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
    // Entra refusing the registry audience itself: said with the final refusal, which is otherwise only the ARM one.
    let noAcrAudience: string | undefined;
    let armRefusedByRegistry = false;
    for (const audience of audiences) {
      const scope = audience === 'acr' ? acrScope(this.options.cloud) : armScope(this.options.cloud);
      let entraToken: string;
      try {
        const got = await this.options.credential.getToken(scope, ENTRA_TOKEN_OPTIONS);
        if (!got) throw new Error('the credential returned no token');
        entraToken = got.token;
      } catch (error) {
        // Entra cannot be reached: another audience asks the same host, so the line goes up as it is.
        if (networkFailureIn(error) !== undefined) throw error;
        refusal = new AcrAuthenticationError(`getting an Entra token for the registry failed: ${oneLineError(error)}`);
        if (audience === 'acr') noAcrAudience = entraReason(oneLineError(error));
        continue;
      }
      const tenant = jwtTenantId(entraToken);
      const form = { grant_type: 'access_token', service, ...(tenant ? { tenant } : {}), access_token: entraToken };
      const { response, value } = await this.postForm(exchangeUrl, form, REFRESH_TOKEN_ANSWER, `exchanging the Entra token for a token of ${this.host}`);
      if (value !== undefined) {
        this.audience = audience;
        return this.hold(value, undefined);
      }
      const error = toAuthError(acrErrorFrom(response, 'exchanging the Entra token for a registry token'));
      // 400/401/403 mean "not this token": worth one try with the other audience.
      if (![400, 401, 403].includes(response.status)) throw error;
      refusal = error;
      if (audience === 'arm') armRefusedByRegistry = true;
    }
    if (noAcrAudience !== undefined && armRefusedByRegistry && refusal !== undefined) {
      // Both audiences failed, the registry's one at Entra: most likely a cloud whose registries expect another audience.
      throw new AcrAuthenticationError(
        `Entra gave no token for the registry audience ${this.options.cloud.acrAudience} and the registry refused the Resource Manager one; ` +
          `if this cloud's registries expect another audience, give it as the registry token audience (Entra: ${noAcrAudience}; registry: ${refusal.message})`,
        refusal.status,
        refusal.code,
        true,
      );
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

  /** The registry's host, for messages. */
  private get host(): string {
    return new URL(this.registryOrigin).host;
  }

  /**
   * POSTs a form whose 200 answer must have `shape`. An answer that is not what a registry
   * sends (after the pipeline's retries) is an AcrAuthenticationError naming the registry and
   * what was wrong; `answering` says what the request was for.
   */
  private async postForm<T>(url: URL, form: Record<string, string>, shape: AnswerShape<T>, answering: string): Promise<{ response: PipelineResponse; value?: T }> {
    const request = createPipelineRequest({
      url: url.toString(),
      method: 'POST',
      headers: createHttpHeaders({ 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }),
      body: new URLSearchParams(form).toString(),
    });
    try {
      return await sendExpecting(this.options.pipeline, this.options.httpClient, request, shape);
    } catch (error) {
      const problem = answerProblemOf(error);
      throw problem === undefined ? error : new AcrAuthenticationError(redactText(`${answering}: ${problem}`), 200);
    }
  }
}

/** Entra's reason in its own words, short: the `AADSTS…` sentence (up to a period before a space) when there is one. */
function entraReason(message: string): string {
  return /AADSTS\d+:.*?\.(?=\s|$)/.exec(message)?.[0] ?? message;
}

function toAuthError(error: AcrRequestError): AcrAuthenticationError {
  return new AcrAuthenticationError(error.message, error.status, error.code);
}
