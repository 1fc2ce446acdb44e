import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { ClientSecretCredential } from '@azure/identity';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { ACCEPT_MANIFESTS, SUB_A, SUB_B, TENANT, acrAccessToken, entraToken, principal, registryId, request, type HttpResult } from './support';

const SRC = registryId(SUB_A, 'src-rg', 'src');
const OTHER_SRC = registryId(SUB_B, 'b-rg', 'bsrc');

function fixture(): Fixture {
  const platforms51 = Array.from({ length: 51 }, (_, i) => `linux/arch${i}`);
  return {
    principals: [
      principal('owner', [
        { role: 'Owner', scope: `/subscriptions/${SUB_A}` },
        { role: 'Reader', scope: `/subscriptions/${SUB_B}` },
      ]),
      // The import docs: the importer role on the target, and on the source (AcrPull there is not enough: ARM checks 'read').
      principal('importer', [
        { role: 'Container Registry Data Importer and Data Reader', scope: registryId(SUB_A, 'dst-rg', 'dst') },
        { role: 'Container Registry Data Importer and Data Reader', scope: SRC },
      ]),
      principal('pusher', [
        { role: 'AcrPush', scope: registryId(SUB_A, 'dst-rg', 'dst') },
        { role: 'AcrPull', scope: SRC },
      ]),
      principal('no-source', [{ role: 'Contributor', scope: registryId(SUB_A, 'dst-rg', 'dst') }]),
    ],
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT,
        registries: [
          {
            name: 'src',
            resourceGroup: 'src-rg',
            repositories: {
              app: { '1.0': { content: { kind: 'image', seed: 'app-1' } }, '1.1': { content: { kind: 'image', seed: 'app-2' } } },
              'team/multi': { v1: { content: { kind: 'index', seed: 'multi', platforms: ['linux/amd64', 'linux/arm64/v8', 'windows/amd64'] } } },
              huge: { v1: { content: { kind: 'index', seed: 'huge', platforms: platforms51 } } },
              charts: { '0.1.0': { content: { kind: 'helm', seed: 'c', chart: 'demo', version: '0.1.0' } } },
            },
          },
          { name: 'dst', resourceGroup: 'dst-rg' },
          { name: 'closed', resourceGroup: 'dst-rg', publicNetworkAccess: 'Disabled', networkRuleBypassOptions: 'None' },
          { name: 'trusted', resourceGroup: 'dst-rg', publicNetworkAccess: 'Disabled', networkRuleBypassOptions: 'AzureServices' },
        ],
      },
      {
        id: SUB_B,
        tenantId: TENANT,
        registries: [{ name: 'bsrc', resourceGroup: 'b-rg', repositories: { app: { '2.0': { content: { kind: 'image', seed: 'b-app' } } } } }],
      },
    ],
  };
}

