/**
 * The registry token logic against an in-memory registry (no sockets): reuse per scope,
 * one shared request for concurrent callers, audience fallback remembered, renewal by exp,
 * several repository scopes per request for the repositories expected next, the bound on
 * held tokens, and one scope per request for a registry that refuses several.
 * The same behaviour is checked over HTTPS against the emulator in dataplane.integration.
 */
import { strict as assert } from 'node:assert';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { AzurePublicCloud } from '../../src/azure/cloud';
import { acrAuthenticationPolicy } from '../../src/azure/dataplane/acrAuthPolicy';
import { AcrClient } from '../../src/azure/dataplane/acrClient';
import { createDataPlanePipeline } from '../../src/azure/dataplane/acrPipeline';
import { AcrTokenProvider, MAX_SCOPE_CHARS_PER_TOKEN_REQUEST, type AcrTokenProviderOptions } from '../../src/azure/dataplane/acrTokens';
import { createTransport } from '../../src/azure/http/transport';

const HOST = 'reg.example';
const transport = createTransport({ retry: { maxRetries: 0 } });

interface Claims {
  aud?: string;
  scopes?: string[];
  exp?: number;
  iat?: number;
}

function claimsOf(token: string): Claims {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Claims;
}

function jwt(claims: Record<string, unknown>): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.x`;
}

class FakeRegistry implements HttpClient {
  readonly counts: Record<string, number> = {};
  readonly exchangedAudiences: string[] = [];
  refuseAudience?: string;
  lifetimeSeconds = 3600;
  clock = { now: 1_000_000_000_000 };
  /** Tokens issued before this time (ms) are refused, as after a revocation. */
  revokedBefore = 0;
  /** The scopes of each token request, in order (answered or not). */
  readonly tokenScopes: string[][] = [];
  /** Answer a token request with more than one scope with this status (a registry that takes one scope only). */
  refuseSeveralScopes?: number;
  /** Answer the next token requests with this status, then normally. */
  failTokenRequests: number[] = [];
  private issued = 0;

  /** Revokes every token issued so far; later ones are fine. */
  revokeAllIssued(): void {
    this.revokedBefore = this.clock.now + this.issued + 1;
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    await new Promise((r) => setImmediate(r));
    const url = new URL(request.url);
    const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    // JSON, and saying so, as a registry answers (the client refuses a JSON answer that does not).
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): PipelineResponse => ({
      request,
      status,
      headers: createHttpHeaders({ 'Content-Type': 'application/json; charset=utf-8', ...headers }),
      bodyAsText: JSON.stringify(body),
    });
    const exp = Math.floor(this.clock.now / 1000) + this.lifetimeSeconds;
    const iat = this.clock.now + ++this.issued; // strictly increasing issue times
    if (url.pathname === '/oauth2/exchange') {
      this.count('exchange');
      const aud = claimsOf(form.get('access_token') ?? '').aud ?? '';
      this.exchangedAudiences.push(aud);
      assert.equal(form.get('tenant'), 'tenant-1');
      if (aud === this.refuseAudience) return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'audience not accepted' }] });
      return reply(200, { refresh_token: jwt({ exp, iat, kind: 'refresh' }) });
    }
    if (url.pathname === '/oauth2/token') {
      this.count('token');
      // One `scope` parameter holding a space-separated list (distribution spec, oauth.md).
      assert.ok(form.getAll('scope').length <= 1, 'scopes go in one space-separated scope parameter');
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      this.tokenScopes.push(scopes);
      const failure = this.failTokenRequests.shift();
      if (failure !== undefined) return reply(failure, { errors: [{ code: 'INTERNAL', message: 'injected' }] });
      if (this.refuseSeveralScopes !== undefined && scopes.length > 1) {
        return reply(this.refuseSeveralScopes, { errors: [{ code: 'BAD_REQUEST', message: 'one scope per request' }] });
      }
      if ((claimsOf(form.get('refresh_token') ?? '').iat ?? 0) < this.revokedBefore) {
        return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'refresh token revoked' }] });
      }
      return reply(200, { access_token: jwt({ exp, iat, scopes }) });
    }
    const auth = request.headers.get('Authorization');
    const scope = url.pathname === '/acr/v1/_catalog' ? 'registry:catalog:*' : `repository:${decodeURIComponent(url.pathname.split('/')[3])}:metadata_read`;
    const granted = auth ? claimsOf(auth.replace(/^Bearer /, '')) : undefined;
    if (!granted || !(granted.scopes ?? []).includes(scope) || (granted.exp ?? 0) * 1000 <= this.clock.now || (granted.iat ?? 0) < this.revokedBefore) {
      this.count('challenge');
      return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, {
        'WWW-Authenticate': `Bearer realm="https://${HOST}/oauth2/token",service="${HOST}",scope="${scope}"`,
      });
    }
    this.count('data');
    if (url.pathname === '/acr/v1/_catalog') return reply(200, { repositories: ['a', 'b'] });
    return reply(200, { tags: [{ name: '1', digest: `sha256:${'1'.repeat(64)}`, changeableAttributes: { writeEnabled: true } }] });
  }

  private count(key: string): void {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }
}

function setUp(
  registry: FakeRegistry,
  options: Pick<AcrTokenProviderOptions, 'scopesPerRequest' | 'maxHeldTokens'> & { entraRefuses?: (scope: string) => boolean } = {},
): { client: AcrClient; tokens: AcrTokenProvider; entraCalls: string[] } {
  const entraCalls: string[] = [];
  const { entraRefuses, ...providerOptions } = options;
  const credential: TokenCredential = {
    getToken(scopes: string | string[]): Promise<AccessToken> {
      const scope = Array.isArray(scopes) ? scopes[0] : scopes;
      entraCalls.push(scope);
      if (entraRefuses?.(scope)) {
        return Promise.reject(new Error(`invalid_resource: AADSTS500011: The resource principal named ${scope.replace('/.default', '')} was not found in the tenant named tenant-1. More text.`));
      }
      return Promise.resolve({ token: jwt({ aud: scope.replace('/.default', ''), tid: 'tenant-1' }), expiresOnTimestamp: registry.clock.now + 3_600_000 });
    },
  };
  const tokens = new AcrTokenProvider({
    registryBase: `https://${HOST}`,
    credential,
    cloud: AzurePublicCloud,
    pipeline: createDataPlanePipeline(transport),
    httpClient: registry,
    now: () => registry.clock.now,
    ...providerOptions,
  });
  const client = new AcrClient(HOST, createDataPlanePipeline(transport, { authentication: acrAuthenticationPolicy(tokens) }), registry);
  return { client, tokens, entraCalls };
}

