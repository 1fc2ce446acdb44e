import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { MeteringBucket, registryLimitResolver } from '../../testkit/emulator/throttling';
import { ACCEPT_MANIFESTS, FORM, SUB_A, SUB_B, TENANT, acrAccessToken, acrExchange, entraToken, images, principal, registryId, request, sleep, type HttpResult } from './support';

const WRITES = 'x-ms-ratelimit-remaining-subscription-writes';
const READS = 'x-ms-ratelimit-remaining-subscription-reads';
const CALLS = 'x-ms-ratelimit-remaining-calls-per-second';

/** Source and target in SUB_A (registries of each SKU), one more registry in SUB_B. */
function fixture(): Fixture {
  return {
    principals: [
      principal('owner', [
        { role: 'Owner', scope: `/subscriptions/${SUB_A}` },
        { role: 'Owner', scope: `/subscriptions/${SUB_B}` },
      ]),
    ],
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT,
        registries: [
          { name: 'src', resourceGroup: 'rg', sku: 'Basic', repositories: { app: images(3) } },
          { name: 'dst', resourceGroup: 'rg', sku: 'Standard' },
          { name: 'prem', resourceGroup: 'rg', sku: 'Premium', repositories: { app: images(1) } },
        ],
      },
      { id: SUB_B, tenantId: TENANT, registries: [{ name: 'other', resourceGroup: 'rg' }] },
    ],
  };
}

