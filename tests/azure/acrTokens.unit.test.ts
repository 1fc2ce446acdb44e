/**
 * The registry token logic against an in-memory registry (no sockets): reuse per scope,
 * one shared request for concurrent callers, audience fallback remembered, renewal by exp.
 * The same behaviour is checked over HTTPS against the emulator in dataplane.integration.
 */
import { strict as assert } from 'node:assert';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { AzurePublicCloud } from '../../src/azure/cloud';
import { acrAuthenticationPolicy } from '../../src/azure/dataplane/acrAuthPolicy';
import { AcrClient } from '../../src/azure/dataplane/acrClient';
import { createDataPlanePipeline } from '../../src/azure/dataplane/acrPipeline';
import { AcrTokenProvider } from '../../src/azure/dataplane/acrTokens';
import { createTransport } from '../../src/azure/transport';

const HOST = 'reg.example';
const transport = createTransport({ retry: { maxRetries: 0 } });

interface Claims {
  aud?: string;
  scope?: string;
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
  private issued = 0;

  /** Revokes every token issued so far; later ones are fine. */
  revokeAllIssued(): void {
    this.revokedBefore = this.clock.now + this.issued + 1;
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    await new Promise((r) => setImmediate(r));
    const url = new URL(request.url);
    const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): PipelineResponse => ({
      request,
      status,
      headers: createHttpHeaders(headers),
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
      if ((claimsOf(form.get('refresh_token') ?? '').iat ?? 0) < this.revokedBefore) {
        return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'refresh token revoked' }] });
      }
      return reply(200, { access_token: jwt({ exp, iat, scope: form.get('scope') }) });
    }
    const auth = request.headers.get('Authorization');
    const scope = url.pathname === '/acr/v1/_catalog' ? 'registry:catalog:*' : `repository:${decodeURIComponent(url.pathname.split('/')[3])}:metadata_read`;
    const granted = auth ? claimsOf(auth.replace(/^Bearer /, '')) : undefined;
    if (!granted || granted.scope !== scope || (granted.exp ?? 0) * 1000 <= this.clock.now || (granted.iat ?? 0) < this.revokedBefore) {
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

function setUp(registry: FakeRegistry): { client: AcrClient; tokens: AcrTokenProvider; entraCalls: string[] } {
  const entraCalls: string[] = [];
  const credential: TokenCredential = {
    getToken(scopes: string | string[]): Promise<AccessToken> {
      const scope = Array.isArray(scopes) ? scopes[0] : scopes;
      entraCalls.push(scope);
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
