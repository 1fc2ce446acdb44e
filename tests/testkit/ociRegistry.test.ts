/**
 * The real registry of testkit/ociRegistry: distribution 2.8 started in each auth mode, content
 * of every kind pushed with the test pusher and read back over HTTPS by a client that trusts
 * only the emulator's CA.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as https from 'node:https';
import { createTlsMaterial, type TlsMaterial } from '../../testkit/emulator/ca';
import { MediaTypes } from '../../testkit/emulator/mediaTypes';
import {
  RegistryClient,
  imageContent,
  pushHelmChart,
  pushImage,
  pushIndex,
  pushReferrer,
  startOciRegistry,
  type OciRegistryHandle,
} from '../../testkit/ociRegistry';

const ACCEPT = [MediaTypes.ociManifest, MediaTypes.ociIndex, MediaTypes.dockerManifest, MediaTypes.dockerManifestList].join(', ');
const USERS = [{ username: 'pusher', password: 'pa55-word' }];

async function headDigest(client: RegistryClient, repository: string, reference: string): Promise<{ status: number; digest: string; type: string }> {
  const answer = await client.request('HEAD', `/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT } });
  return { status: answer.status, digest: String(answer.headers['docker-content-digest'] ?? ''), type: String(answer.headers['content-type'] ?? '') };
}

async function tags(client: RegistryClient, repository: string): Promise<string[]> {
  const answer = await client.request('GET', `/v2/${repository}/tags/list`);
  assert.equal(answer.status, 200, answer.body.toString());
  return ((JSON.parse(answer.body.toString()) as { tags: string[] | null }).tags ?? []).sort();
}

describe('testkit: a real OCI registry (distribution 2.8)', function () {
  this.timeout(60_000);
  let tls: TlsMaterial;
  before(async () => {
    tls = await createTlsMaterial();
  });

  for (const auth of ['none', 'basic', 'token'] as const) {
    describe(`auth ${auth}`, () => {
      let registry: OciRegistryHandle;
      let client: RegistryClient;
      before(async () => {
        registry = await startOciRegistry({ auth, users: USERS, tls });
        client = new RegistryClient({ host: registry.host, ca: tls.caPem, ...(auth !== 'none' ? { credentials: USERS[0] } : {}) });
      });
      after(() => registry.stop());

      it('takes an image of each family, an index, a Helm chart and a referrer, and answers them back', async () => {
        const docker = await pushImage(client, 'team/app', { seed: 'app-1', tag: 'v1', format: 'docker' });
        const oci = await pushImage(client, 'team/app', { seed: 'app-2', tag: 'v2' });
        const index = await pushIndex(client, 'multi', { seed: 'multi-1', tag: '1.0' });
        const chart = await pushHelmChart(client, 'charts/web', { seed: 'web', tag: '0.1.0' });
        const referrer = await pushReferrer(client, 'team/app', oci.descriptor, { seed: 'sig' });

        assert.deepEqual(await tags(client, 'team/app'), ['v1', 'v2']);
        assert.deepEqual(await headDigest(client, 'team/app', 'v1'), { status: 200, digest: docker.digest, type: MediaTypes.dockerManifest });
        assert.deepEqual(await headDigest(client, 'team/app', 'v2'), { status: 200, digest: oci.digest, type: MediaTypes.ociManifest });
        assert.deepEqual(await headDigest(client, 'multi', '1.0'), { status: 200, digest: index.digest, type: MediaTypes.ociIndex });
        assert.equal(index.children.length, 2);
        for (const child of index.children) assert.equal((await headDigest(client, 'multi', child)).status, 200);
        assert.deepEqual(await headDigest(client, 'charts/web', '0.1.0'), { status: 200, digest: chart.digest, type: MediaTypes.ociManifest });
        // The referrer is stored untagged, its subject intact.
        const stored = await client.request('GET', `/v2/team/app/manifests/${referrer.digest}`, { headers: { accept: ACCEPT } });
        assert.equal(stored.status, 200);
        assert.equal((JSON.parse(stored.body.toString()) as { subject: { digest: string } }).subject.digest, oci.digest);
        assert.deepEqual(await tags(client, 'team/app'), ['v1', 'v2']);
        // The chart's config media type survives.
        const chartManifest = JSON.parse((await client.request('GET', `/v2/charts/web/manifests/0.1.0`, { headers: { accept: ACCEPT } })).body.toString()) as { config: { mediaType: string } };
        assert.equal(chartManifest.config.mediaType, MediaTypes.helmConfig);
      });

      it('moves a tag to a new digest when another seed is pushed under it (re-tag)', async () => {
        const first = await pushImage(client, 'retag', { seed: 'one', tag: 'latest' });
        const again = await pushImage(client, 'retag', { seed: 'one', tag: 'latest' });
        assert.equal(again.digest, first.digest, 'the same seed gives the same digest');
        const second = await pushImage(client, 'retag', { seed: 'two', tag: 'latest' });
        assert.notEqual(second.digest, first.digest);
        assert.equal((await headDigest(client, 'retag', 'latest')).digest, second.digest);
        assert.equal(imageContent('two', { format: 'oci' }).digest, second.digest, 'the digest is known before the push');
      });

      if (auth !== 'none') {
        it('refuses a client without credentials, and one with a wrong password', async () => {
          await pushImage(client, 'private', { seed: 'p', tag: 't' });
          const anonymous = new RegistryClient({ host: registry.host, ca: tls.caPem });
          assert.equal((await headDigest(anonymous, 'private', 't')).status, 401);
          assert.equal((await anonymous.request('GET', '/v2/private/tags/list')).status, 401);
          const wrong = new RegistryClient({ host: registry.host, ca: tls.caPem, credentials: { username: 'pusher', password: 'not-it' } });
          assert.equal((await headDigest(wrong, 'private', 't')).status, 401);
          await assert.rejects(pushImage(wrong, 'private', { seed: 'q', tag: 't' }), /HTTP 401/);
        });
      }

      if (auth === 'token') {
        it('counts the token requests, answering them from its own realm', async () => {
          const before = registry.tokenRequests();
          const fresh = new RegistryClient({ host: registry.host, ca: tls.caPem, credentials: USERS[0] });
          assert.equal((await headDigest(fresh, 'team/app', 'v1')).status, 200);
          assert.equal(registry.tokenRequests(), before + 1);
          assert.match(registry.realm ?? '', /^https:\/\/127\.0\.0\.1:\d+\/token$/);
        });

        it('token server: a wrong password is 401, anonymous gets a token that grants nothing, a user what it asks', async () => {
          const realm = new URL(registry.realm ?? '');
          realm.searchParams.set('service', 'oci-test-registry');
          realm.searchParams.set('scope', 'repository:team/app:pull,push');
          const ask = (authorization?: string): Promise<{ status: number; access?: unknown }> =>
            new Promise((resolve, reject) => {
              https
                .get(realm, { ca: tls.caPem, agent: false, headers: authorization ? { authorization } : {} }, (res) => {
                  const chunks: Buffer[] = [];
                  res.on('data', (c: Buffer) => chunks.push(c));
                  res.on('end', () => {
                    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { token?: string };
                    const claims = body.token ? (JSON.parse(Buffer.from(body.token.split('.')[1] ?? '', 'base64url').toString()) as { access: unknown }) : undefined;
                    resolve({ status: res.statusCode ?? 0, ...(claims ? { access: claims.access } : {}) });
                  });
                })
                .on('error', reject);
            });
          const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
          assert.deepEqual(await ask(basic('pusher', 'wrong')), { status: 401 });
          assert.deepEqual(await ask(), { status: 200, access: [] });
          assert.deepEqual(await ask(basic('pusher', 'pa55-word')), { status: 200, access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }] });
        });
      }
    });
  }

  it('pages _catalog with Link at the page size given, and removes its temp dir on stop', async () => {
    const registry = await startOciRegistry({ auth: 'none', tls, catalogPageSize: 2 });
    const client = new RegistryClient({ host: registry.host, ca: tls.caPem });
    for (const repo of ['a', 'b', 'c']) await pushImage(client, repo, { seed: repo, tag: 'x' });
    const first = await client.request('GET', '/v2/_catalog');
    assert.deepEqual((JSON.parse(first.body.toString()) as { repositories: string[] }).repositories, ['a', 'b']);
    assert.match(String(first.headers.link), /<\/v2\/_catalog\?last=b&n=2>; rel="next"/);
    assert.equal(existsSync(registry.dir), true);
    await registry.stop();
    assert.equal(existsSync(registry.dir), false, 'the temp dir goes with the registry');
    assert.throws(() => process.kill(registry.pid, 0), /ESRCH/, 'the registry process is gone');
  });
});