describe('emulator: throttling', function () {
  let em: Emulator;
  let armToken: string;
  afterEach(() => em?.stop());

  async function start(options: Partial<Parameters<typeof startEmulator>[0]> = {}): Promise<void> {
    em = await startEmulator({ fixture: fixture(), importDurationMs: 0, ...options });
    armToken = await entraToken(em, 'owner', 'https://management.azure.com');
  }

  const importUrl = (sub = SUB_A, registry = 'dst'): string =>
    `${em.armEndpoint}/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/${registry}/importImage?api-version=2025-11-01`;
  const importBody = (tag: string): string =>
    JSON.stringify({ source: { resourceId: registryId(SUB_A, 'rg', 'src'), sourceImage: 'app:t0' }, targetTags: [`app:${tag}`], mode: 'Force' });
  const postImport = (tag: string, sub = SUB_A, registry = 'dst'): Promise<HttpResult> =>
    request(em.caPem, importUrl(sub, registry), { method: 'POST', headers: { Authorization: `Bearer ${armToken}`, 'Content-Type': 'application/json' }, body: importBody(tag) });
  const armGet = (url: string): Promise<HttpResult> => request(em.caPem, url, { headers: { Authorization: `Bearer ${armToken}` } });
  const registryGet = (sub = SUB_A, name = 'dst'): Promise<HttpResult> =>
    armGet(`${em.armEndpoint}/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/${name}?api-version=2025-11-01`);

  describe('ARM subscription buckets', function () {
    it('writes: a burst of `capacity` imports, then 429 SubscriptionRequestsThrottled with Retry-After; the header counts down', async function () {
      await start({ armThrottling: { writes: { capacity: 4, refillPerSecond: 0.5 } } });
      const remaining: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await postImport(`b${i}`);
        assert.equal(res.status, 202);
        remaining.push(String(res.headers[WRITES]));
      }
      assert.deepEqual(remaining, ['3', '2', '1', '0']);
      const throttled = await postImport('b4');
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers[WRITES], '0');
      const retryAfter = String(throttled.headers['retry-after']);
      assert.ok(['1', '2'].includes(retryAfter), `a token is back within 2 s at 0.5/s (Retry-After ${retryAfter})`);
      const error = throttled.json<{ error: { code: string; message: string } }>().error;
      assert.equal(error.code, 'SubscriptionRequestsThrottled');
      assert.match(error.message, new RegExp(`^Number of 'write' requests for subscription '${SUB_A}' actions 'Microsoft\\.ContainerRegistry/registries/importImage/action' exceeded\\. Please try again after '${retryAfter}' seconds after additional tokens are available\\.`));
      assert.equal(em.log.count('arm.importImage', 429), 1);
      // The log keeps the Retry-After answered (the bench holds retries against it): the 202s' poll interval, the 429's wait.
      assert.deepEqual(
        em.log.entries().filter((e) => e.route === 'arm.importImage').map((e) => e.retryAfter),
        ['10', '10', '10', '10', retryAfter],
      );
      assert.equal(em.log.count('arm.importImage', 202), 4);
      assert.equal(em.log.count('arm.importImage'), 5);
      // Reads have their own bucket (off here): a GET is not refused.
      assert.equal((await registryGet()).status, 200);
    });

    it('a scripted 429 on an import is logged with the import it refused and the Retry-After it asked (what tells its retry apart)', async function () {
      await start();
      em.addFault({ route: 'arm.importImage', kind: 'status', status: 429, retryAfterSeconds: 3, after: 1 });
      assert.equal((await postImport('a')).status, 202);
      assert.equal((await postImport('b')).status, 429);
      assert.equal((await postImport('b')).status, 202);
      const posts = em.log.entries().filter((e) => e.route === 'arm.importImage');
      assert.deepEqual(posts.map((e) => [e.status, e.retryAfter]), [[202, '10'], [429, '3'], [202, '10']]);
      assert.deepEqual(posts[1]?.body, posts[2]?.body);
      assert.notDeepEqual(posts[0]?.body, posts[1]?.body);
    });

    it('writes at ARM’s limits: a burst of 200 (plus what 10/s refills meanwhile), then 429s with Retry-After 1', async function () {
      await start({ armThrottling: true });
      const started = Date.now();
      const answers: HttpResult[] = [];
      for (let wave = 0; wave < 10; wave++) answers.push(...(await Promise.all(Array.from({ length: 30 }, (_, i) => postImport(`d${wave}-${i}`)))));
      const seconds = (Date.now() - started) / 1000;
      const accepted = answers.filter((a) => a.status === 202).length;
      const throttled = answers.filter((a) => a.status === 429);
      assert.ok(accepted >= 200 && accepted <= 200 + Math.ceil(seconds * 10) + 1, `${accepted} accepted in ${seconds} s`);
      assert.equal(accepted + throttled.length, 300);
      assert.ok(throttled.length > 0);
      assert.ok(throttled.every((t) => t.headers['retry-after'] === '1' && t.headers[WRITES] === '0'));
      assert.equal(em.log.count('arm.importImage', 429), throttled.length);
      assert.equal((await registryGet()).headers[READS], '249', 'reads: a bucket of 250');
    });

    it('writes: tokens come back at the refill rate, never above capacity', async function () {
      await start({ armThrottling: { writes: { capacity: 2, refillPerSecond: 2 } } });
      assert.equal((await postImport('a')).status, 202);
      assert.equal((await postImport('b')).status, 202);
      const refused = await postImport('c');
      assert.equal(refused.status, 429);
      assert.equal(refused.headers['retry-after'], '1', 'less than a second to wait is still 1');
      await sleep(1600); // 3.2 tokens' worth at 2/s, capped at 2
      const first = await postImport('c');
      assert.equal(first.status, 202);
      assert.equal(first.headers[WRITES], '1');
      assert.equal((await postImport('d')).status, 202);
      assert.equal((await postImport('e')).status, 429);
    });

    it('the bucket is per subscription', async function () {
      await start({ armThrottling: { writes: { capacity: 1, refillPerSecond: 0.1 } } });
      assert.equal((await postImport('a')).status, 202);
      assert.equal((await postImport('b')).status, 429);
      // SUB_B's bucket is untouched (the import itself then fails later; the POST is accepted).
      const other = await postImport('a', SUB_B, 'other');
      assert.equal(other.status, 202);
      assert.equal(other.headers[WRITES], '0');
    });

    it('reads: LRO polls and registry GETs share the read bucket and are refused when it is empty', async function () {
      await start({ armThrottling: { reads: { capacity: 3, refillPerSecond: 0.5 } } });
      const accepted = await postImport('x');
      assert.equal(accepted.status, 202);
      assert.equal(accepted.headers[WRITES], '199', 'writes unmetered: the recorded constant');
      const location = String(accepted.headers.location);
      const get = await registryGet();
      assert.equal(get.headers[READS], '2');
      const poll = await armGet(location);
      assert.equal(poll.status, 200);
      assert.equal(poll.headers[READS], '1');
      assert.equal((await armGet(location)).headers[READS], '0');
      const refused = await armGet(location);
      assert.equal(refused.status, 429);
      assert.ok(['1', '2'].includes(String(refused.headers['retry-after'])));
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'SubscriptionRequestsThrottled');
      assert.match(refused.json<{ error: { message: string } }>().error.message, /^Number of 'read' requests for subscription .* actions 'Microsoft\.ContainerRegistry\/locations\/operationResults\/read' exceeded/);
      assert.equal((await registryGet()).status, 429);
      assert.equal(em.log.count('arm.importImage.poll', 429), 1);
      assert.equal(em.log.count('arm.registries.get', 429), 1);
    });

    it('every ARM answer after sign-in carries its bucket header, errors included', async function () {
      await start({ armThrottling: true });
      const missing = await armGet(`${em.armEndpoint}/subscriptions/${SUB_A}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/nope?api-version=2025-11-01`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers[READS], '249', 'ARM’s read bucket of 250');
      const bad = await request(em.caPem, importUrl(), { method: 'POST', headers: { Authorization: `Bearer ${armToken}`, 'Content-Type': 'application/json' }, body: '{' });
      assert.equal(bad.status, 400);
      assert.equal(bad.headers[WRITES], '199', 'ARM’s write bucket of 200');
    });

    it('switches and resizes at run time; a changed bucket starts full', async function () {
      await start();
      em.setArmThrottling({ writes: { capacity: 1, refillPerSecond: 0.1 } });
      assert.equal((await postImport('a')).status, 202);
      assert.equal((await postImport('b')).status, 429);
      em.setArmThrottling({ reads: { capacity: 1, refillPerSecond: 0.1 } });
      assert.equal((await postImport('b')).status, 429, 'changing reads leaves writes as they were');
      em.setArmThrottling({ writes: { capacity: 2 } });
      const resized = await postImport('b');
      assert.equal(resized.status, 202);
      assert.equal(resized.headers[WRITES], '1', 'a fresh bucket of 2');
      em.setArmThrottling(false);
      for (let i = 0; i < 5; i++) assert.equal((await postImport(`off${i}`)).status, 202);
      assert.equal((await registryGet()).status, 200);
      assert.equal((await registryGet()).headers[READS], '249');
      assert.throws(() => em.setArmThrottling({ writes: { capacity: 0 } }), /capacity/);
      assert.throws(() => em.setArmThrottling({ reads: { refillPerSecond: 0 } }), /refillPerSecond/);
    });

    it('a throttled POST does not use up an import fault meant for the import', async function () {
      await start({ armThrottling: { writes: { capacity: 1, refillPerSecond: 1 } } });
      assert.equal((await postImport('ok')).status, 202);
      em.addFault({ route: 'arm.importImage', kind: 'importFails', code: 'InvalidParameters', message: 'Error copying blobs.' });
      assert.equal((await postImport('failing')).status, 429);
      await sleep(1100);
      const accepted = await postImport('failing');
      assert.equal(accepted.status, 202);
      const outcome = await armGet(String(accepted.headers.location));
      assert.equal(outcome.status, 400);
      assert.equal(outcome.json<{ error: { message: string } }>().error.message, 'Error copying blobs.');
    });
  });

  describe('registry read limits', function () {
    const tokenRequest = (registry: string): Promise<HttpResult> => acrExchange(em, registry, 'owner');

    it('by SKU: Basic 1,000, Standard 3,000, Premium 10,000 reads a minute (the token routes report the rest ÷ 60)', async function () {
      // The buckets on a virtual clock: on a loaded machine the requests below can take longer
      // than the 60 ms in which a Basic registry gets a read back (it once reported 16.65 for 998).
      let now = 0;
      await start({ registryThrottling: true, throttlingClock: () => now });
      assert.equal((await tokenRequest('src')).headers[CALLS], '16.65', 'Basic: 999 ÷ 60');
      assert.equal((await tokenRequest('dst')).headers[CALLS], '49.983333', 'Standard: 2,999 ÷ 60');
      assert.equal((await tokenRequest('prem')).headers[CALLS], '166.65', 'Premium: 9,999 ÷ 60, as recorded');
      assert.equal((await tokenRequest('src')).headers[CALLS], '16.633333', 'Basic: 998 ÷ 60, no time having passed');
      now += 60;
      assert.equal((await tokenRequest('src')).headers[CALLS], '16.633333', 'one read back after 60 ms (1,000 a minute), one spent');
      now += 60_000;
      assert.equal((await tokenRequest('src')).headers[CALLS], '16.65', 'full again after a minute: 999 after this read');
      const resolve = registryLimitResolver({ default: 'sku', registries: { dst: 120, prem: { readsPerMinute: 60, capacity: 5 }, src: false } }, (n) =>
        ({ src: 'Basic', dst: 'Standard', prem: 'Premium', other: 'Basic' })[n] as 'Basic' | 'Standard' | 'Premium' | undefined,
      );
      assert.equal(resolve('src'), undefined, 'an entry of false turns one registry off');
      assert.deepEqual(resolve('dst'), { capacity: 120, refillPerSecond: 2 });
      assert.deepEqual(resolve('prem'), { capacity: 5, refillPerSecond: 1 });
      assert.deepEqual(resolve('other'), { capacity: 1000, refillPerSecond: 1000 / 60 });
      assert.equal(resolve('unknown'), undefined);
    });

    it('an empty budget answers 429 TOOMANYREQUESTS with Retry-After; other registries are not affected; writes are not reads', async function () {
      await start();
      const token = await acrAccessToken(em, 'src', 'owner', ['repository:app:pull,push,metadata_read']);
      em.setRegistryThrottling({ registries: { src: { readsPerMinute: 60, capacity: 3 } } });
      const host = em.registry('src').loginServer;
      const tags = (): Promise<HttpResult> => request(em.caPem, `https://${host}/acr/v1/app/_tags`, { headers: { Authorization: `Bearer ${token}` } });
      for (let i = 0; i < 3; i++) assert.equal((await tags()).status, 200);
      const refused = await tags();
      assert.equal(refused.status, 429);
      assert.equal(refused.headers['retry-after'], '1');
      assert.equal(refused.json<{ errors: { code: string }[] }>().errors[0]?.code, 'TOOMANYREQUESTS');
      // The challenge and manifest reads count too: still refused.
      assert.equal((await request(em.caPem, `https://${host}/v2/`)).status, 429);
      assert.equal((await request(em.caPem, `https://${host}/v2/app/manifests/t0`, { method: 'HEAD', headers: { Authorization: `Bearer ${token}` } })).status, 429);
      // A push is a write, not metered as a read.
      const manifest = await request(em.caPem, `https://${em.registry('prem').loginServer}/v2/app/manifests/t0`, {
        headers: { Authorization: `Bearer ${await acrAccessToken(em, 'prem', 'owner', ['repository:app:pull'])}`, Accept: ACCEPT_MANIFESTS },
      });
      assert.equal(manifest.status, 200, 'another registry reads on');
      const put = await request(em.caPem, `https://${host}/v2/app/manifests/pushed`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': String(manifest.headers['content-type']) },
        body: manifest.body,
      });
      assert.equal(put.status, 201);
      assert.equal(em.log.count('acr.tags', 429), 1);
      assert.deepEqual(em.log.entries().filter((e) => e.status === 429).map((e) => e.retryAfter), ['1', '1', '1']);
      // A refused token request still names the scopes it asked, granted none.
      const refusedToken = await request(em.caPem, `https://${host}/oauth2/token`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ grant_type: 'refresh_token', service: host, scope: 'repository:app:pull repository:b:pull', refresh_token: 'not-read' }).toString(),
      });
      assert.equal(refusedToken.status, 429);
      assert.deepEqual(em.log.entries().filter((e) => e.route === 'acr.token' && e.status === 429).map((e) => e.body), [{ scopes: ['repository:app:pull', 'repository:b:pull'], granted: [] }]);
      await sleep(1100);
      assert.equal((await tags()).status, 200, 'one read a second comes back');
    });

    it('switches at run time and is off by default', async function () {
      await start();
      const token = await acrAccessToken(em, 'src', 'owner', ['repository:app:metadata_read']);
      const host = em.registry('src').loginServer;
      const tags = (): Promise<HttpResult> => request(em.caPem, `https://${host}/acr/v1/app/_tags`, { headers: { Authorization: `Bearer ${token}` } });
      em.setRegistryThrottling({ default: { readsPerMinute: 6, capacity: 1 } });
      assert.equal((await tags()).status, 200);
      assert.equal((await tags()).status, 429);
      assert.equal((await tags()).headers['retry-after'], '10');
      em.setRegistryThrottling(false);
      for (let i = 0; i < 5; i++) assert.equal((await tags()).status, 200);
      assert.throws(() => em.setRegistryThrottling({ default: -1 }), /capacity/);
    });
  });

  describe('off by default', function () {
    it('no budget refuses: 205 import POSTs and 260 ARM reads pass, with the recorded constant headers', async function () {
      await start();
      const statuses = new Map<number, number>();
      const headers = new Set<string>();
      for (let wave = 0; wave < 41; wave++) {
        const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => postImport(`w${wave}-${i}`)));
        for (const a of answers) {
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          headers.add(String(a.headers[WRITES]));
        }
      }
      assert.deepEqual([...statuses], [[202, 205]]);
      assert.deepEqual([...headers], ['199']);
      const reads = new Set<string>();
      for (let wave = 0; wave < 26; wave++) {
        const answers = await Promise.all(Array.from({ length: 10 }, () => registryGet()));
        for (const a of answers) {
          assert.equal(a.status, 200);
          reads.add(String(a.headers[READS]));
        }
      }
      assert.deepEqual([...reads], ['249']);
      assert.equal((await acrExchange(em, 'src', 'owner')).headers[CALLS], '166.65', 'a Basic registry too: the recorded constant');
    });
  });

  it('MeteringBucket: whole seconds until a token is back, at least 1', function () {
    let now = 0;
    const bucket = new MeteringBucket({ capacity: 2, refillPerSecond: 0.25 }, () => now);
    assert.deepEqual(bucket.take(), { allowed: true, remaining: 1 });
    assert.deepEqual(bucket.take(), { allowed: true, remaining: 0 });
    assert.deepEqual(bucket.take(), { allowed: false, remaining: 0, retryAfterSeconds: 4 });
    now = 3900;
    assert.equal(bucket.take().retryAfterSeconds, 1, '0.025 of a token missing: still 1 s');
    now = 4000;
    assert.deepEqual(bucket.take(), { allowed: true, remaining: 0 });
    now = 1_000_000;
    assert.equal(bucket.remaining(), 2, 'never above capacity');
  });
});
