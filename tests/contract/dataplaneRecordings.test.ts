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

/**
 * The registry the recordings were made against: hello-world's tags all share one Docker
 * manifest list of Docker v2 schema 2 images, busybox is a Docker image (every manifest the
 * recordings show is of the Docker family).
 */
function fixture(): Fixture {
  const index: TagFixture = {
    content: { kind: 'index', format: 'docker', seed: 'hello-world', platforms: ['linux/amd64', 'linux/arm/v5', 'linux/arm/v7', 'linux/arm64/v8', 'windows/amd64'] },
  };
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
            repositories: { 'library/busybox': { latest: { content: { kind: 'image', format: 'docker', seed: 'busybox' } } }, 'library/hello-world': tags },
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
/**
 * Quarantine is an ACR feature the emulator does not model. `configMediaType` is in the spec's
 * manifest attributes and a real listing has it on 1 of 13 manifests (`js_list_manifests.json`);
 * the emulator gives it for every manifest with a config (README), so its presence is not news.
 */
const IGNORED_FIELDS = [
  '$.manifests[].changeableAttributes.quarantineDetails',
  '$.manifests[].changeableAttributes.quarantineState',
  '$.manifests[].configMediaType',
  '$.manifest.configMediaType',
];

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

/**
 * Sends a recorded request to the emulator. `path` replaces the recorded path and query (an
 * upload goes on where the emulator's own Location says). JSON bodies (the PATCHes) go as
 * JSON, octet-stream bodies (blob chunks, recorded in base64) as their bytes.
 */
async function send(session: Session, entry: RecordedEntry, path?: string): Promise<HttpResult> {
  const recorded = new URL(entry.RequestUri);
  const url = `https://${session.host}${path ?? session.swapDigests(recorded.pathname + recorded.search)}`;
  const headers: Record<string, string> = {};
  for (const name of ['Accept', 'Content-Type', 'x-ms-client-request-id']) {
    const v = recordedHeader(entry.RequestHeaders ?? {}, name);
    if (v !== undefined) headers[name] = v;
  }
  if (recordedHeader(entry.RequestHeaders ?? {}, 'Authorization') !== undefined) headers.Authorization = `Bearer ${session.access}`;
  let body: string | Buffer | undefined;
  const type = recordedHeader(entry.RequestHeaders ?? {}, 'Content-Type');
  if (entry.RequestBody !== null && typeof entry.RequestBody === 'object') {
    body = JSON.stringify(entry.RequestBody);
  } else if (typeof entry.RequestBody === 'string' && type === 'application/octet-stream') {
    body = Buffer.from(entry.RequestBody, 'base64');
  } else if (typeof entry.RequestBody === 'string') {
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

/**
 * For an excerpt that starts mid-session: the refresh token its token requests use, and an
 * access token for `scope` its first authorized request needs.
 */
async function midSession(session: Session, scope: string): Promise<void> {
  const host = session.host;
  const exchange = await request(session.em.caPem, `https://${host}/oauth2/exchange`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'access_token', service: host, access_token: await entraToken(session.em, 'sdk-test', session.em.acrAudience) }).toString(),
  });
  session.refresh = exchange.json<{ refresh_token: string }>().refresh_token;
  const token = await request(session.em.caPem, `https://${host}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', service: host, scope, refresh_token: session.refresh }).toString(),
  });
  session.access = token.json<{ access_token: string }>().access_token;
}

async function replay(
  session: Session,
  file: string,
  onEntry?: (entry: RecordedEntry, res: HttpResult, index: number) => void,
  ignoredFields: readonly string[] = [],
): Promise<void> {
  const recording = readContract<Recording>(`recordings/${file}`);
  session.entra ||= await entraToken(session.em, 'sdk-test', session.em.acrAudience);
  for (const [i, entry] of recording.Entries.entries()) {
    const res = await send(session, entry);
    const where = `${file}#${i} ${entry.RequestMethod} ${new URL(entry.RequestUri).pathname}`;
    assert.equal(res.status, entry.StatusCode, `${where}: status (${res.text})`);
    const body = res.body.length > 0 && String(res.headers['content-type']).includes('json') ? res.json<Record<string, unknown>>() : undefined;
    if (body && typeof body.refresh_token === 'string') session.refresh = body.refresh_token;
    if (body && typeof body.access_token === 'string') session.access = body.access_token;
    checkHeaders(session, entry, res, where);
    if (entry.ResponseBody !== null && typeof entry.ResponseBody === 'object') {
      assert.deepEqual(shapeDifferences(entry.ResponseBody, body, [...IGNORED_FIELDS, ...ignoredFields], '$', 'both'), [], `${where}: body shape`);
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
      // The same media types as recorded: a Docker manifest list of Docker v2 schema 2 images.
      assert.equal(ourIndex?.mediaType, recordedIndex?.mediaType);
      const recordedImageTypes = new Set(recorded.filter((m) => m !== recordedIndex).map((m) => m.mediaType));
      assert.deepEqual([...new Set(ours.manifests.filter((m) => m !== ourIndex).map((m) => m.mediaType))], [...recordedImageTypes]);
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

  it('js_get_manifest_v2_excerpt: a blob upload challenged for pull,push, token, then GET of a Docker v2 manifest by digest', async function () {
    const recording = readContract<Recording>('recordings/js_get_manifest_v2_excerpt.json');
    // Entry 0: a blob upload without a token, challenged for pull and push, as recorded.
    const upload = recording.Entries[0];
    const challenged = await send(session, upload);
    assert.equal(challenged.status, upload.StatusCode);
    checkHeaders(session, upload, challenged, 'blob upload');
    assert.deepEqual(challenged.json(), upload.ResponseBody, 'the recorded error, details of both actions');
    // The excerpt's refresh token came from an exchange outside it, so the session makes one.
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

    // The recorded GET asks for every manifest type; the list is read the same way.
    const getEntry = recording.Entries[2];
    const accept = recordedHeader(getEntry.RequestHeaders ?? {}, 'Accept') ?? '';
    const index = em.registry('myregistry').tags('library/hello-world').get('latest') ?? '';
    const list = await request(em.caPem, `https://${session.host}/v2/library/hello-world/manifests/${index}`, { headers: { Authorization: `Bearer ${session.access}`, Accept: accept } });
    assert.equal(list.headers['content-type'], 'application/vnd.docker.distribution.manifest.list.v2+json');
    const imageDigest = list.json<{ manifests: { digest: string }[] }>().manifests[0]?.digest ?? '';
    session.digests.set('sha256:c001493ce924aece0d2cf422ee838bbc90fd6f91a3827dad26f84c3dc762fab2', imageDigest);
    const res = await send(session, getEntry);
    assert.equal(res.status, 200);
    // Content-Type (application/vnd.docker.distribution.manifest.v2+json) compared exactly.
    checkHeaders(session, getEntry, res, 'manifest');
    assert.equal(res.headers['docker-content-digest'], imageDigest);
    assert.equal(`sha256:${createHash('sha256').update(res.body).digest('hex')}`, imageDigest);
    assert.equal(res.headers.etag, `"${imageDigest}"`);
    assert.equal(res.headers['x-ms-client-request-id'], recordedHeader(getEntry.RequestHeaders ?? {}, 'x-ms-client-request-id'));
    assert.deepEqual(shapeDifferences(getEntry.ResponseBody, res.json(), [], '$', 'both'), []);
    // Config and layers of the Docker family, in its field order (mediaType, size, digest).
    const recordedBody = getEntry.ResponseBody as { config: Record<string, unknown>; layers: Record<string, unknown>[] };
    const ours = res.json<typeof recordedBody>();
    assert.deepEqual(Object.keys(ours.config), Object.keys(recordedBody.config));
    assert.equal(ours.config.mediaType, recordedBody.config.mediaType);
    assert.deepEqual(Object.keys(ours.layers[0] ?? {}), Object.keys(recordedBody.layers[0] ?? {}));
    assert.equal(ours.layers[0]?.mediaType, recordedBody.layers[0]?.mediaType);
  });

  it('js_set_repository_properties_patch_excerpt: PATCH challenged for metadata_write (insufficient_scope), then the whole repository with the new attributes', async function () {
    await midSession(session, 'repository:library/hello-world:metadata_read');
    const seen: unknown[] = [];
    await replay(session, 'js_set_repository_properties_patch_excerpt.json', (entry, res) => {
      if (entry.RequestMethod !== 'PATCH' || entry.StatusCode !== 200) return;
      const recorded = entry.ResponseBody as Record<string, unknown>;
      const ours = res.json<Record<string, unknown>>();
      assert.deepEqual(Object.keys(ours), Object.keys(recorded), 'the fields of a GET, in its order');
      assert.deepEqual(ours.changeableAttributes, recorded.changeableAttributes);
      seen.push(em.registry('myregistry').changeableAttributes('library/hello-world'));
    });
    assert.deepEqual(seen, [
      { deleteEnabled: false, writeEnabled: false, readEnabled: false, listEnabled: false },
      { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true },
    ]);
    const tokens = em.log.entries().filter((e) => e.route === 'acr.token').map((e) => e.body as { scopes: string[] });
    assert.deepEqual(tokens[tokens.length - 1]?.scopes, ['repository:library/hello-world:metadata_write']);
  });

  it('js_set_manifest_properties_excerpt: an untagged Docker v2 image read alone (no tags), then its attributes changed by PATCH', async function () {
    const arm = em.registry('myregistry').manifestMediaTypes('library/hello-world');
    const index = em.registry('myregistry').tags('library/hello-world').get('latest') ?? '';
    const listed = await request(em.caPem, `https://${session.host}/v2/library/hello-world/manifests/${index}`, {
      headers: { Authorization: `Bearer ${(await midSession(session, 'repository:library/hello-world:pull'), session.access)}`, Accept: 'application/vnd.docker.distribution.manifest.list.v2+json' },
    });
    const armImage = listed.json<{ manifests: { digest: string; platform: { architecture: string } }[] }>().manifests.find((m) => m.platform.architecture === 'arm')?.digest ?? '';
    assert.equal(arm.get(armImage), 'application/vnd.docker.distribution.manifest.v2+json');
    session.digests.set('sha256:40d0cfd0861719208ff9f7747ab3f97844eeca509df705db44a736df863b76af', armImage);
    await midSession(session, 'repository:library/hello-world:metadata_read');
    const states: unknown[] = [];
    await replay(session, 'js_set_manifest_properties_excerpt.json', (entry, res) => {
      if (entry.StatusCode !== 200 || entry.RequestUri.includes('/oauth2/')) return;
      const recorded = (entry.ResponseBody as { manifest: Record<string, unknown> }).manifest;
      const ours = res.json<{ manifest: Record<string, unknown> }>().manifest;
      // ACR reports configMediaType for some manifests only (1 of 13 in js_list_manifests); the
      // emulator for every manifest with a config. Otherwise the recorded fields in their order,
      // and no tags for an untagged manifest.
      assert.deepEqual(Object.keys(ours).filter((k) => k !== 'configMediaType'), Object.keys(recorded));
      assert.deepEqual([ours.digest, ours.mediaType, ours.architecture, ours.os], [armImage, recorded.mediaType, recorded.architecture, recorded.os]);
      assert.deepEqual(ours.changeableAttributes, recorded.changeableAttributes);
      if (entry.RequestMethod === 'PATCH') states.push(em.registry('myregistry').changeableAttributes('library/hello-world', armImage)?.writeEnabled);
    });
    assert.deepEqual(states, [false, true]);
  });

  it('js_set_tag_properties_excerpt: a tag read, its attributes changed by PATCH with a metadata_write token', async function () {
    const index = em.registry('myregistry').tags('library/hello-world').get('test1') ?? '';
    session.digests.set('sha256:6e8b6f026e0b9c419ea0fd02d3905dd0952ad1feea67543f525c73a0a790fefb', index);
    await midSession(session, 'repository:library/hello-world:metadata_read');
    const states: unknown[] = [];
    await replay(session, 'js_set_tag_properties_excerpt.json', (entry, res) => {
      if (entry.StatusCode !== 200 || entry.RequestUri.includes('/oauth2/')) return;
      const recorded = (entry.ResponseBody as { tag: Record<string, unknown> }).tag;
      const ours = res.json<{ tag: Record<string, unknown> }>().tag;
      assert.deepEqual(Object.keys(ours), Object.keys(recorded));
      assert.deepEqual([ours.name, ours.digest, ours.changeableAttributes], [recorded.name, index, recorded.changeableAttributes]);
      if (entry.RequestMethod === 'PATCH') states.push(em.registry('myregistry').changeableAttributes('library/hello-world', 'test1'));
    });
    assert.deepEqual(states, [
      { deleteEnabled: false, writeEnabled: false, readEnabled: false, listEnabled: false },
      { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true },
    ]);
  });

  it('js_upload_blob_excerpt: POST (202, Range 0-0), PATCH of the recorded 1,167 bytes (202, Range 0-1166), PUT with the digest (201)', async function () {
    const recording = readContract<Recording>('recordings/js_upload_blob_excerpt.json');
    await midSession(session, 'repository:library/hello-world:pull,push');
    let next: string | undefined;
    for (const [i, entry] of recording.Entries.entries()) {
      const digest = new URL(entry.RequestUri).searchParams.get('digest');
      const path = next === undefined ? undefined : digest === null ? next : `${next}&digest=${encodeURIComponent(digest)}`;
      const res = await send(session, entry, path);
      const where = `upload#${i} ${entry.RequestMethod}`;
      assert.equal(res.status, entry.StatusCode, `${where}: ${res.text}`);
      checkHeaders(session, entry, res, where);
      for (const name of ['Range', 'Content-Length', 'Docker-Content-Digest']) {
        assert.equal(actualHeader(res.headers, name), recordedHeader(entry.ResponseHeaders, name), `${where}: ${name}`);
      }
      const location = String(res.headers.location);
      const recordedLocation = recordedHeader(entry.ResponseHeaders, 'Location') ?? '';
      // The upload's uuid and state are the registry's own; the form around them is recorded.
      const form = (l: string): string => l.replace(/[0-9a-f-]{36}/, '<uuid>').replace(/_state=[^&]+/, '_state=<state>');
      assert.equal(form(location), form(recordedLocation), `${where}: Location`);
      if (res.headers['docker-upload-uuid'] !== undefined) assert.ok(location.includes(String(res.headers['docker-upload-uuid'])));
      next = location;
    }
    const digest = 'sha256:ec0488e025553d34358768c43e24b1954e0056ec4700883252c74f3eec273016';
    const held = await request(em.caPem, `https://${session.host}/v2/library/hello-world/blobs/${digest}`, { method: 'HEAD', headers: { Authorization: `Bearer ${session.access}` } });
    assert.deepEqual([held.status, held.headers['content-length']], [200, '1167']);
  });

  it('js_delete_missing_blob: DELETE challenged for delete, exchange, token, then 404 BLOB_UNKNOWN', async function () {
    await replay(session, 'js_delete_missing_blob.json', (entry, res) => {
      if (entry.StatusCode === 404) assert.deepEqual(res.json(), entry.ResponseBody);
    });
  });
});
