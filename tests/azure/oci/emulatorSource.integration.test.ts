/**
 * The OCI reader against an emulated ACR with anonymous pull: to a client with no Azure
 * identity it is a generic OCI registry with a Bearer challenge and a token realm on its own
 * host (`GET /oauth2/token?service=…&scope=…`). Asserted on what the reader returns and on the
 * emulator's request log: how many HEADs, how many token requests, what they asked for.
 */
import { strict as assert } from 'node:assert';
import type { AcrTokenRequestRecord } from '../../../testkit/emulator/api';
import { CatalogUnavailable, SourceUnauthorized } from '../../../src/azure/oci/errors';
import { createOciRegistryReader, type OciRegistryReader, type OciReaderOptions } from '../../../src/azure/oci/ociReader';
import { createTransport } from '../../../src/azure/http/transport';
import { imageTags, ownedInSubA, startHarness, type Harness } from '../support/emulatorHarness';

const OWNER = 'c11e47a1-0000-4000-8000-0000000000e1';
const APP_TOKEN = { username: 'app-reader', password: 'app-reader-password-1' };
const ADMIN = { username: 'private', password: 'admin-password-of-private' };

describe('azure/oci: the OCI reader against an emulated ACR with anonymous pull', function () {
  this.timeout(60_000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({
      fixture: ownedInSubA(OWNER, [
        {
          name: 'public',
          resourceGroup: 'rg',
          anonymousPullEnabled: true,
          repositories: {
            app: {
              ...imageTags(5, 'v'),
              multi: { content: { kind: 'index', seed: 'm', platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'] } },
              list: { content: { kind: 'index', format: 'docker', seed: 'l', platforms: ['linux/amd64', 'linux/arm64'] } },
            },
            'team/tool': { latest: { content: { kind: 'image', seed: 'tool' } } },
            base: { '1': { content: { kind: 'image', format: 'docker', seed: 'b1' } } },
          },
        },
        {
          name: 'private',
          resourceGroup: 'rg',
          // A repository-scoped token that reads `app` only, and the admin user (reads everything).
          tokens: [{ name: 'app-reader', passwords: [APP_TOKEN.password], actions: ['repositories/app/content/read', 'repositories/app/metadata/read'] }],
          adminUser: { password: ADMIN.password },
          repositories: { app: imageTags(2), other: imageTags(1) },
        },
      ]),
    });
  });
  afterEach(async () => h?.stop());

  const registry = (name = 'public') => h.emulator.registry(name);
  const reader = (options: OciReaderOptions = {}, name = 'public'): OciRegistryReader =>
    createOciRegistryReader({ host: registry(name).loginServer }, h.transport, options);
  const service = (name = 'public') => `acr:${name}`;
  const logged = (route: string, method?: string) =>
    h.emulator.log.entries().filter((e) => e.service === service() && e.route === route && (method === undefined || e.method === method));

  /**
   * The emulator logs a request when its answer has been handed over, which may come a moment
   * after the client has read it: wait (at most 2 s) until `count` entries match.
   */
  async function logHas(count: number, matching: () => readonly unknown[]): Promise<void> {
    for (let i = 0; i < 200 && matching().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of items) out.push(item);
    return out;
  }

  it('lists the catalog page by page through Link, with one sign-in and one catalog token', async () => {
    const oci = reader({ pageSize: 2 });
    h.emulator.log.clear();
    assert.deepEqual(await all(oci.listRepositories()), ['app', 'base', 'team/tool']);
    const catalog = logged('acr.catalog');
    assert.deepEqual(catalog.map((e) => e.status), [200, 200], 'two pages, the catalog token asked for before the first (the sign-in learnt the challenge)');
    assert.ok(catalog.every((e) => e.url.startsWith('/v2/_catalog')), 'the distribution catalog, not /acr/v1');
    const tokens = logged('acr.token');
    assert.ok(tokens.every((e) => e.method === 'GET' && e.status === 200));
    assert.deepEqual(tokens.map((e) => (e.body as AcrTokenRequestRecord).scopes), [[], ['registry:catalog:*']]);
  });

  it('lists every tag through Link paging and reads each digest by one HEAD, the Docker list and the OCI index as themselves', async () => {
    const oci = reader({ pageSize: 3 });
    h.emulator.log.clear();
    const tags = await oci.listTags('app');
    const expected = [...registry().tags('app')].sort(([a], [b]) => a.localeCompare(b));
    assert.deepEqual(tags?.map((t) => [t.name, t.digest]), expected);
    assert.ok(tags?.every((t) => t.writeEnabled && t.lastUpdated === undefined));
    await logHas(7, () => logged('acr.manifest', 'HEAD').filter((e) => e.status === 200));
    const pages = logged('acr.tagList').filter((e) => e.status === 200);
    assert.equal(pages.length, 3, '7 tags at 3 a page');
    const heads = logged('acr.manifest', 'HEAD');
    assert.equal(heads.filter((e) => e.status === 200).length, 7, 'one HEAD per tag');
    assert.ok(heads.every((e) => e.status === 200 || e.status === 401), 'no 404 from a missing Accept type');
    // ACR asks metadata_read for tags/list and pull for manifests: one token each, learnt from the challenge.
    // The first listing goes out bare and is challenged for metadata_read (ACR's scope for
    // listing tags); the HEADs then ask for pull up front, one token request shared by all seven.
    assert.deepEqual(logged('acr.tagList').map((e) => e.status), [401, 200, 200, 200]);
    const scopes = logged('acr.token').map((e) => (e.body as AcrTokenRequestRecord).scopes.join(' '));
    assert.deepEqual(scopes, ['repository:app:metadata_read', 'repository:app:pull']);
  });

  it('learns the tag listing scope once: the next repository asks for metadata_read up front, without a challenge', async () => {
    const oci = reader();
    await oci.listTags('app');
    h.emulator.log.clear();
    const tags = await oci.listTags('team/tool');
    assert.deepEqual(tags?.map((t) => [t.name, t.digest]), [...registry().tags('team/tool')]);
    assert.deepEqual(logged('acr.tagList').map((e) => e.status), [200], 'no challenge: the learnt scope was asked for before sending');
    assert.deepEqual(
      logged('acr.token').map((e) => (e.body as AcrTokenRequestRecord).scopes.join(' ')),
      ['repository:team/tool:metadata_read', 'repository:team/tool:pull'],
    );
  });

  it('keeps at most tagReadsInFlight HEADs on the wire at once', async () => {
    const oci = reader({ tagReadsInFlight: 2 });
    await oci.listTags('base'); // the challenge is known from here on
    // Each HEAD is held at the emulator for a moment: the reader's next one can only come once
    // an answer has gone back, so the most held at once is the most the reader had in flight.
    let held = 0;
    let most = 0;
    const unhook = h.emulator.onRequest('acr.manifest', async () => {
      held += 1;
      most = Math.max(most, held);
      await new Promise((resolve) => setTimeout(resolve, 20));
      held -= 1;
    });
    try {
      assert.equal((await oci.listTags('app'))?.length, 7);
    } finally {
      unhook();
    }
    assert.equal(most, 2, 'two HEADs at once, never more');
  });

  it('fails the listing on a HEAD that keeps failing, and sends none of the HEADs still waiting', async () => {
    const oci = reader({ tagReadsInFlight: 1 });
    await oci.listTags('base'); // the challenge is known from here on
    h.emulator.addFault({ route: 'acr.manifest', service: service(), kind: 'status', status: 403, times: Infinity });
    h.emulator.log.clear();
    await assert.rejects(oci.listTags('app'), SourceUnauthorized);
    await logHas(1, () => logged('acr.manifest', 'HEAD'));
    assert.equal(logged('acr.manifest', 'HEAD').length, 1, 'one HEAD of seven');
  });

  it('counts the manifests of an OCI index and a Docker list, 0 for an image', async () => {
    const oci = reader();
    const tags = new Map((await oci.listTags('app'))?.map((t) => [t.name, t.digest]));
    assert.equal(await oci.countReferencedManifests!('app', tags.get('multi')!), 3);
    assert.equal(await oci.countReferencedManifests!('app', tags.get('list')!), 2);
    assert.equal(await oci.countReferencedManifests!('app', tags.get('v0')!), 0);
  });

  it('answers null for a repository that does not exist, and hasManifest by HEAD', async () => {
    const oci = reader();
    assert.equal(await oci.listTags('nope'), null);
    const digest = registry().tags('app').get('v1')!;
    assert.equal(await oci.hasManifest!('app', digest), true);
    assert.equal(await oci.hasManifest!('app', `sha256:${'0'.repeat(64)}`), false);
  });

  it('lists referrers through the OCI 1.1 API', async () => {
    const subject = registry().tags('app').get('v0')!;
    const signature = registry().attach('app', subject, { artifactType: 'application/vnd.cncf.notary.signature', seed: 'sig' });
    const oci = reader();
    assert.deepEqual(await oci.listReferrers!('app', subject), [{ digest: signature, artifactType: 'application/vnd.cncf.notary.signature' }]);
  });

  it('waits out a 429 with Retry-After and counts it in the transport', async () => {
    const transport = createTransport({ version: 'test', caPem: h.emulator.caPem, retry: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 2000 } });
    const oci = createOciRegistryReader({ host: registry().loginServer }, transport);
    await oci.listTags('base');
    h.emulator.addFault({ route: 'acr.tagList', service: service(), kind: 'status', status: 429, retryAfterSeconds: 1 });
    const before = transport.counter.snapshot();
    const tags = await oci.listTags('base');
    assert.equal(tags?.length, 1);
    const after = transport.counter.snapshot();
    assert.equal(after.throttled - before.throttled, 1);
    assert.equal(after.retried - before.retried, 1);
    await logHas(1, () => logged('acr.tagList').filter((e) => e.status === 200).slice(1));
    const answers = logged('acr.tagList').slice(-2);
    assert.deepEqual(answers.map((e) => e.status), [429, 200]);
    assert.ok(answers[1].startedAt - answers[0].finishedAt >= 900, 'the retry waited what Retry-After said');
  });

  it('throws SourceUnauthorized for a registry without anonymous pull, naming no secret', async () => {
    const oci = reader({}, 'private');
    await assert.rejects(all(oci.listRepositories()), (error: unknown) => error instanceof SourceUnauthorized && /anonymous/.test(error.message));
    await assert.rejects(oci.listTags('app'), SourceUnauthorized);
  });

  it('reads an ACR with a repository-scoped token: its repository, no catalog, nothing else', async () => {
    const oci = createOciRegistryReader({ host: registry('private').loginServer, credentials: APP_TOKEN }, h.transport);
    assert.deepEqual(new Map((await oci.listTags('app'))?.map((t) => [t.name, t.digest])), registry('private').tags('app'));
    await assert.rejects(all(oci.listRepositories()), CatalogUnavailable);
    await assert.rejects(oci.listTags('other'), (e: unknown) => e instanceof SourceUnauthorized && !e.anonymous && !e.message.includes(APP_TOKEN.password));
    const tokenRequests = h.emulator.log.entries().filter((e) => e.service === 'acr:private' && e.route === 'acr.token');
    assert.ok(tokenRequests.length > 0 && tokenRequests.every((e) => e.method === 'GET'), 'the distribution token request, with Basic credentials');
  });

  it('reads an ACR with its admin user: the catalog and every repository', async () => {
    const oci = createOciRegistryReader({ host: registry('private').loginServer, credentials: ADMIN }, h.transport);
    assert.deepEqual(await all(oci.listRepositories()), ['app', 'other']);
    assert.equal((await oci.listTags('other'))?.length, 1);
  });

  it('has no allowance when the registry announces none', async () => {
    const oci = reader();
    await oci.listTags('base');
    assert.equal(oci.allowance(), undefined);
  });

  it('reports CatalogUnavailable when the catalog answers 404', async () => {
    h.emulator.addFault({ route: 'acr.catalog', service: service(), kind: 'status', status: 404, times: Infinity });
    await assert.rejects(all(reader().listRepositories()), (error: unknown) => error instanceof CatalogUnavailable && error.message.includes('--repository'));
  });
});