describe('emulator: importImage', function () {
  let em: Emulator;
  beforeEach(async function () {
    // Fast imports: done as accepted, so the first poll finds them done (the clock has its own file).
    em = await startEmulator({ fixture: fixture(), importRetryAfterSeconds: 1, importDurationMs: 0 });
  });
  afterEach(() => em.stop());

  const importUrl = (registry = 'dst', rg = 'dst-rg', api = '2025-11-01'): string =>
    `${em.armEndpoint}/subscriptions/${SUB_A}/resourceGroups/${rg}/providers/Microsoft.ContainerRegistry/registries/${registry}/importImage?api-version=${api}`;

  async function post(body: unknown, clientId = 'owner', registry = 'dst'): Promise<HttpResult> {
    const token = await entraToken(em, clientId, 'https://management.azure.com');
    return request(em.caPem, importUrl(registry), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async function poll(location: string, clientId = 'owner'): Promise<HttpResult> {
    const token = await entraToken(em, clientId, 'https://management.azure.com');
    return request(em.caPem, location, { headers: { Authorization: `Bearer ${token}` } });
  }

  /** POSTs, then polls the Location until it stops answering 202; returns the last poll. */
  async function runToEnd(body: unknown, clientId = 'owner', registry = 'dst'): Promise<HttpResult> {
    const accepted = await post(body, clientId, registry);
    assert.equal(accepted.status, 202, accepted.text);
    const location = String(accepted.headers.location);
    for (let i = 0; i < 10; i++) {
      const p = await poll(location, clientId);
      if (p.status !== 202) return p;
    }
    throw new Error('operation never finished');
  }

  const byDigest = (repo: string, tag: string, registry = 'src'): string => `${repo}@${em.registry(registry).tags(repo).get(tag) ?? ''}`;

  it('accepts with 202, an empty body, a signed Location and Retry-After; polls 202 while it runs, then 200 Succeeded', async function () {
    em.setImportDurationMs(600_000);
    const accepted = await post({ source: { resourceId: SRC, sourceImage: byDigest('app', '1.0') }, targetTags: ['app:1.0'], mode: 'NoForce' });
    assert.equal(accepted.status, 202);
    assert.equal(accepted.body.length, 0);
    assert.equal(accepted.headers['content-length'], '0');
    assert.equal(accepted.headers['retry-after'], '1');
    assert.ok(accepted.headers['x-ms-ratelimit-remaining-subscription-writes']);
    assert.equal(accepted.headers['azure-asyncoperation'], undefined);
    const location = new URL(String(accepted.headers.location));
    assert.equal(location.origin, em.armEndpoint);
    assert.match(location.pathname, new RegExp(`^/subscriptions/${SUB_A}/providers/Microsoft\\.ContainerRegistry/locations/WESTUS/operationResults/registries-[0-9a-f-]{36}$`));
    assert.equal(location.searchParams.get('api-version'), '2025-11-01');
    for (const k of ['t', 'c', 's', 'h']) assert.ok(location.searchParams.get(k), `query value ${k}`);

    const running = await poll(location.href);
    assert.equal(running.status, 202);
    assert.equal(running.headers['retry-after'], '1');
    assert.equal(running.headers.location, location.href);
    assert.equal(em.registry('dst').tags('app').size, 0, 'nothing lands before the operation completes');

    assert.equal(em.completeImports(), 1);
    const done = await poll(location.href);
    assert.equal(done.status, 200);
    assert.deepEqual(done.json(), { status: 'Succeeded' });
    assert.equal(em.registry('dst').tags('app').get('1.0'), em.registry('src').tags('app').get('1.0'));
    const again = await poll(location.href);
    assert.deepEqual(again.json(), { status: 'Succeeded' }, 'a final GET on the Location repeats the outcome');

    const logged = em.log.entries().find((e) => e.route === 'arm.importImage');
    assert.deepEqual((logged?.body as { targetTags: string[] }).targetTags, ['app:1.0']);
    assert.equal(em.log.count('arm.importImage.poll'), 3);
  });

  it('refuses a Location whose signed values were altered', async function () {
    const accepted = await post({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] });
    const url = new URL(String(accepted.headers.location));
    url.searchParams.set('s', 'forged');
    const forged = await poll(url.href);
    assert.equal(forged.status, 400);
    url.searchParams.delete('s');
    assert.equal((await poll(url.href)).status, 400);
  });

  it('runs with the SDK (beginImportImageAndWait style) and copies by digest', async function () {
    const cred = new ClientSecretCredential(TENANT, 'owner', 'secret-of-owner', { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } });
    const client = new ContainerRegistryManagementClient(cred, SUB_A, { endpoint: em.armEndpoint, tlsOptions: { ca: em.caPem } });
    await client.registries.importImage('dst-rg', 'dst', { source: { resourceId: SRC, sourceImage: byDigest('app', '1.1') }, targetTags: ['app:1.1', 'app:latest'], mode: 'NoForce' }, { updateIntervalInMs: 5 });
    const digest = em.registry('src').tags('app').get('1.1');
    assert.equal(em.registry('dst').tags('app').get('1.1'), digest);
    assert.equal(em.registry('dst').tags('app').get('latest'), digest);
  });

  it('copies an index and its child manifests by digest; the digest is the sha256 of the bytes served', async function () {
    const done = await runToEnd({ source: { resourceId: SRC, sourceImage: byDigest('team/multi', 'v1') }, targetTags: ['team/multi:v1'] });
    assert.equal(done.status, 200);
    const indexDigest = em.registry('src').tags('team/multi').get('v1') ?? '';
    const dst = em.registry('dst');
    assert.equal(dst.tags('team/multi').get('v1'), indexDigest);

    const token = await acrAccessToken(em, 'dst', 'owner', ['repository:team/multi:pull']);
    const get = (ref: string) =>
      request(em.caPem, `https://${dst.loginServer}/v2/team%2Fmulti/manifests/${ref}`, { headers: { Authorization: `Bearer ${token}`, Accept: ACCEPT_MANIFESTS } });
    const index = await get('v1');
    assert.equal(index.status, 200);
    assert.equal(index.headers['docker-content-digest'], indexDigest);
    assert.equal(`sha256:${createHash('sha256').update(index.body).digest('hex')}`, indexDigest);
    assert.equal(index.headers['content-type'], 'application/vnd.oci.image.index.v1+json');
    const children = index.json<{ manifests: { digest: string }[] }>().manifests;
    assert.equal(children.length, 3);
    for (const child of children) {
      assert.ok(dst.hasManifest('team/multi', child.digest), child.digest);
      const c = await get(child.digest);
      assert.equal(c.status, 200);
      assert.equal(`sha256:${createHash('sha256').update(c.body).digest('hex')}`, child.digest);
    }
  });

  it('imports a Helm chart and into untagged repositories', async function () {
    const digest = em.registry('src').tags('charts').get('0.1.0') ?? '';
    await runToEnd({ source: { resourceId: SRC, sourceImage: `charts@${digest}` }, targetTags: ['charts:0.1.0'], untaggedTargetRepositories: ['archive'] });
    assert.equal(em.registry('dst').tags('charts').get('0.1.0'), digest);
    assert.ok(em.registry('dst').hasManifest('archive', digest));
    assert.equal(em.registry('dst').tags('archive').size, 0);
  });

  it('copies a referrer untagged by digest (no targetTags, Force): the target then lists it for its subject (importImage spec: untaggedTargetRepositories, "a manifest only copy. No tag will be created")', async function () {
    const subject = em.registry('src').tags('app').get('1.1') ?? '';
    const signature = em.registry('src').attach('app', subject, { artifactType: 'application/vnd.cncf.notary.signature', seed: 'app-2-signature' });
    await runToEnd({ source: { resourceId: SRC, sourceImage: `app@${subject}` }, targetTags: ['app:1.1'] });
    const tagsBefore = [...em.registry('dst').tags('app')];
    const done = await runToEnd({ source: { resourceId: SRC, sourceImage: `app@${signature}` }, untaggedTargetRepositories: ['app'], mode: 'Force' });
    assert.equal(done.status, 200);
    assert.ok(em.registry('dst').hasManifest('app', signature));
    assert.deepEqual([...em.registry('dst').tags('app')], tagsBefore, 'no tag created or moved');
    assert.deepEqual(em.registry('dst').referrers('app', subject).map((d) => d.digest), [signature]);
  });

  it('imports across subscriptions by resource id', async function () {
    const done = await runToEnd({ source: { resourceId: OTHER_SRC, sourceImage: 'app:2.0' }, targetTags: ['app:2.0'] });
    assert.equal(done.status, 200);
    assert.equal(em.registry('dst').tags('app').get('2.0'), em.registry('bsrc').tags('app').get('2.0'));
  });

  it('NoForce fails when a target tag exists (httpError style: 409 + ARM error), Force overwrites', async function () {
    em.registry('dst').push('app', '1.0', { kind: 'image', seed: 'something-else' });
    const failed = await runToEnd({ source: { resourceId: SRC, sourceImage: byDigest('app', '1.0') }, targetTags: ['app:1.0'], mode: 'NoForce' });
    assert.equal(failed.status, 409);
    const error = failed.json<{ error: { code: string; message: string } }>().error;
    assert.equal(error.code, 'InvalidParameters');
    // Azure's wording (azure-cli#10938): the operation, the target registry, the tag, the sentence.
    assert.match(error.message, /^Operation registries-[0-9a-f-]{36} failed\. Resource /);
    assert.ok(error.message.endsWith(`Resource ${registryId(SUB_A, 'dst-rg', 'dst')} app:1.0 Tag app:1.0 already exists in target registry.`), error.message);
    assert.notEqual(em.registry('dst').tags('app').get('1.0'), em.registry('src').tags('app').get('1.0'));

    const forced = await runToEnd({ source: { resourceId: SRC, sourceImage: byDigest('app', '1.0') }, targetTags: ['app:1.0'], mode: 'Force' });
    assert.equal(forced.status, 200);
    assert.equal(em.registry('dst').tags('app').get('1.0'), em.registry('src').tags('app').get('1.0'));
  });

  it('reports a failed operation as 200 {"status":"Failed"} in the bodyStatus style', async function () {
    em.setImportFailureStyle('bodyStatus');
    em.registry('dst').push('app', '1.0', { kind: 'image', seed: 'something-else' });
    const failed = await runToEnd({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'], mode: 'NoForce' });
    assert.equal(failed.status, 200);
    const body = failed.json<{ status: string; error: { code: string; message: string } }>();
    assert.equal(body.status, 'Failed');
    assert.match(body.error.message, /already exists in target registry/);
  });

  it('never writes a locked tag, even with Force', async function () {
    const dst = em.registry('dst');
    const before = dst.push('app', '1.0', { kind: 'image', seed: 'old' });
    dst.setTagWriteEnabled('app', '1.0', false);
    const failed = await runToEnd({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0', 'app:other'], mode: 'Force' });
    assert.equal(failed.status, 409);
    assert.match(failed.json<{ error: { message: string } }>().error.message, /locked/);
    assert.equal(dst.tags('app').get('1.0'), before);
    assert.equal(dst.tags('app').get('other'), undefined, 'all or nothing');
  });

  it('refuses the POST with 403 AuthorizationFailed without import rights on the target', async function () {
    const res = await post({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] }, 'pusher');
    assert.equal(res.status, 403);
    const error = res.json<{ error: { code: string; message: string } }>().error;
    assert.equal(error.code, 'AuthorizationFailed');
    assert.equal(
      error.message,
      `The client 'pusher' with object id '${String(error.message.match(/object id '([^']+)'/)?.[1])}' does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/importImage/action' over scope '${registryId(SUB_A, 'dst-rg', 'dst')}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    assert.equal(em.log.count('arm.importImage', 403), 1);
  });

  it('lets the Data Importer role import, and refuses a source the caller cannot read (LinkedAuthorizationFailed)', async function () {
    const ok = await runToEnd({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] }, 'importer');
    assert.equal(ok.status, 200);
    const refused = await post({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] }, 'no-source');
    assert.equal(refused.status, 403);
    assert.equal(refused.json<{ error: { code: string } }>().error.code, 'LinkedAuthorizationFailed');
  });

  it('fails the operation for a missing source image, registry, or registryUri source', async function () {
    const noTag = await runToEnd({ source: { resourceId: SRC, sourceImage: 'app:9.9' }, targetTags: ['app:9.9'] });
    assert.equal(noTag.status, 400);
    assert.match(noTag.json<{ error: { message: string } }>().error.message, /was not found/);
    const noDigest = await runToEnd({ source: { resourceId: SRC, sourceImage: `app@sha256:${'0'.repeat(64)}` }, targetTags: ['app:x'] });
    assert.equal(noDigest.status, 400);
    const noRegistry = await runToEnd({ source: { resourceId: registryId(SUB_A, 'src-rg', 'ghost'), sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] });
    assert.equal(noRegistry.status, 400);
    assert.match(noRegistry.json<{ error: { message: string } }>().error.message, /could not be found/);
    const byUri = await runToEnd({ source: { registryUri: em.registry('src').loginServer, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] });
    assert.equal(byUri.status, 400);
    // Anonymous pull of an ACR, as Azure/acr#196 reports it.
    assert.match(byUri.json<{ error: { message: string } }>().error.message, /Invalid message Unauthorized Unauthorized .*"code":"UNAUTHORIZED","message":"authentication required"/);
    assert.equal(em.registry('dst').repositories().length, 0);
  });

  it('fails an index with more than 50 manifests', async function () {
    const failed = await runToEnd({ source: { resourceId: SRC, sourceImage: 'huge:v1' }, targetTags: ['huge:v1'] });
    assert.equal(failed.status, 400);
    assert.match(failed.json<{ error: { message: string } }>().error.message, /51 manifests/);
  });

  it('fails when a registry denies trusted services, succeeds when it allows them', async function () {
    const closed = await runToEnd({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] }, 'owner', 'closed');
    assert.equal(closed.status, 400);
    // Azure/acr#571's words for an import that cannot get into the target.
    assert.match(closed.json<{ error: { message: string } }>().error.message, new RegExp(`Access to ${em.registry('closed').loginServer} denied\\.$`));
    // A source closed the same way: Azure/acr#435's DENIED.
    const fromClosed = await runToEnd({ source: { resourceId: registryId(SUB_A, 'dst-rg', 'closed'), sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] });
    assert.equal(fromClosed.status, 400);
    assert.match(fromClosed.json<{ error: { message: string } }>().error.message, /Invalid message Forbidden Forbidden .*"code":"DENIED","message":"requested access to the resource is denied"/);
    const trusted = await runToEnd({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] }, 'owner', 'trusted');
    assert.equal(trusted.status, 200);
  });

  it('answers malformed bodies synchronously with 400', async function () {
    const noSource = await post({ targetTags: ['app:1.0'] });
    assert.equal(noSource.status, 400);
    assert.equal(noSource.json<{ error: { code: string } }>().error.code, 'InvalidParameters');
    const badMode = await post({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, mode: 'Sometimes' });
    assert.equal(badMode.status, 400);
    const badTag = await post({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['bad name:1'] });
    assert.equal(badTag.status, 400);
    const token = await entraToken(em, 'owner', 'https://management.azure.com');
    const notJson = await request(em.caPem, importUrl(), { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{nope' });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json<{ error: { code: string } }>().error.code, 'InvalidRequestContent');
    const missing = await post({ source: { resourceId: SRC, sourceImage: 'app:1.0' } }, 'owner', 'ghost');
    assert.equal(missing.status, 404);
  });

  it('lets a scripted importFails fault fail an otherwise good import', async function () {
    em.addFault({ route: 'arm.importImage', kind: 'importFails', code: 'InternalServerError', message: 'Error copying blobs', status: 500 });
    const failed = await runToEnd({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] });
    assert.equal(failed.status, 500);
    assert.deepEqual(failed.json(), { error: { code: 'InternalServerError', message: 'Error copying blobs' } });
    assert.equal(em.registry('dst').tags('app').size, 0);
    const next = await runToEnd({ source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'] });
    assert.equal(next.status, 200, 'the fault fired once');
  });

  it('makes the SDK poller reject a failed operation in the httpError style', async function () {
    em.registry('dst').push('app', '1.0', { kind: 'image', seed: 'x' });
    const cred = new ClientSecretCredential(TENANT, 'owner', 'secret-of-owner', { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } });
    const client = new ContainerRegistryManagementClient(cred, SUB_A, { endpoint: em.armEndpoint, tlsOptions: { ca: em.caPem } });
    await assert.rejects(
      client.registries.importImage('dst-rg', 'dst', { source: { resourceId: SRC, sourceImage: 'app:1.0' }, targetTags: ['app:1.0'], mode: 'NoForce' }, { updateIntervalInMs: 5 }),
      /already exists in target registry/,
    );
  });
});
