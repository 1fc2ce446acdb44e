/**
 * The importImage body as the spec defines it (ImportImageParameters, 2025-11-01): a
 * `targetTags` entry is `repo[:tag]` and without a tag takes the source's (or `latest`), `mode`
 * is NoForce or Force, and a target repository is a lowercase repository name, as ACR has.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../testkit/emulator';
import { basicFixture, entraToken, registryId, request, SUB_A, type HttpResult } from './support';

const SRC = registryId(SUB_A, 'src-rg', 'src');
const DST = registryId(SUB_A, 'dst-rg', 'dst');

describe('emulator: importImage body rules', function () {
  let em: Emulator;
  let token: string;
  beforeEach(async function () {
    em = await startEmulator({ fixture: basicFixture(), importRetryAfterSeconds: 0 });
    token = await entraToken(em, 'owner', 'https://management.azure.com');
  });
  afterEach(() => em.stop());

  const post = (body: unknown): Promise<HttpResult> =>
    request(em.caPem, `${em.armEndpoint}${DST}/importImage?api-version=2025-11-01`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  async function runToEnd(body: unknown): Promise<HttpResult> {
    const accepted = await post(body);
    assert.equal(accepted.status, 202, accepted.text);
    let poll: HttpResult;
    do poll = await request(em.caPem, String(accepted.headers.location), { headers: { Authorization: `Bearer ${token}` } });
    while (poll.status === 202);
    return poll;
  }
  const refusal = (res: HttpResult) => {
    assert.equal(res.status, 400, res.text);
    return res.json<{ error: { code: string; message: string } }>().error;
  };

  it('a targetTags entry without a tag takes the source’s tag', async function () {
    assert.equal((await runToEnd({ source: { resourceId: SRC, sourceImage: 'app:1.1' }, targetTags: ['mirror/app'] })).status, 200);
    const dst = em.registry('dst');
    assert.deepEqual([...dst.tags('mirror/app').keys()], ['1.1']);
    assert.equal(dst.tags('mirror/app').get('1.1'), em.registry('src').tags('app').get('1.1'));
  });

  it('…and `latest` when the source names a digest (or nothing)', async function () {
    const digest = em.registry('src').tags('app').get('1.0') ?? '';
    assert.equal((await runToEnd({ source: { resourceId: SRC, sourceImage: `app@${digest}` }, targetTags: ['by-digest'] })).status, 200);
    assert.equal(em.registry('dst').tags('by-digest').get('latest'), digest);
  });

  it('refuses an upper-case target repository, in targetTags or untaggedTargetRepositories, synchronously', async function () {
    for (const body of [
      { source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['Mirror/app:1.0'] },
      { source: { resourceId: SRC, sourceImage: 'app:1.0' }, untaggedTargetRepositories: ['mirrorApp'] },
    ]) {
      const e = refusal(await post(body));
      assert.equal(e.code, 'InvalidParameters');
      assert.match(e.message, /must be lowercase/);
    }
    assert.equal(em.log.count('arm.importImage', 202), 0);
    assert.equal(em.registry('dst').repositories().length, 0);
  });

  it('refuses what the schema refuses: a mode not NoForce/Force, non-string entries, a digest or bad tag as target', async function () {
    const source = { resourceId: SRC, sourceImage: 'app:1.0' };
    assert.match(refusal(await post({ source, targetTags: ['app:1.0'], mode: 'force' })).message, /not a valid import mode/);
    assert.match(refusal(await post({ source, targetTags: 'app:1.0' })).message, /'targetTags' must be an array of strings/);
    assert.match(refusal(await post({ source, targetTags: [7] })).message, /'targetTags' must be an array of strings/);
    assert.match(refusal(await post({ source, targetTags: [`app@sha256:${'a'.repeat(64)}`] })).message, /not a digest/);
    assert.match(refusal(await post({ source, targetTags: ['app:-bad'] })).message, /bad tag '-bad'/);
    assert.match(refusal(await post({ source, targetTags: ['app:'] })).message, /bad tag ''/);
  });
});
