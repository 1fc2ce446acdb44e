/**
 * Docker Hub's personality (`flavour: 'dockerHub'`): no catalog, no ACR API, pull rate limits
 * with their headers — GET counts, HEAD does not — and 429 once spent; importImage reads from
 * it over HTTPS as from any registry that is not an ACR, each pull counted.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { RegistryClient, type RegistryAnswer } from '../../testkit/ociRegistry';
import { failureMessage, importToEnd } from './importRunner';
import { ACCEPT_MANIFESTS, request, sourceAndDstFixture } from './support';

const HUB_USER = { username: 'hubuser', password: 'hub-pw' };

function fixture(): Fixture {
  return sourceAndDstFixture({
    name: 'hub',
    resourceGroup: 'hub-rg',
    flavour: 'dockerHub',
    anonymousPullEnabled: true,
    dockerHubPullLimits: { anonymous: 3, authenticated: 5 },
    tokens: [{ name: 'hubuser', passwords: ['hub-pw'], actions: ['repositories/library/*/content/read', 'repositories/library/*/metadata/read'] }],
    adminUser: { password: 'hub-admin' },
    repositories: {
      'library/nginx': { '1.27': { content: { kind: 'image', seed: 'nginx-1.27' } } },
      'library/redis': { '7': { content: { kind: 'index', seed: 'redis-7', platforms: ['linux/amd64', 'linux/arm64'] } } },
    },
  });
}

const rate = (a: RegistryAnswer): [string, string, string] => [
  String(a.headers['ratelimit-limit']),
  String(a.headers['ratelimit-remaining']),
  String(a.headers['docker-ratelimit-source']),
];

describe('emulator: Docker Hub personality', function () {
  let em: Emulator;
  beforeEach(async () => {
    em = await startEmulator({ fixture: fixture(), importRetryAfterSeconds: 1, importDurationMs: 0 });
  });
  afterEach(() => em.stop());

  const hub = (): string => em.registry('hub').loginServer;

  it('refuses /v2/_catalog to anyone, as registry-1.docker.io does, and has no /acr/v1', async () => {
    for (const credentials of [undefined, HUB_USER, { username: 'hub', password: 'hub-admin' }]) {
      const client = new RegistryClient({ host: hub(), ca: em.caPem, ...(credentials ? { credentials } : {}) });
      const answer = await client.request('GET', '/v2/_catalog');
      assert.equal(answer.status, 401);
      assert.deepEqual(JSON.parse(answer.body.toString()), {
        errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: [{ Type: 'registry', Class: '', Name: 'catalog', Action: '*' }] }],
      });
    }
    assert.equal((await request(em.caPem, `https://${hub()}/acr/v1/_catalog`)).status, 404);
    assert.equal((await request(em.caPem, `https://${hub()}/acr/v1/library%2Fnginx/_tags`)).status, 404);
  });

  it('counts a manifest GET as a pull and a HEAD not, with the rate-limit headers, then answers 429 TOOMANYREQUESTS', async () => {
    const anonymous = new RegistryClient({ host: hub(), ca: em.caPem });
    const manifest = (method: string): Promise<RegistryAnswer> => anonymous.request(method, '/v2/library/nginx/manifests/1.27', { headers: { accept: ACCEPT_MANIFESTS } });
    assert.deepEqual(rate(await manifest('HEAD')), ['3;w=21600', '3;w=21600', '127.0.0.1']);
    assert.deepEqual(rate(await manifest('HEAD')), ['3;w=21600', '3;w=21600', '127.0.0.1']);
    for (const left of [2, 1, 0]) {
      const got = await manifest('GET');
      assert.equal(got.status, 200);
      assert.equal(rate(got)[1], `${left};w=21600`);
    }
    const spent = await manifest('GET');
    assert.equal(spent.status, 429);
    const error = (JSON.parse(spent.body.toString()) as { errors: { code: string; message: string }[] }).errors[0];
    assert.equal(error?.code, 'TOOMANYREQUESTS');
    assert.match(error?.message ?? '', /^You have reached your pull rate limit\./);
    assert.ok(Number(spent.headers['retry-after']) > 0 && Number(spent.headers['retry-after']) <= 21600);
    // HEAD still answers when the allowance is spent: checking costs nothing.
    const head = await manifest('HEAD');
    assert.equal(head.status, 200);
    assert.equal(rate(head)[1], '0;w=21600');
    // A signed-in user has an allowance of its own.
    const user = new RegistryClient({ host: hub(), ca: em.caPem, credentials: HUB_USER });
    const own = await user.request('GET', '/v2/library/nginx/manifests/1.27', { headers: { accept: ACCEPT_MANIFESTS } });
    assert.equal(own.status, 200);
    assert.deepEqual(rate(own), ['5;w=21600', '4;w=21600', 'hubuser']);
  });

  it('importImage reads from it over HTTPS, each manifest a pull, and fails in its words once the allowance is spent', async () => {
    const done = await importToEnd(em, { source: { registryUri: hub(), sourceImage: 'library/redis:7' }, targetTags: ['redis:7'] });
    assert.equal(done.status, 200, done.text);
    assert.equal(em.registry('dst').tags('redis').get('7'), em.registry('hub').tags('library/redis').get('7'));
    const pulls = em.remoteReads().filter((r) => r.path.startsWith('/v2/library/redis/manifests/') && r.status === 200);
    assert.equal(pulls.length, 3, 'the index and its two children');
    const anonymous = new RegistryClient({ host: hub(), ca: em.caPem });
    const head = await anonymous.request('HEAD', '/v2/library/nginx/manifests/1.27', { headers: { accept: ACCEPT_MANIFESTS } });
    assert.equal(rate(head)[1], '0;w=21600', 'the import spent the anonymous allowance');
    const spent = await importToEnd(em, { source: { registryUri: hub(), sourceImage: 'library/nginx:1.27' }, targetTags: ['nginx:1.27'] });
    assert.equal(spent.status, 400);
    assert.match(failureMessage(spent), /Invalid message TooManyRequests TooManyRequests .*TOOMANYREQUESTS/);
    // Signed in, the import pulls on the user's allowance.
    const signedIn = await importToEnd(em, { source: { registryUri: hub(), sourceImage: 'library/nginx:1.27', credentials: HUB_USER }, targetTags: ['nginx:1.27'] });
    assert.equal(signedIn.status, 200, signedIn.text);
  });
});
