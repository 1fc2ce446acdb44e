/**
 * The OCI reader against the emulator's Docker Hub personality (`flavour: 'dockerHub'`): no
 * catalog for anyone, pull rate limits announced on every manifest answer (a GET counts, a HEAD
 * does not), 429 with the rest of the six-hour window once spent; signed in with a
 * repository-scoped token (Basic credentials to the token realm) the allowance is the larger one.
 */
import { strict as assert } from 'node:assert';
import { CatalogUnavailable, SourceRateLimited } from '../../../src/azure/oci/errors';
import { createOciRegistryReader, type OciRegistryReader } from '../../../src/azure/oci/ociReader';
import type { RegistryCredentials } from '../../../src/azure/oci/sourceAddress';
import { ownedInSubA, startHarness, type Harness } from '../support/emulatorHarness';

const OWNER = 'c11e47a1-0000-4000-8000-0000000000e2';
const HUB_USER: RegistryCredentials = { username: 'hubuser', password: 'hub-token-password-1' };

describe('azure/oci: the OCI reader against a Docker Hub-like registry (emulator)', function () {
  this.timeout(30_000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({
      fixture: ownedInSubA(OWNER, [
        {
          name: 'hub',
          resourceGroup: 'hub-rg',
          flavour: 'dockerHub',
          anonymousPullEnabled: true,
          dockerHubPullLimits: { anonymous: 2, authenticated: 5 },
          tokens: [{ name: HUB_USER.username, passwords: [HUB_USER.password], actions: ['repositories/library/*/content/read', 'repositories/library/*/metadata/read'] }],
          repositories: {
            'library/nginx': { '1.27': { content: { kind: 'image', seed: 'nginx-1.27' } }, latest: { content: { kind: 'image', seed: 'nginx-1.27' } } },
            'library/redis': { '7': { content: { kind: 'index', seed: 'redis-7', platforms: ['linux/amd64', 'linux/arm64'] } } },
          },
        },
      ]),
    });
  });
  afterEach(async () => h?.stop());

  const hub = () => h.emulator.registry('hub');
  const reader = (credentials?: RegistryCredentials): OciRegistryReader =>
    createOciRegistryReader({ host: hub().loginServer, ...(credentials ? { credentials } : {}) }, h.transport);

  it('has no catalog, signed in or not', async () => {
    for (const oci of [reader(), reader(HUB_USER)]) {
      await assert.rejects(
        (async () => {
          for await (const name of oci.listRepositories()) assert.fail(`listed ${name}`);
        })(),
        CatalogUnavailable,
      );
    }
  });

  it('reads tags by HEAD without spending the allowance, and reports what is left', async () => {
    const oci = reader();
    const tags = await oci.listTags('library/nginx');
    assert.deepEqual(tags?.map((t) => [t.name, t.digest]), [...hub().tags('library/nginx')]);
    assert.deepEqual(oci.allowance(), { remaining: 2, limit: 2, windowSeconds: 21600 });
  });

  it('spends one pull per manifest GET, and stops with SourceRateLimited instead of waiting out the window', async () => {
    const oci = reader();
    const redis = hub().tags('library/redis').get('7')!;
    assert.equal(await oci.countReferencedManifests!('library/redis', redis), 2);
    assert.deepEqual(oci.allowance(), { remaining: 1, limit: 2, windowSeconds: 21600 });
    assert.equal(await oci.countReferencedManifests!('library/redis', redis), 2);
    const before = h.transport.counter.snapshot();
    await assert.rejects(oci.countReferencedManifests!('library/redis', redis), (e: unknown) => {
      assert.ok(e instanceof SourceRateLimited, String(e));
      assert.ok(e.retryAfterSeconds > 21_000, String(e.retryAfterSeconds));
      assert.match(e.message, /allowance: 0 of 2 per 21600 s/);
      return true;
    });
    const after = h.transport.counter.snapshot();
    assert.deepEqual([after.requests - before.requests, after.throttled - before.throttled], [1, 1], 'one 429, counted, not retried');
    assert.deepEqual(oci.allowance(), { remaining: 0, limit: 2, windowSeconds: 21600 });
  });

  it("signs in with a repository-scoped token at the registry's realm and gets the signed-in allowance", async () => {
    const oci = reader(HUB_USER);
    assert.equal((await oci.listTags('library/redis'))?.length, 1);
    assert.deepEqual(oci.allowance(), { remaining: 5, limit: 5, windowSeconds: 21600 });
    const tokenRequests = h.emulator.log.entries().filter((e) => e.service === 'acr:hub' && e.route === 'acr.token');
    assert.ok(tokenRequests.length > 0 && tokenRequests.every((e) => e.method === 'GET' && e.status === 200));
  });
});
