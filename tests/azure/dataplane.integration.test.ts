/**
 * The data-plane reader over HTTPS against the emulator's registries, with a real
 * ClientSecretCredential: paging by Link with n=1000, token reuse per scope (counted in the
 * emulator's log), renewal with short token lifetimes, throttling answered with Retry-After,
 * and the edge answers (empty catalog, NAME_UNKNOWN, locked tags).
 */
import { strict as assert } from 'node:assert';
import { customizeCloud } from '../../src/azure/cloud';
import { createAcrClient } from '../../src/azure/dataplane/acrClient';
import { AcrRequestError } from '../../src/azure/dataplane/acrErrors';
import { AcrAuthenticationError } from '../../src/azure/dataplane/acrTokens';
import { createAcrRegistryReader } from '../../src/azure/dataplane/registryReader';
import { imageTags, principal, startHarness, SUB_A, TENANT, type Harness } from './support/emulatorHarness';

const READER = 'c11e47a1-0000-4000-8000-0000000000c1';
const STRANGER = 'c11e47a1-0000-4000-8000-0000000000c9';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('azure/dataplane reader (emulator)', function () {
  this.timeout(120_000);
  let h: Harness;

  before(async () => {
    const manyRepos: Record<string, Record<string, { content: { kind: 'image'; seed: string } }>> = {};
    for (let i = 0; i < 1203; i++) manyRepos[`repo${String(i).padStart(4, '0')}`] = { v1: { content: { kind: 'image', seed: `r${i}` } } };
    h = await startHarness({
      fixture: {
        principals: [principal(READER, [{ role: 'AcrPull', scope: `/subscriptions/${SUB_A}` }]), principal(STRANGER, [])],
        subscriptions: [
          {
            id: SUB_A,
            tenantId: TENANT,
            registries: [
              {
                name: 'bigreg',
                resourceGroup: 'rg',
                repositories: {
                  'team/big': imageTags(2345),
                  small: {
                    a: { content: { kind: 'image', seed: 'a' } },
                    locked: { content: { kind: 'helm', seed: 'h', chart: 'c', version: '1.0.0' }, writeEnabled: false },
                  },
                  other: { b: { content: { kind: 'index', seed: 'b', platforms: ['linux/amd64', 'linux/arm64'] } } },
                },
              },
              { name: 'manyreg', resourceGroup: 'rg', repositories: manyRepos },
              { name: 'emptyreg', resourceGroup: 'rg' },
              {
                name: 'indexreg',
                resourceGroup: 'rg',
                repositories: {
                  'multi/arch': {
                    wide: { content: { kind: 'index', seed: 'w', platforms: Array.from({ length: 51 }, (_, i) => `linux/arch${i}`) } },
                    pair: { content: { kind: 'index', seed: 'p', platforms: ['linux/amd64', 'linux/arm64/v8'] } },
                    single: { content: { kind: 'image', seed: 's' } },
                    chart: { content: { kind: 'helm', seed: 'c', chart: 'c', version: '1.0.0' } },
                  },
                },
              },
              { name: 'strictreg', resourceGroup: 'rg', azureADAuthenticationAsArmPolicy: 'disabled', repositories: { app: imageTags(2) } },
            ],
          },
        ],
      },
    });
  });
  after(async () => h?.stop());
  beforeEach(() => h.emulator.log.clear());
  afterEach(() => h.emulator.clearFaults());

  const readerOf = (name: string, clientId = READER) =>
    createAcrRegistryReader(h.emulator.registry(name), h.credentialFor(clientId), h.cloud, h.transport);

  it('lists more than 1000 tags with digests in pages of 1000, one request per page', async () => {
    const tags = await readerOf('bigreg').listTags('team/big');
    assert.ok(tags);
    const expected = h.emulator.registry('bigreg').tags('team/big');
    assert.equal(tags.length, 2345);
    assert.equal(new Set(tags.map((t) => t.name)).size, 2345);
    for (const tag of tags) assert.equal(tag.digest, expected.get(tag.name), tag.name);
    const pages = h.emulator.log.entries().filter((e) => e.route === 'acr.tags' && e.status === 200);
    assert.equal(pages.length, 3);
    for (const page of pages) assert.match(page.url, /[?&]n=1000(&|$)/);
    assert.match(pages[0].url, /^\/acr\/v1\/team%2Fbig\/_tags\?/);
    // Found through ARM, the registry's realm and service are known: not even the first request meets a challenge.
    assert.equal(h.emulator.log.count('acr.tags', 401), 0, 'no request meets a challenge');
  });

  it('streams the catalog page by page, more than 1000 repositories', async () => {
    const names = await all(readerOf('manyreg').listRepositories());
    assert.equal(names.length, 1203);
    assert.deepEqual(names, [...h.emulator.registry('manyreg').repositories()].sort());
    assert.equal(h.emulator.log.count('acr.catalog', 200), 2);
  });

  it('reads an empty registry as no repositories and a missing repository as null', async () => {
    const reader = readerOf('emptyreg');
    assert.deepEqual(await all(reader.listRepositories()), []);
    assert.equal(await reader.listTags('does/not/exist'), null);
  });

  it('reports lock state per tag and reads manifest digests', async () => {
    const reg = h.emulator.registry('bigreg');
    const small = await readerOf('bigreg').listTags('small');
    // Every tag carries its lastUpdateTime as a number (the tag filters read it).
    assert.ok(small?.every((t) => typeof t.lastUpdated === 'number' && t.lastUpdated > 0));
    assert.deepEqual(
      small?.map(({ name, digest, writeEnabled }) => ({ name, digest, writeEnabled })).sort((x, y) => x.name.localeCompare(y.name)),
      [
        { name: 'a', digest: reg.tags('small').get('a'), writeEnabled: true },
        { name: 'locked', digest: reg.tags('small').get('locked'), writeEnabled: false },
      ],
    );
    const client = createAcrClient(reg.loginServer, h.credentialFor(READER), h.cloud, h.transport);
    assert.equal(await client.getManifestDigest('other', 'b'), reg.tags('other').get('b'));
    assert.equal(await client.getManifestDigest('small', 'locked'), reg.tags('small').get('locked'));
    assert.equal(await client.getManifestDigest('small', 'nope'), null);
  });

  it("counts the manifests an index references, 0 for an image or a chart, with the tag listing's token", async () => {
    const reader = readerOf('indexreg');
    const digests = h.emulator.registry('indexreg').tags('multi/arch');
    await reader.listTags('multi/arch');
    const tokens = h.emulator.log.count('acr.token');
    assert.equal(await reader.countReferencedManifests('multi/arch', digests.get('wide')!), 51);
    assert.equal(await reader.countReferencedManifests('multi/arch', digests.get('pair')!), 2);
    assert.equal(await reader.countReferencedManifests('multi/arch', digests.get('single')!), 0);
    assert.equal(await reader.countReferencedManifests('multi/arch', digests.get('chart')!), 0);
    assert.equal(h.emulator.log.count('acr.manifestProperties', 200), 4, 'one request each');
    assert.equal(h.emulator.log.count('acr.manifestProperties', 401), 0, 'no challenge: the metadata_read token was held');
    assert.equal(h.emulator.log.count('acr.token'), tokens, 'no new token');
    const unknown = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(reader.countReferencedManifests('multi/arch', unknown), (e: unknown) => {
      assert.ok(e instanceof AcrRequestError);
      assert.equal(e.status, 404);
      assert.equal(e.code, 'MANIFEST_UNKNOWN');
      assert.equal(e.message, `reading the manifest multi/arch@${unknown} failed (HTTP 404): MANIFEST_UNKNOWN: manifest unknown`);
      return true;
    });
  });

  it("lists a repository's manifest kinds in pages of 1000 with the tag listing's token", async () => {
    const reader = readerOf('indexreg');
    const digests = h.emulator.registry('indexreg').tags('multi/arch');
    await reader.listTags('multi/arch');
    const tokens = h.emulator.log.count('acr.token');
    const kinds = await reader.listManifestKinds('multi/arch');
    assert.deepEqual(
      ['wide', 'pair', 'single', 'chart'].map((tag) => kinds.get(digests.get(tag)!)),
      ['index', 'index', 'single', 'single'],
    );
    // Untagged index children are listed too: 51 + 2 of them.
    assert.equal(kinds.size, h.emulator.registry('indexreg').manifestMediaTypes('multi/arch').size);
    assert.equal(kinds.size, 4 + 53);
    assert.equal(h.emulator.log.count('acr.manifests', 200), 1);
    assert.equal(h.emulator.log.count('acr.manifests', 401), 0, 'no challenge: the metadata_read token was held');
    assert.equal(h.emulator.log.count('acr.token'), tokens, 'no new token');
    // Asked about some digests only: the same listing, a map of those.
    const only = await reader.listManifestKinds('multi/arch', undefined, new Set([digests.get('wide')!, digests.get('single')!, 'sha256:absent']));
    assert.deepEqual([...only].sort(), [[digests.get('wide')!, 'index'], [digests.get('single')!, 'single']].sort());

    h.emulator.log.clear();
    const big = await readerOf('bigreg').listManifestKinds('team/big');
    assert.equal(big.size, 2345);
    assert.ok([...big.values()].every((kind) => kind === 'single'));
    const pages = h.emulator.log.entries().filter((e) => e.route === 'acr.manifests' && e.status === 200);
    assert.equal(pages.length, 3, 'followed by Link');
    assert.match(pages[0].url, /^\/acr\/v1\/team%2Fbig\/_manifests\?n=1000$/);

    await assert.rejects(reader.listManifestKinds('does/not/exist'), (e: unknown) => {
      assert.ok(e instanceof AcrRequestError);
      assert.equal(e.status, 404);
      assert.equal(e.code, 'NAME_UNKNOWN');
      assert.match(e.message, /^listing the manifests of does\/not\/exist failed \(HTTP 404\)/);
      return true;
    });
  });

  it('names the missing role when the registry refuses a read', async () => {
    h.emulator.addFault({ route: 'acr.tags', kind: 'status', status: 403, body: { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] } });
    await assert.rejects(readerOf('bigreg').listTags('small'), (e: unknown) => {
      assert.ok(e instanceof AcrRequestError);
      assert.equal(
        e.message,
        'listing the tags of small failed (HTTP 403): DENIED: requested access to the resource is denied; the identity needs AcrPull (or Reader) on the registry to read it',
      );
      return true;
    });
  });

  it('reuses one access token per scope and one refresh token per registry', async () => {
    const reader = readerOf('bigreg');
    await all(reader.listRepositories());
    for (let round = 0; round < 3; round++) {
      await reader.listTags('small');
      await reader.listTags('other');
    }
    await Promise.all([reader.listTags('small'), reader.listTags('other'), reader.listTags('small')]);
    const log = h.emulator.log;
    assert.equal(log.count('acr.exchange'), 1, 'one exchange for the registry');
    assert.equal(log.count('acr.token'), 3, 'catalog, small, other');
    assert.equal(log.count('acr.catalog', 401) + log.count('acr.tags', 401), 0, 'no challenge in all (the challenge of an ACR is known)');
  });

  it('renews tokens that expire during a run', async () => {
    h.emulator.setTokenLifetimeSeconds(3);
    try {
      const reader = readerOf('bigreg');
      await reader.listTags('small');
      await new Promise((r) => setTimeout(r, 3500));
      assert.equal((await reader.listTags('small'))?.length, 2);
      assert.ok(h.emulator.log.count('acr.exchange') >= 2, 'a new refresh token after expiry');
      assert.ok(h.emulator.log.count('acr.token') >= 2, 'a new access token after expiry');
      assert.ok(h.emulator.log.count('entra.token') >= 2, 'the credential renewed the Entra token');
      assert.equal(h.emulator.log.count('acr.tags', 200), 2);
    } finally {
      h.emulator.setTokenLifetimeSeconds(3600);
    }
  });

  for (const route of ['acr.catalog', 'acr.tags'] as const) {
    it(`waits out a 429 with Retry-After on ${route}`, async () => {
      h.emulator.addFault({ route, kind: 'status', status: 429, retryAfterSeconds: 1, body: { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] } });
      const reader = readerOf('bigreg');
      const started = Date.now();
      if (route === 'acr.catalog') assert.ok((await all(reader.listRepositories())).includes('small'));
      else assert.equal((await reader.listTags('small'))?.length, 2);
      assert.equal(h.emulator.log.count(route, 429), 1);
      assert.equal(h.emulator.log.count(route, 200), 1);
      assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
    });
  }

  it('gives up on a persistent failure with one redacted line naming the call', async () => {
    h.emulator.addFault({ route: 'acr.tags', kind: 'status', status: 400, times: Infinity, body: { errors: [{ code: 'DENIED', message: `no access for ${TENANT}` }] } });
    await assert.rejects(readerOf('bigreg').listTags('small'), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, 'listing the tags of small failed (HTTP 400): DENIED: no access for [redacted-id]');
      return true;
    });
  });

  it('uses the ACR audience, which registries that refuse ARM-audience tokens accept', async () => {
    const tags = await readerOf('strictreg').listTags('app');
    assert.equal(tags?.length, 2);
  });

  it('falls back to the ARM audience when the ACR audience is not known', async () => {
    const cloud = customizeCloud(h.cloud, { acrAudience: 'https://unknown-audience.example' });
    const client = createAcrClient(h.emulator.registry('bigreg').loginServer, h.credentialFor(READER), cloud, h.transport);
    assert.equal((await client.listTags('small'))?.length, 2);
    // …and that is no way into a registry that refuses ARM-audience tokens.
    const strict = createAcrClient(h.emulator.registry('strictreg').loginServer, h.credentialFor(READER), cloud, h.transport);
    await assert.rejects(strict.listTags('app'), (e: unknown) => e instanceof AcrAuthenticationError && !/eyJ/.test(e.message));
  });

  it('refuses a principal without access in one line without tokens', async () => {
    await assert.rejects(readerOf('bigreg', STRANGER).listTags('small'), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.doesNotMatch(e.message, /eyJ|Bearer [A-Za-z0-9]/);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
  });
});