describe('azure/dataplane/acrTokens (in memory)', () => {
  it('reuses one access token per scope across repositories and pages', async () => {
    const registry = new FakeRegistry();
    const { client } = setUp(registry);
    for (let round = 0; round < 3; round++) {
      assert.equal((await client.listTags('a'))?.length, 1);
      assert.equal((await client.listTags('b'))?.length, 1);
    }
    assert.equal(registry.counts['challenge'], 1, 'only the very first request is challenged');
    assert.equal(registry.counts['exchange'], 1);
    assert.equal(registry.counts['token'], 2, 'one token per repository scope');
    assert.equal(registry.counts['data'], 6);
  });

  it('shares one token request among concurrent callers', async () => {
    const registry = new FakeRegistry();
    const { client } = setUp(registry);
    await Promise.all(Array.from({ length: 8 }, () => client.listTags('a')));
    assert.equal(registry.counts['exchange'], 1);
    assert.equal(registry.counts['token'], 1);
  });

  it('falls back to the ARM audience once when the ACR audience is refused, and remembers it', async () => {
    const registry = new FakeRegistry();
    registry.refuseAudience = 'https://containerregistry.azure.net';
    registry.lifetimeSeconds = 100;
    const { client, tokens } = setUp(registry);
    await client.listTags('a');
    assert.deepEqual(registry.exchangedAudiences, ['https://containerregistry.azure.net', 'https://management.azure.com']);
    assert.equal(tokens.exchangeAudience, 'arm');
    registry.clock.now += 95_000; // past the renewal point of the refresh token
    await client.listTags('a');
    assert.deepEqual(registry.exchangedAudiences.slice(2), ['https://management.azure.com']);
  });

  it('when Entra has no registry audience and the registry refuses the ARM one, says both and names the input that fixes it', async () => {
    const registry = new FakeRegistry();
    registry.refuseAudience = 'https://management.azure.com';
    const { client } = setUp(registry, { entraRefuses: (scope) => scope.startsWith('https://containerregistry.azure.net') });
    await assert.rejects(client.listTags('a'), (e: unknown) => {
      const message = (e as Error).message;
      assert.match(message, /^Entra gave no token for the registry audience https:\/\/containerregistry\.azure\.net and the registry refused the Resource Manager one; /);
      assert.match(message, /give it as the registry token audience \(Entra: AADSTS500011: The resource principal named https:\/\/containerregistry\.azure\.net was not found in the tenant named tenant-1\.; registry: /);
      assert.doesNotMatch(message, /More text/, 'Entra’s reason kept to its AADSTS sentence');
      return true;
    });
  });

  it('when Entra refuses both audiences, says that and does not blame the registry', async () => {
    const registry = new FakeRegistry();
    const { client } = setUp(registry, { entraRefuses: () => true });
    await assert.rejects(client.listTags('a'), (e: unknown) => {
      assert.match((e as Error).message, /^getting an Entra token for the registry failed: /);
      assert.doesNotMatch((e as Error).message, /registry refused/);
      return true;
    });
    assert.equal(registry.counts['exchange'] ?? 0, 0);
  });

  it('renews refresh and access tokens before they expire', async () => {
    const registry = new FakeRegistry();
    registry.lifetimeSeconds = 60;
    const { client } = setUp(registry);
    await client.listTags('a');
    registry.clock.now += 30_000; // well within the lifetime: reused
    await client.listTags('a');
    assert.equal(registry.counts['token'], 1);
    registry.clock.now += 20_000; // 50 s of 60: inside the renewal margin (a fifth)
    await client.listTags('a');
    assert.equal(registry.counts['exchange'], 2);
    assert.equal(registry.counts['token'], 2);
    assert.equal(registry.counts['challenge'], 1, 'renewal happens before the registry has to refuse');
  });

  it('on an unexpected 401 drops the held tokens, gets new ones and retries once', async () => {
    const registry = new FakeRegistry();
    const { client } = setUp(registry);
    await client.listTags('a');
    registry.revokeAllIssued();
    assert.equal((await client.listTags('a'))?.length, 1);
    assert.equal(registry.counts['challenge'], 2, 'the revoked access token met one challenge');
    assert.equal(registry.counts['token'], 3, 'first token, refused refresh, new token');
    assert.equal(registry.counts['exchange'], 2, 'the revoked refresh token was exchanged again');
    assert.equal(registry.counts['data'], 2);
  });

  it('does not loop when the registry keeps refusing', async () => {
    const registry = new FakeRegistry();
    const { client } = setUp(registry);
    await client.listTags('a');
    registry.revokedBefore = Number.MAX_SAFE_INTEGER; // nothing is ever accepted again
    await assert.rejects(client.listTags('a'), /HTTP 401/);
    assert.ok((registry.counts['exchange'] ?? 0) <= 3);
  });

  it('refuses a realm on another host', () => {
    const registry = new FakeRegistry();
    const { tokens } = setUp(registry);
    assert.throws(() => tokens.learn({ realm: 'https://evil.example/oauth2/token', service: HOST }), /another host/);
  });
});

describe('azure/dataplane/acrTokens: several repository scopes per request', () => {
  const names = (n: number, prefix = 'r'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
  const scopeOf = (name: string): string => `repository:${name}:metadata_read`;
  /** A provider that knows the challenge already, as after a sign-in. */
  function signedIn(registry: FakeRegistry, options: Parameters<typeof setUp>[1] = {}): ReturnType<typeof setUp> {
    const set = setUp(registry, options);
    set.tokens.learn({ realm: `https://${HOST}/oauth2/token`, service: HOST });
    return set;
  }

  it('asks for the next expected repositories with the first, and for the batch after before the listings get there', async () => {
    const registry = new FakeRegistry();
    const { client, tokens } = signedIn(registry, { scopesPerRequest: 4 });
    const repos = names(10);
    tokens.expectRepositories(repos);
    const sentBefore: number[] = [];
    for (const repo of repos) {
      await new Promise((resolve) => setImmediate(resolve));
      sentBefore.push(registry.tokenScopes.length);
      assert.equal((await client.listTags(repo))?.length, 1);
    }
    // r00 asks for r00–r03 and, one batch ahead, r04–r07; r04 (one batch from the end of what
    // was asked for) asks for r08–r09: every listing after the first batch finds its token
    // asked for before it starts.
    repos.forEach((repo, i) => {
      const request = registry.tokenScopes.findIndex((scopes) => scopes.includes(scopeOf(repo)));
      assert.ok(i < 4 || request < sentBefore[i], `${repo}: request ${request}, ${sentBefore[i]} sent before its listing`);
    });
    assert.deepEqual(registry.tokenScopes, [repos.slice(0, 4), repos.slice(4, 8), repos.slice(8)].map((batch) => batch.map(scopeOf)));
    assert.equal(registry.counts['token'], 3, 'ceil(10 / 4) token requests, not 10');
    assert.equal(registry.counts['challenge'], undefined, 'every listing carried a token that grants it');
    assert.equal(registry.counts['data'], 10);
  });

  it('concurrent listings of any scope of a request in flight wait for that one request', async () => {
    const registry = new FakeRegistry();
    const { client, tokens } = signedIn(registry);
    const repos = names(8);
    tokens.expectRepositories(repos);
    await Promise.all(repos.map((repo) => client.listTags(repo)));
    assert.deepEqual(registry.tokenScopes, [repos.map(scopeOf)]);
    assert.equal(registry.counts['data'], 8);
  });

  it('skips repositories that hold a token or have a request in flight, and asks for a scope behind the list alone', async () => {
    const registry = new FakeRegistry();
    const { client, tokens } = signedIn(registry, { scopesPerRequest: 4 });
    const repos = names(8);
    await client.listTags('r02'); // before any hint: its own scope only
    tokens.expectRepositories(repos);
    await client.listTags('r00');
    for (const repo of repos) await client.listTags(repo);
    await client.listTags('elsewhere'); // not expected: alone
    assert.deepEqual(registry.tokenScopes, [['r02'], ['r00', 'r01', 'r03', 'r04'], ['r05', 'r06', 'r07'], ['elsewhere']].map((b) => b.map(scopeOf)));
  });

  it('keeps a request within the scope-length limit', async () => {
    const registry = new FakeRegistry();
    const { client, tokens } = signedIn(registry);
    const repos = names(20, `long-${'x'.repeat(192)}-`); // 200-character names, 225-character scopes
    tokens.expectRepositories(repos);
    await client.listTags(repos[0]);
    const [first] = registry.tokenScopes;
    assert.equal(first.join(' ').length <= MAX_SCOPE_CHARS_PER_TOKEN_REQUEST, true);
    assert.equal(first.length, 9, '9 × 225 + 8 separators fit in 2048');
  });

  it('holds at most maxHeldTokens access tokens, dropping the least recently used', async () => {
    const registry = new FakeRegistry();
    const { client, tokens } = signedIn(registry, { scopesPerRequest: 4, maxHeldTokens: 12 });
    const repos = names(40);
    tokens.expectRepositories(repos);
    for (const repo of repos) {
      await client.listTags(repo);
      assert.ok(tokens.heldAccessTokens <= 12, `${tokens.heldAccessTokens} tokens held`);
    }
    assert.equal(registry.counts['token'], 10, 'the bound costs the batches nothing: each scope asked for once');
    const before = registry.counts['token'];
    await client.listTags('r39'); // recently used: still held
    assert.equal(registry.counts['token'], before);
    await client.listTags('r00'); // long since dropped: asked for again, alone (behind the list)
    assert.equal(registry.counts['token'], before + 1);
    assert.deepEqual(registry.tokenScopes.at(-1), [scopeOf('r00')]);
    assert.equal(registry.counts['challenge'], undefined);
  });

  it('renews a batched token before it expires, like any other', async () => {
    const registry = new FakeRegistry();
    registry.lifetimeSeconds = 60;
    const { client, tokens } = signedIn(registry, { scopesPerRequest: 4 });
    const repos = names(12);
    tokens.expectRepositories(repos);
    await client.listTags('r00'); // r00–r03, and r04–r07 ahead
    registry.clock.now += 30_000;
    await client.listTags('r01'); // rode along in the first request, still valid
    assert.equal(registry.counts['token'], 2);
    registry.clock.now += 20_000; // 50 s of 60: inside the renewal margin
    await client.listTags('r02');
    assert.equal(registry.counts['token'], 3);
    // r02 is behind the frontier of the list: it brings the next repositories not asked for yet.
    assert.deepEqual(registry.tokenScopes[2], ['r02', 'r08', 'r09', 'r10'].map(scopeOf));
    assert.equal(registry.counts['challenge'], undefined, 'renewed before the registry had to refuse');
  });

  it('a failed request fails its own scope; scopes that rode along ask again in their own name', async () => {
    const registry = new FakeRegistry();
    const { client, tokens } = signedIn(registry, { scopesPerRequest: 4 });
    tokens.expectRepositories(names(4));
    registry.failTokenRequests = [503];
    const [first, second] = await Promise.allSettled([client.listTags('r00'), client.listTags('r01')]);
    assert.equal(first.status, 'rejected');
    assert.match(String(first.reason), /getting a registry token for repository:r00:metadata_read and 3 more scopes failed \(HTTP 503\)/);
    assert.equal(second.status, 'fulfilled');
    assert.deepEqual(registry.tokenScopes, [names(4).map(scopeOf), [scopeOf('r01')]]);
  });

  for (const status of [400, 401]) {
    it(`falls back to one scope per request, for good, when the registry refuses several (HTTP ${status})`, async () => {
      const registry = new FakeRegistry();
      registry.refuseSeveralScopes = status;
      const { client, tokens } = signedIn(registry, { scopesPerRequest: 4 });
      const repos = names(6);
      tokens.expectRepositories(repos);
      // Three at once (r01 and r02 ride along in r00's request), then the rest one by one.
      const results = await Promise.all(repos.slice(0, 3).map((repo) => client.listTags(repo)));
      for (const repo of repos.slice(3)) results.push(await client.listTags(repo));
      assert.ok(results.every((tags) => tags?.length === 1), 'every listing worked');
      assert.equal(tokens.batchesScopes, false);
      const several = registry.tokenScopes.filter((scopes) => scopes.length > 1);
      const single = registry.tokenScopes.filter((scopes) => scopes.length === 1);
      // r00's request (r00–r03) and the one ahead (r04–r05), each refused; a 401 is first taken
      // for a revoked refresh token, so each is exchanged for a new one and sent once more.
      assert.equal(several.length, status === 401 ? 4 : 2);
      assert.deepEqual(single.flat().sort(), repos.map(scopeOf), 'then each scope alone, once');
      assert.deepEqual(registry.tokenScopes.slice(-2), [[scopeOf('r03')], [scopeOf('r05')]], 'no several-scope request after the fallback');
      assert.ok((registry.counts['exchange'] ?? 0) <= (status === 401 ? 3 : 1));
      assert.equal(registry.counts['data'], 6);
    });
  }

  it('does not give up batching when the single scope fails too', async () => {
    const registry = new FakeRegistry();
    const { client, tokens } = signedIn(registry, { scopesPerRequest: 4 });
    tokens.expectRepositories(names(4));
    registry.failTokenRequests = [400, 400];
    await assert.rejects(client.listTags('r00'), /HTTP 400/);
    assert.equal(tokens.batchesScopes, true, 'the refusal was not about several scopes');
    assert.deepEqual(registry.tokenScopes, [names(4).map(scopeOf), [scopeOf('r00')]]);
  });
});
