/**
 * The OCI reader's sign-in as registries other than distribution and ACR do it: a registry
 * scripted like Docker Hub (Bearer challenge, token realm on another port of the same address
 * answering `access_token`, no catalog, rate-limit headers, a HEAD without Docker-Content-Digest)
 * and one asking for Basic auth on itself. Asserted on what reached the registry and the realm:
 * the credentials only as Basic auth to the realm, only the token to the registry, nothing at
 * all to a realm the rule refuses.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { createTlsMaterial, type TlsMaterial } from '../../../testkit/emulator/ca';
import { createDataPlanePipeline } from '../../../src/azure/dataplane/acrPipeline';
import { createTransport, type Transport } from '../../../src/azure/http/transport';
import { CatalogUnavailable, RealmRefused, SourceUnauthorized } from '../../../src/azure/oci/errors';
import { OciAuth } from '../../../src/azure/oci/ociAuth';
import { createOciRegistryReader, type OciRegistryReader } from '../../../src/azure/oci/ociReader';
import type { RegistryCredentials } from '../../../src/azure/oci/sourceAddress';
import { startConnectProxy } from '../../support/connectProxy';
import { startScriptedServer, type Answer, type ScriptedServer } from './scriptedServer';

const USER: RegistryCredentials = { username: 'hub-user', password: 'dckr_pat_not-a-real-one' };
const BASIC = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MANIFEST_BODY = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] });
const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('azure/oci: challenges, tokens and where credentials go', function () {
  this.timeout(30_000);
  let tls: TlsMaterial;
  let transport: Transport;
  let realm: ScriptedServer;
  let registry: ScriptedServer;
  /** The realm URL the registry's challenge names; each test may point it elsewhere. */
  let realmUrl: string;
  /** Tokens the realm handed out, with the scopes each grants. */
  const granted = new Map<string, string[]>();
  let digestHeader: string | undefined;
  /** What `ratelimit-remaining` says now (others' pulls spend it). */
  let remaining = 76;

  before(async () => {
    tls = await createTlsMaterial();
    realm = await startScriptedServer(tls, (request, url): Answer => {
      const authorization = request.headers.authorization;
      if (authorization !== undefined && authorization !== BASIC) return { status: 401, body: { details: 'incorrect username or password' } };
      const token = `tok-${granted.size + 1}`;
      granted.set(token, url.searchParams.getAll('scope'));
      return { status: 200, body: { access_token: token, expires_in: 300 } };
    });
    registry = await startScriptedServer(tls, (request, url): Answer => {
      const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
      const scopes = token === undefined ? undefined : granted.get(token);
      const challenge = (scope?: string): Answer => ({
        status: 401,
        headers: { 'www-authenticate': `Bearer realm="${realmUrl}",service="registry.test"${scope ? `,scope="${scope}"` : ''}` },
        body: { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
      });
      if (url.pathname === '/v2/') return scopes ? { status: 200, body: {} } : challenge();
      // Docker Hub: no catalog for anyone, token or not.
      if (url.pathname === '/v2/_catalog') return challenge('registry:catalog:*');
      const call = /^\/v2\/(.+)\/(tags\/list|manifests\/([^/]+))$/.exec(url.pathname);
      if (!call) return { status: 404, body: { errors: [{ code: 'NOT_FOUND', message: 'no route' }] } };
      const scope = `repository:${call[1]}:pull`;
      if (!scopes?.includes(scope)) return challenge(scope);
      const limits = { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': `${remaining};w=21600` };
      if (call[2] === 'tags/list') return { status: 200, body: { name: call[1], tags: ['1.27', 'latest', 'gone', 'nodigest'] } };
      const tag = call[3];
      if (tag === 'gone') return { status: 404, body: { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] } };
      const digest: Record<string, string> = tag === 'nodigest' ? {} : { 'docker-content-digest': digestHeader ?? (tag === '1.27' ? D('a') : D('b')) };
      return { status: 200, headers: { 'content-type': OCI_MANIFEST, ...limits, ...digest }, body: MANIFEST_BODY };
    });
  });
  after(async () => {
    await registry?.stop();
    await realm?.stop();
  });
  beforeEach(() => {
    transport = createTransport({ version: 'test', caPem: tls.caPem, retry: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 100 } });
    realmUrl = `https://${realm.host}/token`;
    registry.arrived.length = 0;
    realm.arrived.length = 0;
    digestHeader = undefined;
    remaining = 76;
  });

  const reader = (credentials?: RegistryCredentials): OciRegistryReader =>
    createOciRegistryReader({ host: registry.host, ...(credentials ? { credentials } : {}) }, transport);

  it('gets one token for the repository scope from the realm with Basic credentials, and sends the registry only that token', async () => {
    const oci = reader(USER);
    const tags = await oci.listTags('library/nginx');
    assert.deepEqual(tags?.map((t) => [t.name, t.digest]), [['1.27', D('a')], ['latest', D('b')], ['nodigest', digestOf(MANIFEST_BODY)]]);
    assert.deepEqual(realm.arrived.map((r) => [r.method, new URL(r.url, 'https://x').searchParams.getAll('scope'), new URL(r.url, 'https://x').searchParams.get('service')]), [
      ['GET', ['repository:library/nginx:pull'], 'registry.test'],
    ]);
    assert.ok(realm.arrived.every((r) => r.authorization === BASIC), 'the credentials, as Basic auth, to the realm');
    assert.ok(registry.arrived.every((r) => r.authorization === undefined || r.authorization === 'Bearer tok-1'), 'the registry sees the token or nothing');
    // The listing bare then with the token, four HEADs (one a 404), one GET for the digest the HEAD left out.
    assert.deepEqual(registry.arrived.map((r) => `${r.method} ${r.url.split('?')[0]}`), [
      'GET /v2/library/nginx/tags/list',
      'GET /v2/library/nginx/tags/list',
      ...['1.27', 'latest', 'gone', 'nodigest'].map((t) => `HEAD /v2/library/nginx/manifests/${t}`),
      'GET /v2/library/nginx/manifests/nodigest',
    ]);
  });

  it("goes through the transport's proxy, to the registry and its realm alike, and is counted", async () => {
    const proxy = await startConnectProxy();
    try {
      const proxied = createTransport({ version: 'test', caPem: tls.caPem, retry: { maxRetries: 0 }, proxyFor: () => new URL(proxy.url) });
      const oci = createOciRegistryReader({ host: registry.host, credentials: USER }, proxied);
      assert.equal((await oci.listTags('library/nginx'))?.length, 3);
      assert.ok((proxy.tunnels.get(registry.host) ?? 0) > 0, 'the registry through the proxy');
      assert.ok((proxy.tunnels.get(realm.host) ?? 0) > 0, 'the realm through the proxy');
      // Listing twice (challenge), the token, four HEADs, the GET of the digest the HEAD left out.
      assert.equal(proxied.counter.snapshot().requests, 8);
    } finally {
      await proxy.stop();
    }
  });

  it('stops at the abort signal of its options, sending nothing once it has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const oci = createOciRegistryReader({ host: registry.host, credentials: USER }, transport, { signal: controller.signal });
    await assert.rejects(oci.listTags('library/nginx'), (e: unknown) => (e as Error).name === 'AbortError');
    assert.equal(registry.arrived.length + realm.arrived.length, 0);
  });

  it('keeps the allowance the registry announced', async () => {
    const oci = reader();
    assert.equal(oci.allowance(), undefined, 'none before the registry said anything');
    await oci.listTags('library/nginx');
    assert.deepEqual(oci.allowance(), { remaining: 76, limit: 100, windowSeconds: 21600 });
  });

  it('asks for the allowance again with one HEAD of a manifest it found, after others (the imports) pulled', async () => {
    const oci = reader(USER);
    assert.equal(await oci.currentAllowance(), undefined, 'nothing read, nothing announced: nothing asked');
    assert.equal(registry.arrived.length, 0);
    await oci.listTags('library/nginx');
    const before = registry.arrived.length;
    remaining = 70;
    assert.deepEqual(await oci.currentAllowance(), { remaining: 70, limit: 100, windowSeconds: 21600 });
    assert.deepEqual(registry.arrived.slice(before).map((r) => `${r.method} ${decodeURIComponent(r.url)}`), [`HEAD /v2/library/nginx/manifests/${D('a')}`]);
  });

  it('reads the catalog as unavailable when the registry refuses it even with a token (Docker Hub)', async () => {
    const oci = reader();
    await assert.rejects(
      (async () => {
        for await (const name of oci.listRepositories()) assert.fail(`listed ${name}`);
      })(),
      (e: unknown) =>
        e instanceof CatalogUnavailable &&
        e.host === registry.host &&
        e.message === `the registry ${registry.host} offers no repository catalog: name the repositories with --repository or --repository-list`,
    );
  });

  it('refuses a realm on another host before sending it anything, and names no secret', async () => {
    realmUrl = `https://localhost:${realm.host.split(':')[1]}/token`;
    await assert.rejects(reader(USER).listTags('library/nginx'), (e: unknown) => {
      assert.ok(e instanceof RealmRefused, String(e));
      assert.equal(e.realmHost, realmUrl.slice('https://'.length, realmUrl.indexOf('/token')));
      assert.ok(!e.message.includes(USER.password));
      return true;
    });
    assert.equal(realm.arrived.length, 0, 'no request to the refused realm');
  });

  it('refuses a realm that is not HTTPS, with or without credentials', async () => {
    realmUrl = `http://${realm.host}/token`;
    await assert.rejects(reader().listTags('library/nginx'), RealmRefused);
    await assert.rejects(reader(USER).listTags('library/nginx'), RealmRefused);
    assert.equal(realm.arrived.length, 0);
  });

  it('turns a realm refusing the credentials into SourceUnauthorized, without the password', async () => {
    const wrong = { username: USER.username, password: 'wrong-password-123' };
    await assert.rejects(reader(wrong).listTags('library/nginx'), (e: unknown) => e instanceof SourceUnauthorized && !e.anonymous && !e.message.includes(wrong.password));
  });

  it('refuses a digest that is not sha256:<64 hex>', async () => {
    digestHeader = 'md5:0123';
    await assert.rejects(reader().listTags('library/nginx'), /not sha256:<64 hex>/);
  });

  it('keeps a token for its lifetime and asks again shortly before it ends', async () => {
    let now = 1_000_000;
    const auth = new OciAuth({
      apiHost: registry.host,
      displayHost: registry.host,
      credentials: USER,
      pipeline: createDataPlanePipeline(transport),
      httpClient: createDefaultHttpClient(),
      now: () => now,
    });
    assert.equal(auth.learn(`Bearer realm="${realmUrl}",service="registry.test"`, { kind: 'root' }), '');
    const first = await auth.authorization('repository:a:pull');
    assert.equal(await auth.authorization('repository:a:pull'), first);
    now += 269_000; // expires_in 300 s, renewed 30 s early
    assert.equal(await auth.authorization('repository:a:pull'), first);
    now += 2_000;
    assert.notEqual(await auth.authorization('repository:a:pull'), first);
    assert.equal(auth.tokenRequests, 2);
  });

  describe('a registry asking for Basic auth on itself', () => {
    let basic: ScriptedServer;
    before(async () => {
      basic = await startScriptedServer(tls, (request, url): Answer => {
        if (request.headers.authorization !== BASIC) return { status: 401, headers: { 'www-authenticate': 'Basic realm="Registry Realm"' }, body: { errors: [{ code: 'UNAUTHORIZED' }] } };
        if (url.pathname === '/v2/app/tags/list') return { status: 200, body: { name: 'app', tags: ['v1'] } };
        if (url.pathname === '/v2/app/manifests/v1') return { status: 200, headers: { 'docker-content-digest': D('c'), 'content-type': OCI_MANIFEST } };
        return { status: 404, body: { errors: [{ code: 'NAME_UNKNOWN' }] } };
      });
    });
    after(() => basic?.stop());

    it('sends the credentials to it once challenged, and then up front', async () => {
      const oci = createOciRegistryReader({ host: basic.host, credentials: USER }, transport);
      assert.deepEqual(await oci.listTags('app'), [{ name: 'v1', digest: D('c'), writeEnabled: true, lastUpdated: undefined }]);
      assert.deepEqual(basic.arrived.map((r) => r.authorization ?? 'none'), ['none', BASIC, BASIC]);
      assert.equal(await oci.listTags('nope'), null);
    });

    it('is SourceUnauthorized to an anonymous reader', async () => {
      const oci = createOciRegistryReader({ host: basic.host }, transport);
      await assert.rejects(oci.listTags('app'), (e: unknown) => e instanceof SourceUnauthorized && e.anonymous);
    });
  });
});
