/**
 * The OCI reader against a real registry: CNCF distribution 2.8 (testkit/ociRegistry) on
 * 127.0.0.1 over TLS, in basic (htpasswd) and token (a token server on another port of the same
 * address) mode, with content pushed over HTTPS. Asserted on what the reader returns, on the
 * token server's count, and on the transport's request counter.
 */
import { strict as assert } from 'node:assert';
import { createTlsMaterial, type TlsMaterial } from '../../../testkit/emulator/ca';
import {
  RegistryClient,
  pushHelmChart,
  pushImage,
  pushIndex,
  pushReferrer,
  startOciRegistry,
  type OciRegistryHandle,
} from '../../../testkit/ociRegistry';
import { createTransport, type Transport } from '../../../src/azure/http/transport';
import { CatalogUnavailable, SourceUnauthorized } from '../../../src/azure/oci/errors';
import { createOciRegistryReader, type OciReaderOptions, type OciRegistryReader } from '../../../src/azure/oci/ociReader';
import type { RegistryCredentials } from '../../../src/azure/oci/sourceAddress';

const USER: RegistryCredentials = { username: 'reader', password: 'pa55-w0rd-of-reader' };

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** What was pushed, to compare the reader's answers with. */
interface Pushed {
  /** repository → tag → digest */
  tags: Map<string, Map<string, string>>;
  index: string;
  signed: string;
}

async function pushContent(registry: OciRegistryHandle, tls: TlsMaterial): Promise<Pushed> {
  const client = new RegistryClient({ host: registry.host, ca: tls.caPem, credentials: USER });
  const tags = new Map<string, Map<string, string>>();
  const note = (repo: string, tag: string, digest: string) => tags.set(repo, (tags.get(repo) ?? new Map<string, string>()).set(tag, digest));
  for (const [i, tag] of ['1.0', '1.1', '2.0', 'latest'].entries()) {
    note('team/app', tag, (await pushImage(client, 'team/app', { seed: `app-${i % 3}`, tag, format: i === 0 ? 'docker' : 'oci' })).digest);
  }
  const index = (await pushIndex(client, 'multi', { seed: 'multi', tag: '1.0' })).digest;
  note('multi', '1.0', index);
  note('charts/web', '0.1.0', (await pushHelmChart(client, 'charts/web', { seed: 'web', tag: '0.1.0' })).digest);
  const signedImage = await pushImage(client, 'signed', { seed: 'signed', tag: 'v1' });
  note('signed', 'v1', signedImage.digest);
  await pushReferrer(client, 'signed', signedImage.descriptor, { seed: 'sig' });
  return { tags, index, signed: signedImage.digest };
}

