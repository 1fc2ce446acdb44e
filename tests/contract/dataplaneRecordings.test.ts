/**
 * Replays real recorded ACR data-plane sessions (azure-sdk-for-js, 2023) against the
 * emulator: the same requests (host, tokens and digests swapped for the emulator's), then the
 * same status codes, the recorded headers (exact where the value is protocol: challenge,
 * Link, Content-Type, Docker headers), and the recorded body shapes and values. The manifest
 * listing is also read by the project's own client, to check what it makes of a real answer.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { createEmptyPipeline, createHttpHeaders, type HttpClient } from '@azure/core-rest-pipeline';
import { AcrClient, INDEX_MEDIA_TYPES } from '../../src/azure/dataplane/acrClient';
import { startEmulator, type Emulator, type Fixture, type TagFixture } from '../../testkit/emulator';
import { TENANT, entraToken, principal, request, type HttpResult } from '../emulator/support';
import { actualHeader, escapeRegExp, readContract, recordedHeader, shapeDifferences, type RecordedEntry, type Recording } from './support';

const RECORDED_HOST = 'myregistry.azurecr.io';
const SUB = '00000000-0000-0000-0000-000000000000';

/** The registry the recordings were made against: hello-world's tags all share one index. */
function fixture(): Fixture {
  const index: TagFixture = { content: { kind: 'index', seed: 'hello-world', platforms: ['linux/amd64', 'linux/arm/v5', 'linux/arm/v7', 'linux/arm64/v8', 'windows/amd64'] } };
  const tags = Object.fromEntries(['latest', 'test-delete', 'test1', 'v1', 'v2', 'v3', 'v4'].map((t) => [t, index]));
  return {
    principals: [principal('sdk-test', [{ role: 'Owner', scope: `/subscriptions/${SUB}` }])],
    subscriptions: [
      {
        id: SUB,
        tenantId: TENANT,
        registries: [
          {
            name: 'myregistry',
            resourceGroup: 'rg',
            repositories: { 'library/busybox': { latest: { content: { kind: 'image', seed: 'busybox' } } }, 'library/hello-world': tags },
          },
        ],
      },
    ],
  };
}

/** Headers whose recorded value is protocol, compared exactly (after the host swap). */
const EXACT = ['Content-Type', 'Docker-Distribution-Api-Version', 'Access-Control-Expose-Headers', 'WWW-Authenticate', 'X-Content-Type-Options'];
/** Headers that must be there (values are per request). */
const PRESENT = ['X-Ms-Correlation-Request-Id', 'x-ms-ratelimit-remaining-calls-per-second', 'Docker-Content-Digest', 'ETag', 'X-Ms-Client-Request-Id', 'X-Ms-Request-Id', 'Strict-Transport-Security'];
/** Headers whose absence in a recording is meaningful: the emulator must not add them. */
const ABSENT_UNLESS_RECORDED = ['Link', 'WWW-Authenticate', 'Docker-Distribution-Api-Version', 'Access-Control-Expose-Headers'];
/** Quarantine is an ACR feature the emulator does not model. */
const IGNORED_FIELDS = ['$.manifests[].changeableAttributes.quarantineDetails', '$.manifests[].changeableAttributes.quarantineState'];

const DIGEST_IN_LINK = /sha256%3A[0-9a-f]{64}/g;

class Session {
  access = '';
  refresh = '';
  entra = '';
  /** Recorded digest → the emulator's digest for the same thing. */
  readonly digests = new Map<string, string>();
  constructor(readonly em: Emulator) {}
  get host(): string {
    return this.em.registry('myregistry').loginServer;
  }
  swapHost(text: string): string {
    return text.split(RECORDED_HOST).join(this.host);
  }
  swapDigests(text: string): string {
    let out = text;
    for (const [recorded, ours] of this.digests) out = out.split(recorded).join(ours).split(encodeURIComponent(recorded)).join(encodeURIComponent(ours));
    return out;
  }
}

