/**
 * Authentication with any OCI registry, as its 401 challenge asks (distribution's token.md):
 * - `Bearer realm=…,service=…[,scope=…]`: a token from `GET realm?service=…&scope=…`, with the
 *   user's credentials as Basic auth when there are any (anonymous otherwise), kept per scope
 *   until shortly before its `expires_in` (default 60 s); the answer's `token` or `access_token`.
 * - `Basic realm=…`: the credentials as Basic auth on the registry itself.
 * Credentials go only to the realms credentialRealm.ts allows, checked before anything is sent
 * (RealmRefused otherwise); tokens and credentials never appear in an error.
 *
 * The policy sends a request bare until a challenge is known, then with the header its scope
 * needs; on a 401 it learns the challenge, drops a token that was refused, and sends once more.
 * A second 401 goes back to the caller, which words it (SourceUnauthorized).
 */
import type { AbortSignalLike } from '@azure/abort-controller';
import {
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { LRUCache } from 'lru-cache';
import { redactText } from '../redact';
import { acrErrorFrom, AcrRequestError } from '../dataplane/acrErrors';
import { answerProblemOf, sendExpecting } from '../dataplane/answerCheck';
import { parseBearerChallenge } from '../dataplane/challenge';
import { realmRefusal } from './credentialRealm';
import { RealmRefused, SourceUnauthorized } from './errors';
import { REALM_TOKEN_ANSWER } from './ociShapes';
import { CATALOG_SCOPE, parseRepositoryScope, scopeTargetOf, type ScopeTarget } from './ociScopes';
import type { RegistryCredentials } from './sourceAddress';

export type RegistryChallenge = { scheme: 'bearer'; realm: URL; service: string } | { scheme: 'basic' };

export interface OciAuthOptions {
  /** The host[:port] the registry API is served on; the only origin the policy authenticates. */
  apiHost: string;
  /** The host as the user named it, for messages. */
  displayHost: string;
  credentials?: RegistryCredentials;
  /** The pipeline token requests go through (no authentication policy of its own). */
  pipeline: Pipeline;
  httpClient: HttpClient;
  /** Clock, for tests. */
  now?: () => number;
}

interface HeldToken {
  token: string;
  renewAtMs: number;
}

/** The spec's default when a realm gives no `expires_in`. */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew at most this much before expiry, and never more than a fifth of the lifetime early. */
const MAX_RENEW_MARGIN_MS = 30_000;
/** Tokens held at once (one per repository scope), the least recently used dropped first. */
const MAX_HELD_TOKENS = 512;

export class OciAuth {
  readonly origin: string;
  private challenge?: RegistryChallenge;
  private readonly now: () => number;
  private readonly tokens = new LRUCache<string, HeldToken>({ max: MAX_HELD_TOKENS });
  private readonly inFlight = new Map<string, Promise<HeldToken>>();
  /** The actions the registry asked for, per kind of repository call (ACR: `metadata_read` for tags/list). */
  private readonly actionsByKind = new Map<string, string>();
  /** How many token requests were sent, for tests and the benchmark. */
  tokenRequests = 0;

  constructor(private readonly options: OciAuthOptions) {
    this.origin = new URL(`https://${options.apiHost}`).origin;
    this.now = options.now ?? Date.now;
  }

  get knowsChallenge(): boolean {
    return this.challenge !== undefined;
  }

  get anonymous(): boolean {
    return this.options.credentials === undefined;
  }

  /** The scope a call needs: its kind's learnt actions, else `pull`; '' for none (the root). */
  scopeFor(target: ScopeTarget): string | undefined {
    switch (target.kind) {
      case 'root':
        return '';
      case 'catalog':
        return CATALOG_SCOPE;
      case 'other':
        return undefined;
      default:
        return `repository:${target.repository}:${this.actionsByKind.get(target.kind) ?? 'pull'}`;
    }
  }

  /**
   * Reads a 401's challenge. Returns the scope to authenticate again with (from the challenge,
   * else the call's own), or undefined when the challenge offers nothing to try.
   */
  learn(header: string | null | undefined, target: ScopeTarget): string | undefined {
    const bearer = parseBearerChallenge(header);
    if (bearer !== undefined) {
      let realm: URL;
      try {
        realm = new URL(bearer.realm);
      } catch {
        return undefined;
      }
      this.challenge = { scheme: 'bearer', realm, service: bearer.service };
      const asked = bearer.scope?.trim();
      if (asked && target.kind !== 'root' && target.kind !== 'catalog' && target.kind !== 'other') {
        const repositoryScope = parseRepositoryScope(asked);
        if (repositoryScope?.repository === target.repository) this.actionsByKind.set(target.kind, repositoryScope.actions);
      }
      return asked || (this.scopeFor(target) ?? '');
    }
    if (header && /(?:^|,)\s*Basic\b/i.test(header)) {
      this.challenge = { scheme: 'basic' };
      return '';
    }
    return undefined;
  }

  /** The Authorization header for a scope under the known challenge; undefined when there is nothing to send. */
  async authorization(scope: string, signal?: AbortSignalLike): Promise<string | undefined> {
    const challenge = this.challenge;
    if (challenge === undefined) return undefined;
    if (challenge.scheme === 'basic') return this.basic();
    return `Bearer ${(await this.token(challenge, scope, signal)).token}`;
  }

  /** Forgets a token the registry refused (unless a newer one already replaced it). */
  invalidate(scope: string, sentHeader: string): void {
    if (this.tokens.get(scope) !== undefined && `Bearer ${this.tokens.get(scope)?.token}` === sentHeader) this.tokens.delete(scope);
  }

  private basic(): string | undefined {
    const credentials = this.options.credentials;
    if (credentials === undefined) return undefined;
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
  }

  private token(challenge: Extract<RegistryChallenge, { scheme: 'bearer' }>, scope: string, signal?: AbortSignalLike): Promise<HeldToken> {
    const held = this.tokens.get(scope);
    if (held !== undefined && held.renewAtMs > this.now()) return Promise.resolve(held);
    let pending = this.inFlight.get(scope);
    if (pending === undefined) {
      pending = this.fetchToken(challenge, scope, signal).finally(() => this.inFlight.delete(scope));
      this.inFlight.set(scope, pending);
    }
    return pending;
  }

  private async fetchToken(challenge: Extract<RegistryChallenge, { scheme: 'bearer' }>, scope: string, signal?: AbortSignalLike): Promise<HeldToken> {
    const realm = challenge.realm;
    const basic = this.basic();
    // https only, whoever asks; and the user's credentials only where credentialRealm.ts allows.
    const refusal = basic === undefined ? (realm.protocol === 'https:' ? undefined : 'is not HTTPS') : realmRefusal(this.options.apiHost, realm);
    if (refusal !== undefined) throw new RealmRefused(this.options.displayHost, realm.host, refusal);

    const url = new URL(realm.toString());
    url.searchParams.set('service', challenge.service);
    for (const one of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', one);
    const headers = createHttpHeaders({ Accept: 'application/json' });
    if (basic !== undefined) headers.set('Authorization', basic);
    const request = createPipelineRequest({ url: url.toString(), method: 'GET', headers, ...(signal ? { abortSignal: signal } : {}) });
    const what = scope === '' ? 'the sign-in token request' : `the token request for ${scope}`;
    this.tokenRequests += 1;
    let answer: { response: PipelineResponse; value?: { token: string; expiresInSeconds?: number } };
    try {
      answer = await sendExpecting(this.options.pipeline, this.options.httpClient, request, REALM_TOKEN_ANSWER);
    } catch (error) {
      const problem = answerProblemOf(error);
      throw problem === undefined ? error : new AcrRequestError(redactText(`${what} at ${realm.host}: ${problem}`), 200);
    }
    const { response, value } = answer;
    if (response.status === 401 || response.status === 403) throw new SourceUnauthorized(this.options.displayHost, what, response.status, this.anonymous);
    if (value === undefined) throw acrErrorFrom(response, `${what} at ${realm.host}`);
    const lifetimeMs = (value.expiresInSeconds ?? DEFAULT_TOKEN_SECONDS) * 1000;
    const held = { token: value.token, renewAtMs: this.now() + lifetimeMs - Math.min(MAX_RENEW_MARGIN_MS, lifetimeMs / 5) };
    this.tokens.set(scope, held);
    return held;
  }
}

export const ociAuthenticationPolicyName = 'acrTransferOciAuthentication';

export function ociAuthenticationPolicy(auth: OciAuth): PipelinePolicy {
  return {
    name: ociAuthenticationPolicyName,
    async sendRequest(request, next) {
      // Nothing of the registry's credentials or tokens goes to another origin.
      if (new URL(request.url).origin !== auth.origin) {
        request.headers.delete('Authorization');
        return next(request);
      }
      const target = scopeTargetOf(request.url);
      const scope = auth.scopeFor(target);
      let sent: string | undefined;
      if (scope !== undefined && auth.knowsChallenge) {
        sent = await auth.authorization(scope, request.abortSignal);
        if (sent !== undefined) request.headers.set('Authorization', sent);
      }
      const response = await next(request);
      if (response.status !== 401) return response;

      const needed = auth.learn(response.headers.get('WWW-Authenticate'), target);
      if (needed === undefined) return response;
      if (sent !== undefined && scope !== undefined) auth.invalidate(scope, sent);
      const header = await auth.authorization(needed, request.abortSignal);
      // Nothing new to offer (anonymous Basic, or the same Basic credentials again): the 401 stands.
      if (header === undefined || header === sent) return response;
      request.headers.set('Authorization', header);
      return next(request);
    },
  };
}