describe('azure/oci: the OCI reader against a real registry (distribution 2.8)', function () {
  this.timeout(120_000);
  let tls: TlsMaterial;
  let transport: Transport;
  before(async () => {
    tls = await createTlsMaterial();
  });
  beforeEach(() => {
    transport = createTransport({ version: 'test', caPem: tls.caPem, retry: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 200 } });
  });

  for (const auth of ['basic', 'token'] as const) {
    describe(`${auth} auth`, () => {
      let registry: OciRegistryHandle;
      let pushed: Pushed;
      before(async () => {
        registry = await startOciRegistry({ auth, users: [USER], tls, catalogPageSize: 2 });
        pushed = await pushContent(registry, tls);
      });
      after(() => registry?.stop());

      const reader = (credentials: RegistryCredentials | 'anonymous' = USER, options: OciReaderOptions = {}): OciRegistryReader =>
        createOciRegistryReader({ host: registry.host, ...(credentials !== 'anonymous' ? { credentials } : {}) }, transport, options);

      it('lists the catalog across its Link pages (2 a page) with the credentials given', async () => {
        assert.deepEqual(await all(reader().listRepositories()), ['charts/web', 'multi', 'signed', 'team/app']);
      });

      it('lists every tag with the digest it points at, the Docker image, the OCI images, index and chart alike', async () => {
        const oci = reader();
        for (const [repo, expected] of pushed.tags) {
          const tags = await oci.listTags(repo);
          assert.deepEqual(new Map(tags?.map((t) => [t.name, t.digest])), expected, repo);
          assert.ok(tags?.every((t) => t.writeEnabled && t.lastUpdated === undefined));
        }
        assert.equal(await oci.listTags('no/such'), null);
      });

      it('counts an OCI index by its manifests, an image as 0, and tells held manifests by HEAD', async () => {
        const oci = reader();
        assert.equal(await oci.countReferencedManifests!('multi', pushed.index), 2);
        assert.equal(await oci.countReferencedManifests!('signed', pushed.signed), 0);
        assert.equal(await oci.hasManifest!('multi', pushed.index), true);
        assert.equal(await oci.hasManifest!('multi', pushed.signed), false);
      });

      it('lists no referrers: distribution 2.8 has no referrers API (404), and the tag-schema fallback is not read', async () => {
        assert.deepEqual(await reader().listReferrers!('signed', pushed.signed), []);
      });

      it('refuses an anonymous reader with SourceUnauthorized, and a wrong password without printing it', async () => {
        await assert.rejects(reader('anonymous').listTags('team/app'), (e: unknown) => e instanceof SourceUnauthorized && e.anonymous && /anonymous/.test(e.message));
        // Basic auth refuses even the sign-in; a token realm signs anonymous callers in with no rights (below).
        if (auth === 'basic') await assert.rejects(all(reader('anonymous').listRepositories()), SourceUnauthorized);
        const wrong = { username: USER.username, password: 'wrong-secret-value-1' };
        await assert.rejects(reader(wrong).listTags('team/app'), (e: unknown) => {
          assert.ok(e instanceof SourceUnauthorized, String(e));
          assert.ok(!e.message.includes(wrong.password) && !e.message.includes(USER.password), e.message);
          return /credentials given/.test(e.message);
        });
      });

      it('counts its requests in the transport: one HEAD per tag and the listing, plus what the sign-in costs', async () => {
        const oci = reader();
        await oci.listTags('team/app'); // signs in and learns the challenge
        const before = transport.counter.snapshot().requests;
        const tokensBefore = registry.tokenRequests();
        await oci.listTags('team/app');
        // Everything held: the listing and four HEADs, no challenge, no token request.
        assert.equal(transport.counter.snapshot().requests - before, 5);
        assert.equal(registry.tokenRequests() - tokensBefore, 0);
      });
    });
  }

  describe('token auth: where the credentials go', () => {
    let registry: OciRegistryHandle;
    before(async () => {
      registry = await startOciRegistry({ auth: 'token', users: [USER], tls });
      await pushContent(registry, tls);
    });
    after(() => registry?.stop());

    it('gets one token per repository scope from the realm with the credentials (the realm grants nothing to anonymous callers)', async () => {
      const oci = createOciRegistryReader({ host: registry.host, credentials: USER }, transport);
      const before = registry.tokenRequests();
      assert.equal((await oci.listTags('team/app'))?.length, 4);
      assert.equal((await oci.listTags('multi'))?.length, 1);
      // team/app: its pull token (listing and HEADs share it); multi: its own.
      assert.equal(registry.tokenRequests() - before, 2);
    });

    it('lets an anonymous reader sign in but not list: the catalog reads as unavailable, the tags as refused', async () => {
      const oci = createOciRegistryReader({ host: registry.host }, transport);
      await assert.rejects(all(oci.listRepositories()), CatalogUnavailable);
      await assert.rejects(oci.listTags('team/app'), SourceUnauthorized);
    });
  });

  it('reads an anonymous registry (auth none) without any token', async () => {
    const registry = await startOciRegistry({ auth: 'none', tls });
    try {
      const pushed = await pushContent(registry, tls);
      const oci = createOciRegistryReader({ host: registry.host }, transport);
      assert.deepEqual(await all(oci.listRepositories()), ['charts/web', 'multi', 'signed', 'team/app']);
      assert.deepEqual(new Map((await oci.listTags('team/app'))?.map((t) => [t.name, t.digest])), pushed.tags.get('team/app'));
    } finally {
      await registry.stop();
    }
  });
});
