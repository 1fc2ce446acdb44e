/**
 * Replays the recorded importImage long-running operations (PowerShell 2025, JS nock 2021,
 * az --no-wait 2021) against the emulator at its defaults, which are the recorded ones. The
 * recorded sources were public registries (docker.io); the emulator reaches none, so the
 * source becomes an emulated registry by resource id — the shape of the exchange is what is
 * under test, and it is unchanged.
 *
 * Each recorded client waited the Retry-After (10 s) or longer before its first poll, which
 * found the import done. The replays do not sleep: `completeImports()` lands the import as
 * the emulator's clock would during that wait, and the default duration is checked to fit in it.
 */
import { strict as assert } from 'node:assert';
import { DEFAULT_IMPORT_DURATION_MS, DEFAULT_IMPORT_RETRY_AFTER_SECONDS, startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { TENANT, entraToken, principal, registryId, request, sleep, type HttpResult } from '../emulator/support';
import { actualHeader, readContract, recordedHeader, type RecordedEntry, type Recording } from './support';

const SUB = '0e745469-49f8-48c9-873b-24ca87143db1';
const SOURCE = registryId(SUB, 'sources', 'mirror');

function fixture(): Fixture {
  return {
    principals: [principal('pwsh', [{ role: 'Owner', scope: `/subscriptions/${SUB}` }])],
    subscriptions: [
      {
        id: SUB,
        tenantId: TENANT,
        registries: [
          { name: 'beauxq', resourceGroup: 'ContainerTest', location: 'eastus' },
          { name: 'yumengacr', resourceGroup: 'yumeng-acr-test', location: 'westus2' },
          {
            name: 'mirror',
            resourceGroup: 'sources',
            repositories: {
              'library/busybox': { latest: { content: { kind: 'image', seed: 'busybox' } } },
              'library/hello-world': { latest: { content: { kind: 'index', seed: 'hw', platforms: ['linux/amd64', 'linux/arm64/v8'] } } },
              microsoft: { 'azure-cli': { content: { kind: 'image', seed: 'azure-cli' } } },
            },
          },
        ],
      },
    ],
  };
}

/** Front-door and Azure-infrastructure headers the emulator does not reproduce. */
const INFRA_HEADERS = new Set(['api-supported-versions', 'x-ms-operation-identifier', 'x-ms-ratelimit-remaining-subscription-global-writes', 'x-ms-ratelimit-remaining-subscription-global-reads', 'x-cache', 'x-msedge-ref', 'server', 'content-encoding', 'vary', 'transfer-encoding']);

/** Every recorded response header is present, except infrastructure ones. */
function assertRecordedHeadersPresent(entry: RecordedEntry, res: HttpResult, where: string): void {
  for (const name of Object.keys(entry.ResponseHeaders)) {
    if (INFRA_HEADERS.has(name.toLowerCase())) continue;
    assert.ok(actualHeader(res.headers, name) !== undefined, `${where}: header ${name} missing`);
  }
  for (const name of ['Cache-Control', 'Pragma', 'Expires', 'X-Content-Type-Options']) {
    const recorded = recordedHeader(entry.ResponseHeaders, name);
    if (recorded !== undefined) assert.equal(actualHeader(res.headers, name), recorded, `${where}: ${name}`);
  }
}

/** The Location form of the 2025 recording: region upper-case, opaque signed t, c, s, h. */
function assertLocationForm(location: string, em: Emulator, region: string, apiVersion: string): void {
  const url = new URL(location);
  assert.equal(url.origin, em.armEndpoint);
  assert.match(url.pathname, new RegExp(`^/subscriptions/${SUB}/providers/Microsoft\\.ContainerRegistry/locations/${region}/operationResults/registries-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`));
  assert.deepEqual([...url.searchParams.keys()], ['api-version', 't', 'c', 's', 'h']);
  assert.equal(url.searchParams.get('api-version'), apiVersion);
  assert.match(url.searchParams.get('t') ?? '', /^\d{18}$/, 't looks like .NET ticks');
}

describe('contract: recorded importImage operations', function () {
  let em: Emulator;
  let token: string;
  beforeEach(async function () {
    // Azure's recorded defaults: Retry-After 10 s, an import done within it.
    em = await startEmulator({ fixture: fixture() });
    token = await entraToken(em, 'pwsh', 'https://management.azure.com');
  });
  afterEach(() => em.stop());

  const armUrl = (recordedUri: string): string => {
    const u = new URL(recordedUri);
    return `${em.armEndpoint}${u.pathname.replace('/subscriptions/subscription_id/', `/subscriptions/${SUB}/`)}${u.search}`;
  };
  const post = (uri: string, body: unknown) =>
    request(em.caPem, armUrl(uri), { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const get = (url: string) => request(em.caPem, url, { headers: { Authorization: `Bearer ${token}` } });

  it('arm_importImage_lro_from_pwsh_2025: 202 empty + Location + Retry-After, then 200 Succeeded twice', async function () {
    const [postEntry, pollEntry, finalEntry] = readContract<Recording>('recordings/arm_importImage_lro_from_pwsh_2025.json').Entries as [RecordedEntry, RecordedEntry, RecordedEntry];
    const body = { ...(postEntry.RequestBody as object), source: { resourceId: SOURCE, sourceImage: 'library/busybox:latest' } };
    const accepted = await post(postEntry.RequestUri, body);
    assert.equal(accepted.status, postEntry.StatusCode);
    assert.equal(accepted.body.length, 0);
    assert.equal(accepted.headers['content-length'], recordedHeader(postEntry.ResponseHeaders, 'Content-Length'));
    assert.equal(accepted.headers['retry-after'], recordedHeader(postEntry.ResponseHeaders, 'Retry-After'));
    assert.equal(accepted.headers['azure-asyncoperation'], undefined, 'Location only, as recorded');
    assertRecordedHeadersPresent(postEntry, accepted, 'POST');
    const location = String(accepted.headers.location);
    assertLocationForm(location, em, 'EASTUS', '2023-01-01-preview');

    // The recorded client polled once, 10 s later, and found it done: the default duration fits.
    assert.equal(DEFAULT_IMPORT_RETRY_AFTER_SECONDS, Number(recordedHeader(postEntry.ResponseHeaders, 'Retry-After')));
    assert.ok(DEFAULT_IMPORT_DURATION_MS <= DEFAULT_IMPORT_RETRY_AFTER_SECONDS * 1000);
    assert.equal(em.completeImports(), 1, 'the 10 s the client waited');
    for (const [entry, label] of [[pollEntry, 'poll'], [finalEntry, 'final GET']] as const) {
      const res = await get(location);
      assert.equal(res.status, entry.StatusCode, label);
      assert.deepEqual(res.json(), entry.ResponseBody, label);
      assert.equal(res.headers['content-type'], recordedHeader(entry.ResponseHeaders, 'Content-Type'), label);
      assert.equal(res.headers['content-length'], recordedHeader(entry.ResponseHeaders, 'Content-Length'), label);
      assertRecordedHeadersPresent(entry, res, label);
    }
    assert.equal(em.registry('beauxq').tags('busybox').get('latest'), em.registry('mirror').tags('library/busybox').get('latest'));
  });

  it('arm_importImage_lro_from_js_nock: empty registry lists null, import, poll, then the repository is listed', async function () {
    const entries = readContract<Recording>('recordings/arm_importImage_lro_from_js_nock.json').Entries;
    const host = em.registry('yumengacr').loginServer;
    const aad = await entraToken(em, 'pwsh', em.acrAudience);
    let refresh = '';
    let access = '';
    let location = '';
    for (const [i, entry] of entries.entries()) {
      const where = `#${i} ${entry.RequestMethod} ${new URL(entry.RequestUri).pathname}`;
      let res: HttpResult;
      if (entry.RequestUri.startsWith('https://management.azure.com') && entry.RequestMethod === 'POST') {
        res = await post(entry.RequestUri, { ...(entry.RequestBody as object), source: { resourceId: SOURCE, sourceImage: 'library/hello-world' } });
        location = String(res.headers.location);
        assertLocationForm(location, em, 'WESTUS2', '2019-12-01-preview');
        assert.equal(res.headers['retry-after'], '10');
        // 2021 answered the 4-byte literal `null`; 2025 (pwsh) an empty body. The newer wins.
        assert.equal(res.body.length, 0);
      } else if (entry.RequestUri.startsWith('https://management.azure.com')) {
        // Recorded about 30 s after the POST: long done.
        em.completeImports();
        res = await get(location);
        assert.deepEqual(res.json(), entry.ResponseBody, where);
      } else {
        const path = new URL(entry.RequestUri).pathname;
        const form = typeof entry.RequestBody === 'string' ? new URLSearchParams(entry.RequestBody) : undefined;
        if (form?.has('access_token')) form.set('access_token', aad);
        if (form?.has('refresh_token')) form.set('refresh_token', refresh);
        if (form?.has('service')) form.set('service', host);
        res = await request(em.caPem, `https://${host}${path}`, {
          method: entry.RequestMethod,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(recordedHeader(entry.RequestHeaders ?? {}, 'Authorization') ? { Authorization: `Bearer ${access}` } : {}) },
          body: form?.toString(),
        });
        if (res.status === 200 && path.startsWith('/oauth2/exchange')) refresh = res.json<{ refresh_token: string }>().refresh_token;
        if (res.status === 200 && path.startsWith('/oauth2/token')) access = res.json<{ access_token: string }>().access_token;
        // The last catalog was recorded after a re-authentication (omitted); this token still holds.
        if (path.endsWith('_catalog') && res.status === 200) assert.deepEqual(res.json(), entry.ResponseBody, `${where}: catalog`);
        if (res.status === 401) {
          // 2021 appended error="invalid_token" even without a token; 2023 recordings do not.
          assert.ok(String(res.headers['www-authenticate']).startsWith(`Bearer realm="https://${host}/oauth2/token",service="${host}",scope="registry:catalog:*"`));
        }
      }
      assert.equal(res.status, entry.StatusCode, where);
    }
  });

  it('arm_importImage_no_wait_from_azcli: the POST alone answers 202 with Location; the import lands though nobody polls', async function () {
    // A fast setting: the import runs 300 ms instead of up to 10 s.
    em.setImportDurationMs(300);
    const [entry] = readContract<Recording>('recordings/arm_importImage_no_wait_from_azcli.json').Entries as [RecordedEntry];
    const uri = entry.RequestUri.replace('/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/resourcegroupsamesub/providers/Microsoft.ContainerRegistry/registries/sourceregistrysamesub000002', `/subscriptions/${SUB}/resourceGroups/ContainerTest/providers/Microsoft.ContainerRegistry/registries/beauxq`);
    const body = entry.RequestBody as { source: { sourceImage: string }; targetTags: string[]; mode: string };
    const res = await post(uri, { ...body, source: { resourceId: SOURCE, sourceImage: body.source.sourceImage } });
    assert.equal(res.status, entry.StatusCode);
    assertLocationForm(String(res.headers.location), em, 'EASTUS', '2021-06-01-preview');
    for (const name of ['cache-control', 'pragma', 'expires', 'x-content-type-options', 'strict-transport-security', 'x-ms-ratelimit-remaining-subscription-writes']) {
      assert.ok(res.headers[name], name);
    }
    // Azure runs the import server-side (`--no-wait`: "failures will not be reflected", not "nothing happens").
    const source = em.registry('mirror').tags('microsoft').get('azure-cli');
    for (let waited = 0; em.registry('beauxq').tags('microsoft').get('azure-cli') !== source && waited < 20_000; waited += 50) await sleep(50);
    assert.equal(em.registry('beauxq').tags('microsoft').get('azure-cli'), source, 'landed on its own clock');
    assert.equal(em.log.count('arm.importImage.poll'), 0, 'nobody polled');
  });
});
