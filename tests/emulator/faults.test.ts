import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { startEmulator, type ArrivingRequest, type Emulator, type RouteName } from '../../testkit/emulator';
import { FORM, SUB_A, TENANT, acrAccessToken, acrExchange, basicFixture, entraToken, form, registryId, request, sleep, type HttpResult } from './support';

const CONNECTION_ID = '4d3c2b1a-0000-4000-8000-00000000c0de';

describe('emulator: faults and hooks for the fault-injection suite', function () {
  let em: Emulator;
  let armToken: string;
  beforeEach(async function () {
    const fixture = basicFixture({ pipeline: { serviceConnections: [{ id: CONNECTION_ID, name: 'prod-acr' }] } });
    fixture.principals.push({ tenantId: TENANT, clientId: 'vm', managedIdentity: 'systemAssigned', roles: [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }] });
    em = await startEmulator({ fixture, importDurationMs: 0, importRetryAfterSeconds: 3 });
    armToken = await entraToken(em, 'owner', 'https://management.azure.com');
  });
  afterEach(() => em.stop());

  const importUrl = (): string => `${em.armEndpoint}/subscriptions/${SUB_A}/resourceGroups/dst-rg/providers/Microsoft.ContainerRegistry/registries/dst/importImage?api-version=2025-11-01`;
  const importBody = (sourceImage: string, targetTag: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ source: { resourceId: registryId(SUB_A, 'src-rg', 'src'), sourceImage, ...extra }, targetTags: [targetTag], mode: 'Force' });
  const postImport = (body: string): Promise<HttpResult> =>
    request(em.caPem, importUrl(), { method: 'POST', headers: { Authorization: `Bearer ${armToken}`, 'Content-Type': 'application/json' }, body });
  const armGet = (url: string): Promise<HttpResult> => request(em.caPem, url, { headers: { Authorization: `Bearer ${armToken}` } });

  describe('importHangs', function () {
    it('accepts the import, then answers every poll 202 running with Location and Retry-After; nothing is copied, even by completeImports', async function () {
      em.addFault({ route: 'arm.importImage', kind: 'importHangs' });
      const accepted = await postImport(importBody('app:1.0', 'app:1.0'));
      assert.equal(accepted.status, 202);
      const location = String(accepted.headers.location);
      for (let i = 0; i < 6; i++) {
        const poll = await armGet(location);
        assert.equal(poll.status, 202, `poll ${i + 1}`);
        assert.equal(poll.headers.location, location);
        assert.equal(poll.headers['retry-after'], '3');
        assert.deepEqual(poll.json(), { status: 'Accepted' });
      }
      assert.equal(em.completeImports(), 0, 'a hanging import never lands');
      assert.equal(em.registry('dst').tags('app').size, 0);
      // The fault fired once: the next import completes on its first poll.
      const next = await postImport(importBody('app:1.1', 'app:1.1'));
      assert.equal((await armGet(String(next.headers.location))).status, 200);
      assert.equal(em.registry('dst').tags('app').get('1.1'), em.registry('src').tags('app').get('1.1'));
      assert.equal((await armGet(location)).status, 202, 'the hung one still runs');
    });
  });

  describe('onRequest', function () {
    it('runs at arrival, before the answer: a source tag moved after the first import POST', async function () {
      const src = em.registry('src');
      const compared = src.tags('app').get('1.0') as string;
      let moved = '';
      const seen: ArrivingRequest[] = [];
      em.onRequest('arm.importImage', (r) => {
        seen.push(r);
        if (r.nth === 1) moved = src.push('app', '1.0', { kind: 'image', seed: 'rebuilt-1.0' });
      });
      // Pinned to the digest that was compared: the move does not change what is copied.
      const pinned = await postImport(importBody(`app@${compared}`, 'app:1.0'));
      assert.equal(pinned.status, 202);
      assert.notEqual(moved, '');
      assert.notEqual(moved, compared);
      assert.equal(src.tags('app').get('1.0'), moved, 'the source moved before the POST was answered');
      assert.equal((await armGet(String(pinned.headers.location))).status, 200);
      assert.equal(em.registry('dst').tags('app').get('1.0'), compared);
      assert.ok(em.registry('dst').hasManifest('app', compared));
      // By tag, the import copies what the tag names when it runs.
      const byTag = await postImport(importBody('app:1.0', 'app:latest'));
      await armGet(String(byTag.headers.location));
      assert.equal(em.registry('dst').tags('app').get('latest'), moved);
      assert.deepEqual(seen.map((r) => [r.nth, r.service, r.route, r.method]), [
        [1, 'arm', 'arm.importImage', 'POST'],
        [2, 'arm', 'arm.importImage', 'POST'],
      ]);
      assert.match(seen[0]?.url ?? '', /\/registries\/dst\/importImage\?api-version=2025-11-01$/);
      assert.deepEqual((seen[0]?.body as { targetTags: string[] }).targetTags, ['app:1.0']);
    });

    it('shows import bodies with source credentials redacted, and no body of other routes', async function () {
      const bodies: unknown[] = [];
      em.onRequest(['arm.importImage', 'entra.token'], (r) => void bodies.push(r.body));
      await postImport(importBody('app:1.0', 'app:1.0', { credentials: { username: 'u', password: 'pa55-w0rd' } }));
      await entraToken(em, 'owner', 'https://management.azure.com');
      assert.equal(bodies.length, 2);
      assert.deepEqual((bodies[0] as { source: { credentials: unknown } }).source.credentials, { username: '<redacted>', password: '<redacted>' });
      assert.equal(bodies[1], undefined, 'token requests carry secrets: never shown');
      assert.ok(!JSON.stringify(bodies).includes('pa55-w0rd'));
    });

    it('waits for a hook that returns a promise; counts per hook; unsubscribes; survives a hook that throws', async function () {
      const routes: RouteName[] = [];
      const all = em.onRequest('*', (r) => void routes.push(r.route));
      const off = em.onRequest('arm.registries.get', () => sleep(300));
      const started = Date.now();
      const get = await armGet(`${em.armEndpoint}/subscriptions/${SUB_A}/resourceGroups/src-rg/providers/Microsoft.ContainerRegistry/registries/src?api-version=2025-11-01`);
      assert.equal(get.status, 200);
      assert.ok(Date.now() - started >= 290, `answered after the hook: ${Date.now() - started} ms`);
      off();
      const quick = Date.now();
      await armGet(`${em.armEndpoint}/subscriptions/${SUB_A}/resourceGroups/src-rg/providers/Microsoft.ContainerRegistry/registries/src?api-version=2025-11-01`);
      assert.ok(Date.now() - quick < 290);
      all();
      assert.deepEqual(routes, ['arm.registries.get', 'arm.registries.get']);

      const stderr = process.stderr.write.bind(process.stderr);
      const written: string[] = [];
      process.stderr.write = ((chunk: string) => {
        written.push(String(chunk));
        return true;
      });
      try {
        em.onRequest('acr.v2', () => {
          throw new Error('hook broke');
        });
        const challenged = await request(em.caPem, `https://${em.registry('src').loginServer}/v2/`);
        assert.equal(challenged.status, 401, 'the request goes on');
      } finally {
        process.stderr.write = stderr;
      }
      assert.ok(written.some((w) => w.includes('hook broke')));
    });

    it('can kill a client process after N imports', async function () {
      const script = `
        const https = require('node:https');
        const post = () => new Promise((resolve) => {
          const req = https.request(process.env.URL, { method: 'POST', ca: process.env.CA, agent: false,
            headers: { Authorization: 'Bearer ' + process.env.TOKEN, 'Content-Type': 'application/json' } }, (res) => { res.resume(); res.on('end', resolve); });
          req.on('error', resolve);
          req.end(process.env.BODY);
        });
        (async () => { for (;;) await post(); })();`;
      const child = spawn(process.execPath, ['-e', script], {
        env: { ...process.env, URL: importUrl(), CA: em.caPem, TOKEN: armToken, BODY: importBody('app:1.0', 'app:1.0') },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      em.onRequest('arm.importImage', (r) => {
        if (r.nth === 3) child.kill('SIGKILL');
      });
      assert.equal(await exited, 'SIGKILL');
      await sleep(100);
      const posts = em.log.count('arm.importImage');
      assert.ok(posts >= 2 && posts <= 3, `the third import POST was the last (${posts} logged)`);
      await sleep(300);
      assert.equal(em.log.count('arm.importImage'), posts, 'no more imports after the kill');
    });
  });

  describe('reset, hang and status on every route', function () {
    /** One request per route, the way clients send it. */
    const senders = (): Record<string, { route: RouteName; send: (timeoutMs?: number) => Promise<HttpResult> }> => ({
      'Entra v2 token': {
        route: 'entra.token',
        send: (timeoutMs) =>
          request(em.caPem, `${em.authorityHost}/${TENANT}/oauth2/v2.0/token`, {
            method: 'POST',
            headers: FORM,
            body: form({ grant_type: 'client_credentials', client_id: 'owner', client_secret: 'secret-of-owner', scope: 'https://management.azure.com/.default' }),
            timeoutMs,
          }),
      },
      'Entra v1 token': {
        route: 'entra.tokenV1',
        send: (timeoutMs) =>
          request(em.caPem, `${em.authorityHost}/${TENANT}/oauth2/token`, {
            method: 'POST',
            headers: FORM,
            body: form({ grant_type: 'client_credentials', client_id: 'owner', client_secret: 'secret-of-owner', resource: 'https://management.azure.com/' }),
            timeoutMs,
          }),
      },
      'pipeline OIDC': {
        route: 'pipeline.oidcToken',
        send: (timeoutMs) =>
          request(em.caPem, `${em.pipeline.oidcRequestUri}?api-version=7.1&serviceConnectionId=${CONNECTION_ID}`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${em.pipeline.systemAccessToken}`, 'Content-Type': 'application/json' },
            body: '{}',
            timeoutMs,
          }),
      },
      'managed identity': {
        route: 'identity.token',
        send: (timeoutMs) =>
          request(em.caPem, `${em.managedIdentity.endpoint}?api-version=2019-08-01&resource=${encodeURIComponent(em.armEndpoint)}`, {
            headers: { 'X-IDENTITY-HEADER': em.managedIdentity.header },
            timeoutMs,
          }),
      },
      'ARM permissions': {
        route: 'arm.permissions',
        send: (timeoutMs) =>
          request(em.caPem, `${em.armEndpoint}${registryId(SUB_A, 'dst-rg', 'dst')}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`, {
            headers: { Authorization: `Bearer ${armToken}` },
            timeoutMs,
          }),
      },
      'ACR token': {
        route: 'acr.exchange',
        send: (timeoutMs) => acrExchange(em, 'src', 'owner', timeoutMs),
      },
    });

    for (const name of ['Entra v2 token', 'Entra v1 token', 'pipeline OIDC', 'managed identity', 'ARM permissions', 'ACR token']) {
      it(`${name}: reset, then hang, then answered again`, async function () {
        const { route, send } = senders()[name];
        const answered = em.log.count(route, 200);
        em.addFault({ route, kind: 'reset' });
        await assert.rejects(send(), (e: NodeJS.ErrnoException) => ['ECONNRESET', 'EPIPE'].includes(e.code ?? '') || /socket hang up/.test(e.message));
        em.addFault({ route, kind: 'hang' });
        await assert.rejects(send(300), /timed out after 300 ms/);
        const ok = await send();
        assert.equal(ok.status, 200, ok.text);
        assert.equal(em.log.count(route, 200), answered + 1);
        assert.equal(em.log.count(route, 0), 2, 'the reset and the hang are logged without a status');
      });
    }

    it('status faults on polls: 503 with Retry-After in ARM’s shape, then the poll answers', async function () {
      em.addFault({ route: 'arm.importImage.poll', kind: 'status', status: 503, retryAfterSeconds: 2 });
      em.addFault({ route: 'arm.importImage.poll', kind: 'status', status: 429, after: 1 });
      const accepted = await postImport(importBody('app:1.0', 'app:1.0'));
      const location = String(accepted.headers.location);
      const unavailable = await armGet(location);
      assert.equal(unavailable.status, 503);
      assert.equal(unavailable.headers['retry-after'], '2');
      assert.equal(unavailable.json<{ error: { code: string } }>().error.code, 'ServiceUnavailable');
      const throttled = await armGet(location);
      assert.equal(throttled.status, 429);
      assert.equal(throttled.json<{ error: { code: string } }>().error.code, 'TooManyRequests');
      // The import ran on its own clock (done as accepted here); the faulted polls only failed to see it.
      assert.equal(em.registry('dst').tags('app').get('1.0'), em.registry('src').tags('app').get('1.0'));
      const done = await armGet(location);
      assert.equal(done.status, 200);
      assert.deepEqual(done.json(), { status: 'Succeeded' });
      assert.equal(em.log.count('arm.importImage.poll', 503), 1);
      assert.equal(em.log.count('arm.importImage.poll', 429), 1);
    });
  });

  describe('latency', function () {
    it('costs only the delay: concurrent requests wait side by side, not in turn', async function () {
      em.setLatency(150);
      const host = em.registry('src').loginServer;
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 20 }, () => request(em.caPem, `https://${host}/v2/`)));
      const elapsed = Date.now() - started;
      assert.ok(answers.every((a) => a.status === 401));
      assert.ok(elapsed >= 150, `${elapsed} ms`);
      assert.ok(elapsed < 150 * 5, `20 requests of 150 ms at once took ${elapsed} ms (in turn would be 3,000)`);
      for (const e of em.log.entries().filter((x) => x.route === 'acr.v2')) assert.ok(e.finishedAt - e.startedAt >= 149);
    });
  });

  describe('request log', function () {
    it('keeps exact counts without entries when asked (keepLogEntries: false)', async function () {
      const lean = await startEmulator({ fixture: basicFixture(), keepLogEntries: false });
      try {
        const token = await acrAccessToken(lean, 'src', 'owner', ['registry:catalog:*']);
        const host = lean.registry('src').loginServer;
        for (let i = 0; i < 3; i++) await request(lean.caPem, `https://${host}/acr/v1/_catalog`, { headers: { Authorization: `Bearer ${token}` } });
        await request(lean.caPem, `https://${host}/acr/v1/_catalog`);
        assert.equal(lean.log.entries().length, 0);
        assert.equal(lean.log.count('acr.catalog'), 4);
        assert.equal(lean.log.count('acr.catalog', 200), 3);
        assert.equal(lean.log.count('acr.catalog', 401), 1);
        assert.deepEqual(lean.log.countsByRoute(), { 'entra.token': 1, 'acr.exchange': 1, 'acr.token': 1, 'acr.catalog': 4 });
        lean.log.clear();
        assert.equal(lean.log.count('acr.catalog'), 0);
      } finally {
        await lean.stop();
      }
    });
  });

  describe('tokens', function () {
    it('an access token used once is still refused once it expires (verified tokens are remembered, expiry is not)', async function () {
      em.setTokenLifetimeSeconds(1);
      const token = await acrAccessToken(em, 'src', 'owner', ['registry:catalog:*']);
      const catalog = (): Promise<HttpResult> => request(em.caPem, `https://${em.registry('src').loginServer}/acr/v1/_catalog`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal((await catalog()).status, 200);
      assert.equal((await catalog()).status, 200);
      await sleep(1100);
      const expired = await catalog();
      assert.equal(expired.status, 401);
      assert.match(String(expired.headers['www-authenticate']), /error="invalid_token"/);
    });
  });
});