async function send(session: Session, entry: RecordedEntry): Promise<HttpResult> {
  const recorded = new URL(entry.RequestUri);
  const url = `https://${session.host}${session.swapDigests(recorded.pathname + recorded.search)}`;
  const headers: Record<string, string> = {};
  for (const name of ['Accept', 'Content-Type', 'x-ms-client-request-id']) {
    const v = recordedHeader(entry.RequestHeaders ?? {}, name);
    if (v !== undefined) headers[name] = v;
  }
  if (recordedHeader(entry.RequestHeaders ?? {}, 'Authorization') !== undefined) headers.Authorization = `Bearer ${session.access}`;
  let body: string | undefined;
  if (typeof entry.RequestBody === 'string') {
    // Same fields in the same order; secrets and the host swapped for live values.
    const fields = new URLSearchParams(entry.RequestBody);
    const out = new URLSearchParams();
    for (const [k, v] of fields) {
      if (k === 'access_token') out.append(k, session.entra);
      else if (k === 'refresh_token') out.append(k, session.refresh);
      else out.append(k, session.swapHost(v));
    }
    body = out.toString();
  }
  return request(session.em.caPem, url, { method: entry.RequestMethod, headers, body });
}

function checkHeaders(session: Session, entry: RecordedEntry, res: HttpResult, where: string): void {
  for (const name of EXACT) {
    const recorded = recordedHeader(entry.ResponseHeaders, name);
    if (recorded === undefined) continue;
    assert.equal(actualHeader(res.headers, name), session.swapHost(recorded), `${where}: header ${name}`);
  }
  for (const name of PRESENT) {
    if (recordedHeader(entry.ResponseHeaders, name) !== undefined) assert.ok(actualHeader(res.headers, name), `${where}: header ${name} missing`);
  }
  for (const name of ABSENT_UNLESS_RECORDED) {
    if (recordedHeader(entry.ResponseHeaders, name) === undefined) assert.equal(actualHeader(res.headers, name), undefined, `${where}: unexpected header ${name}`);
  }
  const recordedLink = recordedHeader(entry.ResponseHeaders, 'Link');
  if (recordedLink !== undefined) {
    const ours = actualHeader(res.headers, 'Link') ?? '';
    // Digests differ between registries; the form around them must not.
    const pattern = new RegExp(`^${escapeRegExp(session.swapHost(recordedLink)).replace(DIGEST_IN_LINK, 'sha256%3A[0-9a-f]{64}')}$`);
    assert.match(ours, pattern, `${where}: Link`);
  }
}

async function replay(
  session: Session,
  file: string,
  onEntry?: (entry: RecordedEntry, res: HttpResult, index: number) => void,
  ignoredFields: readonly string[] = [],
): Promise<void> {
  const recording = readContract<Recording>(`recordings/${file}`);
  session.entra = await entraToken(session.em, 'sdk-test', session.em.acrAudience);
  for (const [i, entry] of recording.Entries.entries()) {
    const res = await send(session, entry);
    const where = `${file}#${i} ${entry.RequestMethod} ${new URL(entry.RequestUri).pathname}`;
    assert.equal(res.status, entry.StatusCode, `${where}: status (${res.text})`);
    const body = res.body.length > 0 && String(res.headers['content-type']).includes('json') ? res.json<Record<string, unknown>>() : undefined;
    if (body && typeof body.refresh_token === 'string') session.refresh = body.refresh_token;
    if (body && typeof body.access_token === 'string') session.access = body.access_token;
    checkHeaders(session, entry, res, where);
    if (entry.ResponseBody !== null && typeof entry.ResponseBody === 'object') {
      assert.deepEqual(shapeDifferences(entry.ResponseBody, body, [...IGNORED_FIELDS, ...ignoredFields]), [], `${where}: body shape`);
    }
    onEntry?.(entry, res, i);
  }
}

