/**
 * Asking the pipeline for ID tokens (System.OidcRequestUri), against the emulator's OIDC
 * endpoint over HTTPS: the request Microsoft's tasks make, masking, the short reuse that
 * absorbs @azure/identity's double callback, and refusals as one line.
 */
import { strict as assert } from 'node:assert';
import { createTransport, type Transport } from '../../../src/azure';
import { startEmulator, type Emulator } from '../../../testkit/emulator';
import { ConnectionError } from '../../../src/task/connections/connectionError';
import { jwtExpiresOnMs as jwtExpiryMs } from '../../../src/azure';
import { MIN_REMAINING_MS, PipelineIdTokenSource, REUSE_WINDOW_MS } from '../../../src/task/connections/pipelineIdToken';
import { CONN, WIF_CONNECTION_NAME, makeCertificate, world } from './support/world';

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('task connections: ID tokens from the pipeline', function () {
  let em: Emulator;
  let transport: Transport;
  let clock: number;
  let masked: string[];

  before(async function () {
    em = await startEmulator({ fixture: world(await makeCertificate()) });
    transport = createTransport({ version: 'test', caPem: em.caPem, retry: { maxRetries: 0 } });
  });
  after(() => em.stop());
  beforeEach(function () {
    em.log.clear();
    em.setIdTokenLifetimeSeconds(600);
    clock = Date.now();
    masked = [];
  });

  const source = (overrides: { accessToken?: string; connectionId?: string; requestUri?: string } = {}): PipelineIdTokenSource =>
    new PipelineIdTokenSource({
      settings: { requestUri: overrides.requestUri ?? em.pipeline.oidcRequestUri, accessToken: overrides.accessToken ?? em.pipeline.systemAccessToken },
      connectionId: overrides.connectionId ?? CONN.workload,
      displayName: 'target',
      transport,
      mask: (s) => masked.push(s),
      now: () => clock,
    });

  it('POSTs the job’s OIDC URI with api-version and serviceConnectionId and masks the ID token', async function () {
    const idToken = await source().idToken();
    const [call] = em.log.entries();
    assert.equal(call?.route, 'pipeline.oidcToken');
    assert.equal(call?.method, 'POST');
    const url = new URL(call?.url ?? '', 'https://x');
    assert.equal(url.pathname, new URL(em.pipeline.oidcRequestUri).pathname);
    assert.equal(url.searchParams.get('api-version'), '7.1');
    assert.equal(url.searchParams.get('serviceConnectionId'), CONN.workload);
    assert.deepEqual(masked, [idToken]);
    const c = claims(idToken);
    assert.equal(c.sub, `sc://contoso/acr-transfer/${WIF_CONNECTION_NAME}`);
    assert.equal(c.aud, 'api://AzureADTokenExchange');
    assert.match(String(c.iss), /^https:\/\/vstoken\.dev\.azure\.com\/[0-9a-f-]{36}$/);
    assert.equal(jwtExpiryMs(idToken), Number(c.exp) * 1000);
  });

  it('serves a just-fetched long-lived token again for a few seconds, then asks again', async function () {
    const s = source();
    const [a, b] = await Promise.all([s.idToken(), s.idToken()]);
    assert.equal(a, b, 'concurrent callers share one request');
    clock += REUSE_WINDOW_MS - 1;
    assert.equal(await s.idToken(), a);
    assert.equal(em.log.count('pipeline.oidcToken'), 1);
    clock += 2;
    const c = await s.idToken();
    assert.notEqual(c, a);
    assert.equal(em.log.count('pipeline.oidcToken'), 2);
    assert.deepEqual(masked, [a, c]);
  });

  it('never reuses a token with less than the margin left', async function () {
    em.setIdTokenLifetimeSeconds(Math.floor(MIN_REMAINING_MS / 1000) - 1);
    const s = source();
    const a = await s.idToken();
    const b = await s.idToken();
    assert.notEqual(a, b);
    assert.equal(em.log.count('pipeline.oidcToken'), 2);
  });

  it('reports a refused job token as one line with the status, remembers it, and masks nothing', async function () {
    const s = source({ accessToken: 'stale-job-token' });
    await assert.rejects(s.idToken(), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.key, 'IdTokenRefused');
      assert.equal(e.message, 'Azure DevOps did not issue an ID token for the target service connection: HTTP 401 TF400813: The user is not authorized to access this resource.');
      assert.equal(s.lastFailure(), e);
      return true;
    });
    assert.deepEqual(masked, []);
  });

  it('reports a connection the pipeline does not know without its id', async function () {
    await assert.rejects(source({ connectionId: '00000000-0000-4000-8000-0000000000ff' }).idToken(), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.match(e.message, /HTTP 404 Service connection with id \[redacted-id\] does not exist/);
      return true;
    });
  });

  it('keeps a query the job’s URI already has', function () {
    const url = new URL(source({ requestUri: `${em.pipeline.oidcRequestUri}?x=1` }).requestUrl());
    assert.equal(url.searchParams.get('x'), '1');
    assert.equal(url.searchParams.get('api-version'), '7.1');
  });
});
