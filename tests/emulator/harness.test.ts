import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startEmulator, type Emulator } from '../../testkit/emulator';
import { FORM, SUB_A, TENANT, acrAccessToken, basicFixture, entraToken, form, request } from './support';

describe('emulator: harness', function () {
  let em: Emulator;
  beforeEach(async function () {
    em = await startEmulator({ fixture: basicFixture() });
  });
  afterEach(() => em.stop());

  const listUrl = (): string => `${em.armEndpoint}/subscriptions/${SUB_A}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`;
  const armList = async () => request(em.caPem, listUrl(), { headers: { Authorization: `Bearer ${await entraToken(em, 'owner', 'https://management.azure.com')}` } });

  it('writes the CA to <workDir>/ca.pem', async function () {
    const workDir = await mkdtemp(join(tmpdir(), 'emu-test-'));
    const other = await startEmulator({ fixture: basicFixture(), workDir });
    try {
      assert.equal(other.caFile, join(workDir, 'ca.pem'));
      assert.equal(await readFile(other.caFile, 'utf8'), other.caPem);
      assert.match(other.caPem, /^-----BEGIN CERTIFICATE-----/);
      assert.notEqual(other.caPem, em.caPem, 'a fresh CA per start');
      await assert.rejects(request(em.caPem, `${other.armEndpoint}/`), /certificate/i, 'another run’s CA is not trusted');
    } finally {
      await other.stop();
      await rm(workDir, { recursive: true, force: true });
    }
  });

  it('logs every request with route, status and timing, and counts per route', async function () {
    await armList();
    const entries = em.log.entries();
    assert.deepEqual(entries.map((e) => [e.service, e.route, e.method, e.status]), [
      ['entra', 'entra.token', 'POST', 200],
      ['arm', 'arm.registries.list', 'GET', 200],
    ]);
    const list = entries[1];
    assert.ok(list && list.url.startsWith(`/subscriptions/${SUB_A}/providers/`));
    assert.ok(list && list.finishedAt >= list.startedAt && list.seq > (entries[0]?.seq ?? 0));
    assert.deepEqual(em.log.countsByRoute(), { 'entra.token': 1, 'arm.registries.list': 1 });
    assert.equal(em.log.count('arm.registries.list', 200), 1);
    assert.equal(em.log.count('arm.registries.list', 500), 0);
    em.log.clear();
    assert.equal(em.log.entries().length, 0);
  });

  it('never logs secrets or tokens', async function () {
    const token = await acrAccessToken(em, 'src', 'owner', ['registry:catalog:*']);
    await request(em.caPem, `https://${em.registry('src').loginServer}/acr/v1/_catalog`, { headers: { Authorization: `Bearer ${token}` } });
    const dump = JSON.stringify(em.log.entries());
    assert.ok(!dump.includes('secret-of-owner'));
    assert.ok(!dump.includes(token));
    assert.ok(!dump.includes('eyJ'), 'no JWT at all');
    assert.deepEqual(
      em.log.entries().map((e) => `${e.service} ${e.route}`),
      ['entra entra.token', 'acr:src acr.exchange', 'acr:src acr.token', 'acr:src acr.catalog'],
    );
  });

  it('injects a status fault with Retry-After and the service’s error shape, after/times counted', async function () {
    em.addFault({ route: 'arm.registries.list', kind: 'status', status: 429, retryAfterSeconds: 7, after: 1, times: 2 });
    assert.equal((await armList()).status, 200, 'first request skipped');
    const throttled = await armList();
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '7');
    assert.equal(throttled.json<{ error: { code: string } }>().error.code, 'TooManyRequests');
    assert.equal((await armList()).status, 429);
    assert.equal((await armList()).status, 200, 'fired twice only');
    assert.equal(em.log.count('arm.registries.list', 429), 2);

    em.addFault({ route: 'acr.catalog', kind: 'status', status: 429 });
    const token = await acrAccessToken(em, 'src', 'owner', ['registry:catalog:*']);
    const acr = await request(em.caPem, `https://${em.registry('src').loginServer}/acr/v1/_catalog`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(acr.status, 429);
    assert.equal(acr.json<{ errors: { code: string }[] }>().errors[0]?.code, 'TOOMANYREQUESTS');
    assert.equal(acr.headers['docker-distribution-api-version'], 'registry/2.0');

    em.addFault({ route: 'entra.token', kind: 'status', status: 503, body: { custom: true } });
    await assert.rejects(entraToken(em, 'owner', 'https://x'), /503 \{"custom":true\}/);
  });

  it('matches urlIncludes and clears faults', async function () {
    em.addFault({ route: 'arm.registries.list', urlIncludes: 'skipToken', kind: 'status', status: 500, times: Infinity });
    assert.equal((await armList()).status, 200);
    em.addFault({ route: 'arm.registries.list', kind: 'status', status: 500, times: Infinity });
    assert.equal((await armList()).status, 500);
    assert.equal((await armList()).status, 500);
    em.clearFaults();
    assert.equal((await armList()).status, 200);
  });

  it('resets the connection', async function () {
    em.addFault({ route: 'arm.registries.list', kind: 'reset' });
    await assert.rejects(armList(), (e: NodeJS.ErrnoException) => ['ECONNRESET', 'EPIPE'].includes(e.code ?? '') || /socket hang up/.test(e.message));
    assert.equal((await armList()).status, 200);
    assert.equal(em.log.count('arm.registries.list', 0), 1, 'the reset is logged with status 0');
  });

  it('hangs a request until stop, and stop() ends promptly', async function () {
    em.addFault({ route: 'acr.v2', kind: 'hang' });
    const hung = request(em.caPem, `https://${em.registry('src').loginServer}/v2/`);
    const outcome = hung.then(
      () => 'answered',
      () => 'closed',
    );
    const raced = await Promise.race([outcome, new Promise((r) => setTimeout(() => r('still waiting'), 300))]);
    assert.equal(raced, 'still waiting');
    const started = Date.now();
    await em.stop();
    assert.ok(Date.now() - started < 1000, `stop took ${Date.now() - started} ms`);
    assert.equal(await outcome, 'closed');
  });

  it('adds latency before every answer', async function () {
    const token = await entraToken(em, 'owner', 'https://management.azure.com');
    em.setLatency(250);
    const started = Date.now();
    const res = await request(em.caPem, listUrl(), { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 240, `took ${Date.now() - started} ms`);
    em.setLatency(0);
    const quick = Date.now();
    await request(em.caPem, listUrl(), { headers: { Authorization: `Bearer ${token}` } });
    assert.ok(Date.now() - quick < 200);
  });

  it('lets the harness push, lock and delete after start, visible over HTTPS', async function () {
    const src = em.registry('src');
    const digest = src.push('fresh/repo', 'v1', { kind: 'image', seed: 'fresh' });
    assert.equal(src.push('fresh/repo', 'v2', { kind: 'image', seed: 'fresh' }), digest, 'same content, same digest');
    src.setTagWriteEnabled('fresh/repo', 'v1', false);
    const token = await acrAccessToken(em, 'src', 'owner', ['repository:fresh/repo:metadata_read', 'registry:catalog:*']);
    const tags = await request(em.caPem, `https://${src.loginServer}/acr/v1/fresh%2Frepo/_tags`, { headers: { Authorization: `Bearer ${token}` } });
    const body = tags.json<{ tags: { name: string; digest: string; changeableAttributes: { writeEnabled: boolean } }[] }>();
    assert.deepEqual(body.tags.map((t) => [t.name, t.digest, t.changeableAttributes.writeEnabled]), [
      ['v1', digest, false],
      ['v2', digest, true],
    ]);
    src.deleteTag('fresh/repo', 'v2');
    assert.deepEqual([...src.tags('fresh/repo').keys()], ['v1']);
    assert.ok(src.repositories().includes('fresh/repo'));
    assert.throws(() => em.registry('ghost'), /no registry 'ghost'/);
  });

  it('answers unknown routes with 404 in the service’s shape', async function () {
    const arm = await request(em.caPem, `${em.armEndpoint}/nothing/here`);
    assert.equal(arm.status, 404);
    assert.ok(arm.json<{ error: { code: string } }>().error.code);
    const entra = await request(em.caPem, `${em.authorityHost}/x/y`, { method: 'POST', headers: FORM, body: form({}) });
    assert.equal(entra.status, 404);
    assert.match(entra.json<{ error_description: string }>().error_description, /^AADSTS/);
    assert.equal(em.log.count('other'), 2);
  });
});

describe('emulator: main.ts process', function () {
  it('starts from a fixture file, prints one JSON line, serves, and exits on SIGTERM', async function () {
    const dir = await mkdtemp(join(tmpdir(), 'emu-main-'));
    const fixturePath = join(dir, 'fixture.json');
    await writeFile(fixturePath, JSON.stringify(basicFixture()));
    const main = resolve(__dirname, '../../testkit/emulator/main.js');
    const child = spawn(process.execPath, [main, fixturePath, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolveLine, reject) => {
        createInterface({ input: child.stdout }).once('line', resolveLine);
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const info = JSON.parse(line) as { authorityHost: string; armEndpoint: string; caFile: string; registries: Record<string, { loginServer: string }> };
      assert.equal(info.caFile, join(dir, 'ca.pem'));
      const ca = await readFile(info.caFile, 'utf8');
      assert.match(info.registries.src?.loginServer ?? '', /^127\.0\.0\.1:\d+$/);
      const token = await request(ca, `${info.authorityHost}/${TENANT}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: FORM,
        body: form({ grant_type: 'client_credentials', client_id: 'owner', client_secret: 'secret-of-owner', scope: 'https://management.azure.com/.default' }),
      });
      assert.equal(token.status, 200);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
