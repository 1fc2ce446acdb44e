/**
 * importImage with a `registryUri` that names a real registry (distribution 2.8 from
 * testkit/ociRegistry, basic and token auth): the emulator reads the manifests over HTTPS
 * when the import starts and lands them in the target like any import.
 */
import { strict as assert } from 'node:assert';
import * as https from 'node:https';
import { blockedConnections } from '../../testkit/loopbackGuard';
import { startEmulator, type Emulator } from '../../testkit/emulator';
import { MediaTypes } from '../../testkit/emulator/mediaTypes';
import { RegistryClient, imageContent, pushHelmChart, pushImage, pushIndex, pushReferrer, startOciRegistry, type OciRegistryHandle, type Pushed } from '../../testkit/ociRegistry';
import { failureMessage, importToEnd, postImport } from './importRunner';
import { SUB_A, TENANT, principal } from './support';

const USER = { username: 'ci-reader', password: 'S3cret-for-import' };

describe('emulator: importImage from a real registry (registryUri)', function () {
  this.timeout(60_000);
  let em: Emulator;
  let tokenRegistry: OciRegistryHandle;
  let basicRegistry: OciRegistryHandle;
  let image: Pushed;
  let index: Pushed;
  let chart: Pushed;
  let signature: Pushed;

  before(async () => {
    em = await startEmulator({
      fixture: {
        principals: [principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }])],
        subscriptions: [{ id: SUB_A, tenantId: TENANT, registries: [{ name: 'dst', resourceGroup: 'dst-rg' }] }],
      },
      importRetryAfterSeconds: 1,
      importDurationMs: 0,
    });
    [tokenRegistry, basicRegistry] = await Promise.all([
      startOciRegistry({ auth: 'token', users: [USER], tls: em.serverTls }),
      startOciRegistry({ auth: 'basic', users: [USER], tls: em.serverTls }),
    ]);
    const viaToken = new RegistryClient({ host: tokenRegistry.host, ca: em.caPem, credentials: USER });
    image = await pushImage(viaToken, 'team/app', { seed: 'app-1', tag: 'v1', format: 'docker' });
    index = await pushIndex(viaToken, 'multi', { seed: 'multi-1', tag: '1.0' });
    signature = await pushReferrer(viaToken, 'team/app', image.descriptor, { seed: 'sig-1' });
    const viaBasic = new RegistryClient({ host: basicRegistry.host, ca: em.caPem, credentials: USER });
    chart = await pushHelmChart(viaBasic, 'charts/web', { seed: 'web-1', tag: '0.1.0' });
    await pushImage(viaBasic, 'retag', { seed: 'first', tag: 'stable' });
  });
  after(async () => {
    await Promise.all([tokenRegistry?.stop(), basicRegistry?.stop()]);
    await em?.stop();
  });

  const readsOf = (host: string): string[] => em.remoteReads().filter((r) => r.host === host).map((r) => `${r.method} ${r.path} ${r.status}`);

  it('reads an image through token auth and lands it under the target tag', async () => {
    const tokenRequests = tokenRegistry.tokenRequests();
    const readsBefore = em.remoteReads().length;
    const done = await importToEnd(em, { source: { registryUri: tokenRegistry.host, sourceImage: 'team/app:v1', credentials: USER }, targetTags: ['mirror/app:v1'] });
    assert.equal(done.status, 200, done.text);
    assert.equal(em.registry('dst').tags('mirror/app').get('v1'), image.digest);
    assert.equal(em.registry('dst').manifestMediaTypes('mirror/app').get(image.digest), MediaTypes.dockerManifest);
    // The challenge, the realm, then the manifest with the token.
    const reads = em.remoteReads().slice(readsBefore).map((r) => `${r.method} ${r.host === tokenRegistry.host ? 'registry' : 'realm'} ${r.path} ${r.status}`);
    assert.deepEqual(reads, ['GET registry /v2/team/app/manifests/v1 401', 'GET realm /token 200', 'GET registry /v2/team/app/manifests/v1 200']);
    assert.equal(tokenRegistry.tokenRequests(), tokenRequests + 1);
    assert.ok(!JSON.stringify(em.remoteReads()).includes(USER.password));
    assert.ok(!JSON.stringify(em.log.entries()).includes(USER.password), 'the request log holds no credential');
  });

  it('reads a multi-arch index and both its children, pinned by digest', async () => {
    const done = await importToEnd(em, { source: { registryUri: tokenRegistry.host, sourceImage: `multi@${index.digest}`, credentials: USER }, targetTags: ['multi:1.0'] });
    assert.equal(done.status, 200, done.text);
    const dst = em.registry('dst');
    assert.equal(dst.tags('multi').get('1.0'), index.digest);
    assert.equal(index.children.length, 2);
    for (const child of index.children) assert.ok(dst.hasManifest('multi', child), `child ${child} copied`);
    const pulled = readsOf(tokenRegistry.host).filter((r) => r.startsWith('GET /v2/multi/manifests/') && r.endsWith(' 200'));
    assert.deepEqual(pulled, [`GET /v2/multi/manifests/${index.digest} 200`, ...index.children.map((c) => `GET /v2/multi/manifests/${c} 200`)]);
  });

  it('copies a referrer pinned by digest into an untagged repository, its subject kept', async () => {
    const subject = await importToEnd(em, { source: { registryUri: tokenRegistry.host, sourceImage: 'team/app:v1', credentials: USER }, targetTags: ['signed/app:v1'] });
    assert.equal(subject.status, 200, subject.text);
    const done = await importToEnd(em, {
      source: { registryUri: tokenRegistry.host, sourceImage: `team/app@${signature.digest}`, credentials: USER },
      untaggedTargetRepositories: ['signed/app'],
      mode: 'Force',
    });
    assert.equal(done.status, 200, done.text);
    assert.ok(em.registry('dst').hasManifest('signed/app', signature.digest));
    assert.deepEqual([...em.registry('dst').tags('signed/app').keys()], ['v1'], 'no tag was added');
    assert.deepEqual(em.registry('dst').referrers('signed/app', image.digest).map((d) => d.digest), [signature.digest]);
  });

  it('reads a Helm chart through basic auth, bytes unchanged', async () => {
    const done = await importToEnd(em, { source: { registryUri: basicRegistry.host, sourceImage: 'charts/web:0.1.0', credentials: USER }, targetTags: ['charts/web:0.1.0'] });
    assert.equal(done.status, 200, done.text);
    // The same digest means the same bytes: the Helm config media type came along.
    assert.equal(em.registry('dst').tags('charts/web').get('0.1.0'), chart.digest);
    assert.deepEqual(readsOf(basicRegistry.host).slice(-2), ['GET /v2/charts/web/manifests/0.1.0 401', 'GET /v2/charts/web/manifests/0.1.0 200']);
  });

  it("fails with Azure's unauthorized answer for a wrong password or none, leaving the target as it was", async () => {
    const wrong = { username: USER.username, password: 'not-the-password' };
    for (const [registry, credentials] of [
      [tokenRegistry, wrong],
      [basicRegistry, wrong],
      [tokenRegistry, undefined],
    ] as const) {
      const failed = await importToEnd(em, { source: { registryUri: registry.host, sourceImage: 'team/app:v1', ...(credentials ? { credentials } : {}) }, targetTags: ['denied:v1'] });
      assert.equal(failed.status, 400);
      assert.match(failureMessage(failed), /^Operation registries-[0-9a-f-]+ failed\. Resource .* Invalid message Unauthorized Unauthorized .*"Name":"team\/app","Action":"pull"/);
      assert.ok(!failed.text.includes(wrong.password));
    }
    assert.equal(em.registry('dst').tags('denied').size, 0);
  });

  it('fails for a tag the source does not have', async () => {
    const failed = await importToEnd(em, { source: { registryUri: basicRegistry.host, sourceImage: 'charts/web:9.9.9', credentials: USER }, targetTags: ['charts/web:9.9.9'] });
    assert.equal(failed.status, 400);
    assert.match(failureMessage(failed), new RegExp(`The source image ${basicRegistry.host}/charts/web:9\\.9\\.9 was not found\\.$`));
  });

  it('keeps NoForce and Force: a re-tagged source fails NoForce on the existing tag, Force moves it', async () => {
    const first = await importToEnd(em, { source: { registryUri: basicRegistry.host, sourceImage: 'retag:stable', credentials: USER }, targetTags: ['retag:stable'] });
    assert.equal(first.status, 200, first.text);
    const client = new RegistryClient({ host: basicRegistry.host, ca: em.caPem, credentials: USER });
    const moved = await pushImage(client, 'retag', { seed: 'second', tag: 'stable' });
    assert.notEqual(moved.digest, imageContent('first').digest);
    const noForce = await importToEnd(em, { source: { registryUri: basicRegistry.host, sourceImage: 'retag:stable', credentials: USER }, targetTags: ['retag:stable'], mode: 'NoForce' });
    assert.equal(noForce.status, 409);
    assert.match(failureMessage(noForce), /retag:stable Tag retag:stable already exists in target registry\.$/);
    assert.equal(em.registry('dst').tags('retag').get('stable'), imageContent('first').digest);
    const force = await importToEnd(em, { source: { registryUri: basicRegistry.host, sourceImage: 'retag:stable', credentials: USER }, targetTags: ['retag:stable'], mode: 'Force' });
    assert.equal(force.status, 200, force.text);
    assert.equal(em.registry('dst').tags('retag').get('stable'), moved.digest);
  });

  it('reads the source when the import starts: a push after that does not change what lands', async () => {
    em.setImportDurationMs(600_000);
    try {
      const client = new RegistryClient({ host: basicRegistry.host, ca: em.caPem, credentials: USER });
      const before = await pushImage(client, 'clock', { seed: 'at-start', tag: 'x' });
      const readsBefore = em.remoteReads().length;
      const accepted = await postImport(em, { source: { registryUri: basicRegistry.host, sourceImage: 'clock:x', credentials: USER }, targetTags: ['clock:x'] });
      assert.equal(accepted.status, 202);
      // Wait for the read to be done (it runs on its own), then move the source tag.
      for (let i = 0; i < 200 && !em.remoteReads().slice(readsBefore).some((r) => r.status === 200); i++) await new Promise((r) => setTimeout(r, 25));
      await pushImage(client, 'clock', { seed: 'after-start', tag: 'x' });
      assert.equal(em.registry('dst').tags('clock').size, 0, 'nothing lands before the clock runs out');
      assert.equal(em.completeImports(), 1);
      assert.equal(em.registry('dst').tags('clock').get('x'), before.digest);
    } finally {
      em.setImportDurationMs(0);
    }
  });

  it('never reaches a host other than 127.0.0.1: the import fails as unreachable, with no request', async () => {
    const readsBefore = em.remoteReads().length;
    for (const registryUri of ['registry-1.docker.io', 'localhost:5000', `https://${basicRegistry.host}.example.com`]) {
      const failed = await importToEnd(em, { source: { registryUri, sourceImage: 'library/nginx:1.27', credentials: USER }, targetTags: ['nginx:1.27'] });
      assert.equal(failed.status, 400);
      assert.match(failureMessage(failed), new RegExp(`Error connecting to source registry '${registryUri.replace(/[.]/g, '\\.')}': the host cannot be reached\\.$`));
    }
    assert.equal(em.remoteReads().length, readsBefore);
  });

  it('never follows a token realm off 127.0.0.1 with the credentials: the import fails as unreachable', async () => {
    // A registry on 127.0.0.1 whose challenge names Docker Hub's auth host.
    const lure = https.createServer({ cert: em.serverTls.certPem, key: em.serverTls.keyPem }, (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"' }).end();
    });
    await new Promise<void>((resolve) => lure.listen(0, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${(lure.address() as { port: number }).port}`;
      const failed = await importToEnd(em, { source: { registryUri: host, sourceImage: 'library/nginx:1.27', credentials: USER }, targetTags: ['nginx:1.27'] });
      assert.equal(failed.status, 400);
      assert.match(failureMessage(failed), new RegExp(`Error connecting to source registry '${host}': the host cannot be reached\\.$`));
      assert.deepEqual(readsOf(host), ['GET /v2/library/nginx/manifests/1.27 401']);
      assert.deepEqual(blockedConnections, [], 'no connection to auth.docker.io was even attempted');
    } finally {
      lure.closeAllConnections();
      await new Promise<void>((resolve) => lure.close(() => resolve()));
    }
  });
});