describe('contract: recorded ACR data-plane sessions', function () {
  let em: Emulator;
  let session: Session;
  before(async function () {
    em = await startEmulator({ fixture: fixture() });
  });
  beforeEach(function () {
    session = new Session(em);
  });
  after(() => em.stop());

  it('js_list_repositories_by_pages: challenge, exchange, token, two catalog pages by Link', async function () {
    await replay(session, 'js_list_repositories_by_pages.json', (entry, res) => {
      if (entry.StatusCode === 200 && entry.RequestUri.includes('_catalog')) {
        assert.deepEqual(res.json(), entry.ResponseBody, 'same repositories on each page');
      }
    });
  });

  it('js_list_tags_by_pages: tags one per page, names and Link as recorded', async function () {
    await replay(session, 'js_list_tags_by_pages.json', (entry, res) => {
      if (entry.StatusCode === 200 && entry.RequestUri.includes('_tags')) {
        const recorded = entry.ResponseBody as { registry: string; imageName: string; tags: { name: string; signed: boolean; changeableAttributes: unknown }[] };
        const ours = res.json<typeof recorded>();
        assert.equal(ours.registry, session.swapHost(recorded.registry));
        assert.equal(ours.imageName, recorded.imageName);
        assert.deepEqual(ours.tags.map((t) => [t.name, t.signed, t.changeableAttributes]), recorded.tags.map((t) => [t.name, t.signed, t.changeableAttributes]));
        assert.deepEqual(Object.keys(ours.tags[0] ?? {}), Object.keys(recorded.tags[0] ?? {}), 'same fields in the same order');
      }
    });
  });

  it('js_list_manifests_by_pages: manifests by digest order, Link carrying the digest', async function () {
    const seen: string[] = [];
    await replay(session, 'js_list_manifests_by_pages.json', (entry, res) => {
      if (entry.StatusCode !== 200 || !entry.RequestUri.includes('_manifests')) return;
      const ours = res.json<{ manifests: { digest: string; mediaType: string; architecture?: string }[] }>();
      assert.equal(ours.manifests.length, 1);
      const m = ours.manifests[0];
      seen.push(m?.digest ?? '');
      assert.match(String(res.headers.link), new RegExp(`last=${escapeRegExp(encodeURIComponent(m?.digest ?? ''))}&`), 'Link continues after this page');
      // The recording's next request names the recorded digest: map it to ours.
      const recordedDigest = (entry.ResponseBody as { manifests: { digest: string }[] }).manifests[0]?.digest;
      if (recordedDigest && m) session.digests.set(recordedDigest, m.digest);
    });
    assert.equal(seen.length, 2);
    assert.ok((seen[0] ?? '') < (seen[1] ?? ''), 'ascending digests');
  });

  it('js_list_manifests: one page of every manifest with its mediaType, the index with its tags and no references', async function () {
    const recording = readContract<Recording>('recordings/js_list_manifests.json');
    const listing = recording.Entries.find((e) => e.StatusCode === 200 && e.RequestUri.includes('/_manifests'));
    const recorded = (listing?.ResponseBody as { manifests: Record<string, unknown>[] }).manifests;
    // Every field any recorded entry has, in the recorded order (entries differ: an index has no
    // platform, one image has a configMediaType): each new field goes right after its predecessor.
    const recordedOrder: string[] = [];
    for (const m of recorded) {
      let at = 0;
      for (const key of Object.keys(m)) {
        const i = recordedOrder.indexOf(key);
        if (i >= 0) at = i + 1;
        else recordedOrder.splice(at++, 0, key);
      }
    }
    const indexDigest = em.registry('myregistry').tags('library/hello-world').get('latest') ?? '';
    let pages = 0;
    await replay(session, 'js_list_manifests.json', (entry, res) => {
      if (entry.StatusCode !== 200 || !entry.RequestUri.includes('/_manifests')) return;
      pages++;
      assert.equal(res.headers.link, undefined, 'one page: no Link, as recorded');
      const ours = res.json<{ registry: string; imageName: string; manifests: Record<string, unknown>[] }>();
      assert.equal(ours.registry, session.host);
      assert.equal(ours.imageName, 'library/hello-world');
      assert.equal(ours.manifests.length, 6, 'the index and its 5 platform images, tagged or not');
      for (const m of ours.manifests) {
        const keys = Object.keys(m);
        assert.ok(!keys.includes('references'), `${String(m.digest)}: a listing entry has no references (only the single read has them)`);
        assert.equal(typeof m.mediaType, 'string', `${String(m.digest)}: mediaType`);
        assert.deepEqual(keys, recordedOrder.filter((k) => keys.includes(k)), `${String(m.digest)}: only recorded fields, in the recorded order`);
      }
      // The index: exactly the recorded index's fields, and the same 7 tags.
      const recordedIndex = recorded.find((m) => m.digest === 'sha256:6e8b6f026e0b9c419ea0fd02d3905dd0952ad1feea67543f525c73a0a790fefb');
      const ourIndex = ours.manifests.find((m) => m.digest === indexDigest);
      assert.deepEqual(Object.keys(ourIndex ?? {}), Object.keys(recordedIndex ?? {}));
      assert.deepEqual(ourIndex?.tags, recordedIndex?.tags);
      assert.ok(INDEX_MEDIA_TYPES.has(String(ourIndex?.mediaType)));
      assert.ok(ours.manifests.filter((m) => m !== ourIndex).every((m) => m.tags === undefined && !INDEX_MEDIA_TYPES.has(String(m.mediaType))), 'children: untagged images');
      // The shape check holds every entry to the first recorded one, an image; the recorded index
      // has no platform either, and the field checks above cover each entry.
    }, ['$.manifests[].architecture', '$.manifests[].os']);
    assert.equal(pages, 1);
  });

  it('js_list_manifests: the client reads the recorded listing as one index and twelve single manifests', async function () {
    const recording = readContract<Recording>('recordings/js_list_manifests.json');
    const listing = recording.Entries.find((e) => e.StatusCode === 200 && e.RequestUri.includes('/_manifests'));
    const asked: string[] = [];
    const http: HttpClient = {
      sendRequest: (req) => {
        asked.push(req.url);
        return Promise.resolve({ request: req, status: 200, headers: createHttpHeaders({ 'Content-Type': 'application/json; charset=utf-8' }), bodyAsText: JSON.stringify(listing?.ResponseBody) });
      },
    };
    const kinds = await new AcrClient(RECORDED_HOST, createEmptyPipeline(), http).listManifestKinds('library/hello-world');
    assert.deepEqual(asked, [`https://${RECORDED_HOST}/acr/v1/library%2Fhello-world/_manifests?n=1000`]);
    assert.equal(kinds.size, 13);
    assert.deepEqual([...kinds].filter(([, kind]) => kind === 'index').map(([digest]) => digest), ['sha256:6e8b6f026e0b9c419ea0fd02d3905dd0952ad1feea67543f525c73a0a790fefb']);
  });

  it('js_get_tag_then_manifest_properties: tag properties, then the index manifest with its tags and references', async function () {
    const tagDigest = em.registry('myregistry').tags('library/hello-world').get('test1') ?? '';
    session.digests.set('sha256:6e8b6f026e0b9c419ea0fd02d3905dd0952ad1feea67543f525c73a0a790fefb', tagDigest);
    await replay(session, 'js_get_tag_then_manifest_properties.json', (entry, res) => {
      if (entry.StatusCode !== 200) return;
      if (entry.RequestUri.includes('/_tags/')) {
        const ours = res.json<{ tag: { name: string; digest: string } }>();
        assert.equal(ours.tag.name, 'test1');
        assert.equal(ours.tag.digest, tagDigest);
      }
      if (entry.RequestUri.includes('/_manifests/')) {
        const recorded = (entry.ResponseBody as { manifest: { tags: string[] } }).manifest;
        const ours = res.json<{ manifest: { tags: string[]; mediaType: string; references: unknown[]; digest: string } }>().manifest;
        assert.deepEqual(ours.tags, recorded.tags, 'every tag of the manifest, sorted');
        assert.equal(ours.digest, tagDigest);
        assert.match(ours.mediaType, /index|manifest\.list/);
        assert.equal(ours.references.length, 5);
      }
    });
  });

  it('js_get_repository_properties_excerpt: challenge for metadata_read, then the repository with its counts and changeableAttributes', async function () {
    await replay(session, 'js_get_repository_properties_excerpt.json', (entry, res) => {
      if (entry.StatusCode !== 200 || entry.RequestMethod !== 'GET') return;
      const recorded = entry.ResponseBody as Record<string, unknown>;
      const ours = res.json<Record<string, unknown>>();
      assert.deepEqual(Object.keys(ours), Object.keys(recorded), 'same fields in the same order');
      assert.equal(ours.registry, session.host);
      assert.equal(ours.imageName, recorded.imageName);
      // hello-world as the fixture holds it: 7 tags on one index of 5 platforms.
      assert.equal(ours.tagCount, recorded.tagCount);
      assert.equal(ours.manifestCount, 6);
      assert.deepEqual(ours.changeableAttributes, recorded.changeableAttributes);
    });
  });

  it('js_get_manifest_v2_excerpt: token for pull,push, then GET manifest by digest with Docker-Content-Digest', async function () {
    const recording = readContract<Recording>('recordings/js_get_manifest_v2_excerpt.json');
    // Entry 0 is a blob upload (the emulator stores no blobs); the excerpt's refresh token came
    // from an exchange outside it, so the session makes one first.
    const exchange = await request(em.caPem, `https://${session.host}/oauth2/exchange`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'access_token', service: session.host, access_token: await entraToken(em, 'sdk-test', em.acrAudience) }).toString(),
    });
    session.refresh = exchange.json<{ refresh_token: string }>().refresh_token;
    const tokenEntry = recording.Entries[1];
    const tokenRes = await send(session, tokenEntry);
    assert.equal(tokenRes.status, 200);
    assert.deepEqual(Object.keys(tokenRes.json()), ['access_token']);
    session.access = tokenRes.json<{ access_token: string }>().access_token;
    checkHeaders(session, tokenEntry, tokenRes, 'token');

    const child = em.registry('myregistry');
    const index = child.tags('library/hello-world').get('latest') ?? '';
    const indexBody = await request(em.caPem, `https://${session.host}/v2/library/hello-world/manifests/${index}`, { headers: { Authorization: `Bearer ${session.access}` } });
    const imageDigest = indexBody.json<{ manifests: { digest: string }[] }>().manifests[0]?.digest ?? '';
    session.digests.set('sha256:c001493ce924aece0d2cf422ee838bbc90fd6f91a3827dad26f84c3dc762fab2', imageDigest);
    const getEntry = recording.Entries[2];
    const res = await send(session, getEntry);
    assert.equal(res.status, 200);
    checkHeaders(session, { ...getEntry, ResponseHeaders: { ...getEntry.ResponseHeaders, 'Content-Type': res.json<{ mediaType: string }>().mediaType } }, res, 'manifest');
    assert.equal(res.headers['docker-content-digest'], imageDigest);
    assert.equal(`sha256:${createHash('sha256').update(res.body).digest('hex')}`, imageDigest);
    assert.equal(res.headers.etag, `"${imageDigest}"`);
    assert.equal(res.headers['x-ms-client-request-id'], recordedHeader(getEntry.RequestHeaders ?? {}, 'x-ms-client-request-id'));
    assert.equal(res.headers['content-type'], res.json<{ mediaType: string }>().mediaType);
    assert.deepEqual(shapeDifferences(getEntry.ResponseBody, res.json()), []);
  });
});
