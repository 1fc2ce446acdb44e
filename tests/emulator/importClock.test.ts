/**
 * importImage as Azure runs it: once accepted, an import runs server-side on the emulator's
 * own clock and lands after its duration whether or not anyone polls; polls only observe it.
 * Durations here are short or, where an exact order matters, long and ended by
 * `completeImports()`, so no assertion races the machine's speed.
 */
import { strict as assert } from 'node:assert';
import { ClientSecretCredential } from '@azure/identity';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../testkit/emulator';
import { SUB_A, TENANT, basicFixture, entraToken, registryId, request, sleep, type HttpResult } from './support';

const SRC = registryId(SUB_A, 'src-rg', 'src');
const DST = registryId(SUB_A, 'dst-rg', 'dst');
/** Longer than any test: an import with it lands only when the test says so. */
const UNTIL_TOLD = 600_000;

describe('emulator: importImage on its own clock', function () {
  let em: Emulator;
  let token: string;
  const start = async (options: Partial<EmulatorOptions> = {}): Promise<void> => {
    em = await startEmulator({ fixture: basicFixture(), importRetryAfterSeconds: 1, ...options });
    token = await entraToken(em, 'owner', 'https://management.azure.com');
  };
  afterEach(() => em.stop());

  const digestOf = (tag: string): string => em.registry('src').tags('app').get(tag) ?? '';
  const body = (tag: string, targetTag: string, mode: 'NoForce' | 'Force' = 'NoForce'): string =>
    JSON.stringify({ source: { resourceId: SRC, sourceImage: `app@${digestOf(tag)}` }, targetTags: [`app:${targetTag}`], mode });
  const post = (json: string): Promise<HttpResult> =>
    request(em.caPem, `${em.armEndpoint}${DST}/importImage?api-version=2025-11-01`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: json,
    });
  const poll = (location: string): Promise<HttpResult> => request(em.caPem, location, { headers: { Authorization: `Bearer ${token}` } });
  const errorOf = (res: HttpResult): { code: string; message: string } => res.json<{ error: { code: string; message: string } }>().error;

  it('lands after its duration though nobody polls; the first poll after that finds it Succeeded', async function () {
    await start({ importDurationMs: 400 });
    const posted = Date.now();
    const accepted = await post(body('1.0', 'late'));
    assert.equal(accepted.status, 202);
    // Only when the answer came back within the duration can the tag be known to be missing.
    if (Date.now() - posted < 400) assert.equal(em.registry('dst').tags('app').get('late'), undefined, 'not before its duration');
    while (em.registry('dst').tags('app').get('late') === undefined && Date.now() - posted < 20_000) await sleep(20);
    assert.equal(em.registry('dst').tags('app').get('late'), digestOf('1.0'));
    // Seen no earlier than it could have landed (timers may round down by a millisecond).
    assert.ok(Date.now() - posted >= 399, `landed ${Date.now() - posted} ms after the POST`);
    assert.equal(em.log.count('arm.importImage.poll'), 0, 'nobody polled');
    const done = await poll(String(accepted.headers.location));
    assert.equal(done.status, 200);
    assert.deepEqual(done.json(), { status: 'Succeeded' });
  });

  it('answers polls while it runs with 202 {"status":"Accepted"}, Location and Retry-After', async function () {
    await start({ importDurationMs: UNTIL_TOLD });
    const accepted = await post(body('1.0', 'running'));
    const location = String(accepted.headers.location);
    for (let i = 0; i < 3; i++) {
      const running = await poll(location);
      assert.equal(running.status, 202);
      assert.deepEqual(running.json(), { status: 'Accepted' });
      assert.equal(running.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(running.headers.location, location);
      assert.equal(running.headers['retry-after'], '1');
    }
    assert.equal(em.registry('dst').tags('app').size, 0);
    assert.equal(em.completeImports(), 1);
    assert.equal((await poll(location)).status, 200);
    assert.equal(em.registry('dst').tags('app').get('running'), digestOf('1.0'));
    assert.equal(em.completeImports(), 0, 'nothing left running');
  });

  it('fails a NoForce import over an existing tag before any copying begins: its first poll says so', async function () {
    await start({ importDurationMs: UNTIL_TOLD });
    const taken = em.registry('dst').push('app', 'taken', { kind: 'image', seed: 'other' });
    const accepted = await post(body('1.0', 'taken'));
    assert.equal(accepted.status, 202);
    const failed = await poll(String(accepted.headers.location));
    assert.equal(failed.status, 409);
    const error = errorOf(failed);
    assert.equal(error.code, 'InvalidParameters');
    assert.match(error.message, new RegExp(`^Operation registries-[0-9a-f-]{36} failed\\. Resource ${DST} app:taken Tag app:taken already exists in target registry\\.$`));
    assert.equal(em.registry('dst').tags('app').get('taken'), taken);
  });

  it('the race: two NoForce imports of one tag both accepted while it is missing — the first to land wins, the other conflicts and writes nothing', async function () {
    await start({ importDurationMs: UNTIL_TOLD });
    const first = await post(body('1.0', 'shared'));
    const second = await post(body('1.1', 'shared'));
    assert.deepEqual([first.status, second.status], [202, 202], 'both pass the checks at the start');
    assert.equal(em.completeImports(), 2);
    assert.equal((await poll(String(first.headers.location))).status, 200);
    const conflict = await poll(String(second.headers.location));
    assert.equal(conflict.status, 409);
    assert.match(errorOf(conflict).message, /app:shared Tag app:shared already exists in target registry\.$/);
    assert.equal(em.registry('dst').tags('app').get('shared'), digestOf('1.0'));
    assert.ok(!em.registry('dst').hasManifest('app', digestOf('1.1')), 'all or nothing');
  });

  it('Force imports of one tag: the last to land wins, whatever the order of the POSTs', async function () {
    await start({ importDurationMs: UNTIL_TOLD });
    const slow = await post(body('1.0', 'moving', 'Force'));
    em.setImportDurationMs(0);
    const fast = await post(body('1.1', 'moving', 'Force'));
    assert.equal(em.registry('dst').tags('app').get('moving'), digestOf('1.1'), 'the later POST landed first');
    em.completeImports();
    assert.deepEqual([(await poll(String(slow.headers.location))).status, (await poll(String(fast.headers.location))).status], [200, 200]);
    assert.equal(em.registry('dst').tags('app').get('moving'), digestOf('1.0'), 'the earlier POST, landing last, wins');
  });

  it('an importFails fault fails late: the import runs its duration, then ends Failed with nothing written', async function () {
    await start({ importDurationMs: UNTIL_TOLD });
    em.addFault({ route: 'arm.importImage', kind: 'importFails', code: 'InvalidParameters', message: 'Error copying blobs', status: 400 });
    const accepted = await post(body('1.0', 'doomed'));
    const location = String(accepted.headers.location);
    assert.equal((await poll(location)).status, 202, 'running, as any import');
    assert.equal(em.completeImports(), 1);
    const failed = await poll(location);
    assert.equal(failed.status, 400);
    assert.deepEqual(errorOf(failed), { code: 'InvalidParameters', message: 'Error copying blobs' });
    assert.equal(em.registry('dst').tags('app').size, 0);
  });

  it('defaults to the recorded Retry-After (10 s) and an import that runs until then', async function () {
    em = await startEmulator({ fixture: basicFixture() });
    token = await entraToken(em, 'owner', 'https://management.azure.com');
    const posted = Date.now();
    const accepted = await post(body('1.0', 'default'));
    assert.equal(accepted.headers['retry-after'], '10');
    const first = await poll(String(accepted.headers.location));
    if (Date.now() - posted < 10_000) assert.equal(first.status, 202, 'a poll at once finds it running');
  });

  describe('synchronous answers (importSynchronousMs)', function () {
    it('answers an import short enough with 200 and an empty body once it has landed; a longer one with 202', async function () {
      await start({ importSynchronousMs: 100, importDurationMs: 50 });
      const quick = await post(body('1.0', 'quick'));
      assert.equal(quick.status, 200);
      assert.equal(quick.body.length, 0);
      assert.equal(quick.headers.location, undefined);
      assert.equal(em.registry('dst').tags('app').get('quick'), digestOf('1.0'), 'landed before the answer');
      em.setImportDurationMs(UNTIL_TOLD);
      const slow = await post(body('1.1', 'slow'));
      assert.equal(slow.status, 202);
      assert.ok(slow.headers.location);
    });

    it('answers a synchronous failure as the ARM error itself', async function () {
      await start({ importSynchronousMs: 100, importDurationMs: 0 });
      em.registry('dst').push('app', 'taken', { kind: 'image', seed: 'other' });
      const refused = await post(body('1.0', 'taken'));
      assert.equal(refused.status, 409);
      assert.match(errorOf(refused).message, /already exists in target registry/);
    });

    it('is what the SDK poller takes for done at once', async function () {
      await start({ importSynchronousMs: 100, importDurationMs: 20 });
      const cred = new ClientSecretCredential(TENANT, 'owner', 'secret-of-owner', { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } });
      const client = new ContainerRegistryManagementClient(cred, SUB_A, { endpoint: em.armEndpoint, tlsOptions: { ca: em.caPem } });
      await client.registries.importImage('dst-rg', 'dst', { source: { resourceId: SRC, sourceImage: `app@${digestOf('1.1')}` }, targetTags: ['app:sdk'], mode: 'NoForce' });
      assert.equal(em.registry('dst').tags('app').get('sdk'), digestOf('1.1'));
      // The log records an answer once it is written out, which the client may see first.
      for (let waited = 0; em.log.count('arm.importImage') === 0 && waited < 5000; waited += 10) await sleep(10);
      assert.equal(em.log.count('arm.importImage', 200), 1);
      assert.equal(em.log.count('arm.importImage.poll'), 0);
    });
  });
});
