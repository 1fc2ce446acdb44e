/**
 * Blob routes as ACR serves them: uploads challenged for `pull,push` (recorded), chunked and
 * monolithic uploads, cross-repository mounts, HEAD, GET by a 307 to storage, DELETE with
 * `delete` and 404 BLOB_UNKNOWN for a blob the registry does not hold (recorded).
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { SUB_A, TENANT, acrAccessToken, images, principal, registryId, request, type HttpResult } from './support';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function fixture(): Fixture {
  return {
    principals: [
      principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }]),
      principal('puller', [{ role: 'AcrPull', scope: registryId(SUB_A, 'rg', 'reg') }]),
    ],
    subscriptions: [{ id: SUB_A, tenantId: TENANT, registries: [{ name: 'reg', resourceGroup: 'rg', repositories: { app: images(1) } }] }],
  };
}

describe('emulator: blob routes', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: fixture() });
  });
  after(() => em.stop());

  const host = (): string => em.registry('reg').loginServer;
  const send = (path: string, token: string | undefined, method = 'GET', body?: Buffer, headers: Record<string, string> = {}): Promise<HttpResult> =>
    request(em.caPem, path.startsWith('https://') ? path : `https://${host()}${path}`, { method, body, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers } });
  const challengeScope = (res: HttpResult): string | undefined => /scope="([^"]+)"/.exec(String(res.headers['www-authenticate']))?.[1];

  it('challenges uploads for pull,push (as recorded), reads for pull and deletions for delete', async function () {
    const upload = await send('/v2/app/blobs/uploads/', undefined, 'POST');
    assert.equal(upload.status, 401);
    assert.equal(challengeScope(upload), 'repository:app:pull,push');
    assert.deepEqual(upload.json<{ errors: { detail: unknown }[] }>().errors[0]?.detail, [
      { Type: 'repository', Name: 'app', Action: 'pull' },
      { Type: 'repository', Name: 'app', Action: 'push' },
    ]);
    assert.equal(challengeScope(await send(`/v2/app/blobs/${sha(Buffer.from('x'))}`, undefined, 'HEAD')), 'repository:app:pull');
    assert.equal(challengeScope(await send(`/v2/app/blobs/${sha(Buffer.from('x'))}`, undefined, 'DELETE')), 'repository:app:delete');
    // AcrPull pulls but does not push: its token leaves push out, the upload stays refused.
    const pullOnly = await acrAccessToken(em, 'reg', 'puller', ['repository:app:pull,push']);
    const refused = await send('/v2/app/blobs/uploads/', pullOnly, 'POST');
    assert.equal(refused.status, 401);
    assert.match(String(refused.headers['www-authenticate']), /error="insufficient_scope"/);
  });

  it('uploads in chunks (202 with Location, Docker-Upload-Uuid and Range), finishes with the digest (201), then HEAD and GET by a 307 to storage', async function () {
    const token = await acrAccessToken(em, 'reg', 'owner', ['repository:fresh:pull,push']);
    const bytes = Buffer.from('layer bytes of a chunked upload, in two parts');
    const start = await send('/v2/fresh/blobs/uploads/', token, 'POST');
    assert.equal(start.status, 202);
    assert.equal(start.headers.range, '0-0');
    assert.equal(start.headers['content-length'], '0');
    const uuid = String(start.headers['docker-upload-uuid']);
    assert.match(String(start.headers.location), new RegExp(`^/v2/fresh/blobs/uploads/${uuid}\\?_nouploadcache=false&_state=`));
    const first = await send(String(start.headers.location), token, 'PATCH', bytes.subarray(0, 10), { 'Content-Type': 'application/octet-stream' });
    assert.deepEqual([first.status, first.headers.range], [202, '0-9']);
    const status = await send(String(first.headers.location), token);
    assert.deepEqual([status.status, status.headers.range], [204, '0-9']);
    const outOfOrder = await send(String(first.headers.location), token, 'PATCH', bytes.subarray(20), { 'Content-Range': '20-44' });
    assert.equal(outOfOrder.status, 416);
    const second = await send(String(first.headers.location), token, 'PATCH', bytes.subarray(10), { 'Content-Range': `10-${bytes.length - 1}` });
    assert.deepEqual([second.status, second.headers.range], [202, `0-${bytes.length - 1}`]);
    const wrong = await send(`${String(second.headers.location)}&digest=${encodeURIComponent(sha(Buffer.from('other')))}`, token, 'PUT');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json<{ errors: { code: string }[] }>().errors[0]?.code, 'DIGEST_INVALID');
    const done = await send(`${String(second.headers.location)}&digest=${encodeURIComponent(sha(bytes))}`, token, 'PUT');
    assert.equal(done.status, 201);
    assert.equal(done.headers['docker-content-digest'], sha(bytes));
    assert.equal(done.headers.location, `/v2/fresh/blobs/${sha(bytes)}`);
    assert.equal((await send(String(second.headers.location), token)).status, 404, 'the upload is over');

    const pull = await acrAccessToken(em, 'reg', 'owner', ['repository:fresh:pull']);
    const head = await send(`/v2/fresh/blobs/${sha(bytes)}`, pull, 'HEAD');
    assert.deepEqual([head.status, head.headers['content-length'], head.headers['docker-content-digest']], [200, String(bytes.length), sha(bytes)]);
    const get = await send(`/v2/fresh/blobs/${sha(bytes)}`, pull);
    assert.equal(get.status, 307);
    const storage = await send(String(get.headers.location), undefined);
    assert.equal(storage.status, 200, 'the storage link needs no registry token');
    assert.ok(storage.body.equals(bytes));
    const tampered = String(get.headers.location).replace(/sig=([0-9a-f])/, (_m, c: string) => `sig=${c === '0' ? '1' : '0'}`);
    assert.equal((await send(tampered, undefined)).status, 403);
    // Blobs alone make no repository.
    assert.ok(!em.registry('reg').repositories().includes('fresh'));
    assert.equal(em.log.count('acr.blobStorage', 200), 1);
  });

  it('takes a monolithic upload and a cross-repository mount; deletes with delete, 404 BLOB_UNKNOWN after (recorded code)', async function () {
    const token = await acrAccessToken(em, 'reg', 'owner', ['repository:one:pull,push,delete', 'repository:two:pull,push']);
    const bytes = Buffer.from('{"architecture":"amd64"}');
    const put = await send(`/v2/one/blobs/uploads/?digest=${encodeURIComponent(sha(bytes))}`, token, 'POST', bytes);
    assert.deepEqual([put.status, put.headers['docker-content-digest']], [201, sha(bytes)]);
    const mount = await send(`/v2/two/blobs/uploads/?mount=${encodeURIComponent(sha(bytes))}&from=one`, token, 'POST');
    assert.deepEqual([mount.status, mount.headers.location], [201, `/v2/two/blobs/${sha(bytes)}`]);
    const noSource = await send(`/v2/two/blobs/uploads/?mount=${encodeURIComponent(sha(Buffer.from('none')))}&from=one`, token, 'POST');
    assert.equal(noSource.status, 202, 'nothing to mount: an upload starts');
    const deleted = await send(`/v2/one/blobs/${sha(bytes)}`, token, 'DELETE');
    assert.equal(deleted.status, 202);
    const again = await send(`/v2/one/blobs/${sha(bytes)}`, token, 'DELETE');
    assert.equal(again.status, 404);
    assert.deepEqual(again.json(), { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
    assert.equal((await send(`/v2/two/blobs/${sha(bytes)}`, token, 'HEAD')).status, 200, 'the mounted copy stays');
    const unknownUpload = await send('/v2/one/blobs/uploads/00000000-0000-4000-8000-000000000000', token, 'PATCH', Buffer.from('x'));
    assert.equal(unknownUpload.json<{ errors: { code: string }[] }>().errors[0]?.code, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('holds no bytes for fixture content: its layers answer 404 BLOB_UNKNOWN (stricter than ACR, see the README)', async function () {
    const token = await acrAccessToken(em, 'reg', 'owner', ['repository:app:pull']);
    const digest = em.registry('reg').tags('app').get('t0') ?? '';
    const manifest = await send(`/v2/app/manifests/${digest}`, token, 'GET', undefined, { Accept: 'application/vnd.oci.image.manifest.v1+json' });
    const layer = manifest.json<{ layers: { digest: string }[] }>().layers[0]?.digest ?? '';
    assert.equal((await send(`/v2/app/blobs/${layer}`, token, 'HEAD')).status, 404);
  });
});
