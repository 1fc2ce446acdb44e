/**
 * The emulator driven by an independent real client: Microsoft's own data-plane SDK,
 * @azure/container-registry, which the product does not use (decision 002). It has its own
 * challenge handler, token exchange, paging and manifest reads; if the emulator only worked for
 * the product's client, this would show it. What the SDK reads must be what the emulator holds.
 */
import { strict as assert } from 'node:assert';
import { ContainerRegistryClient, ContainerRegistryContentClient } from '@azure/container-registry';
import { ClientSecretCredential } from '@azure/identity';
import { startEmulator, type Emulator, type Fixture, type TagFixture } from '../../testkit/emulator';
import { principal, SUB_A, TENANT } from '../emulator/support';

const READER = 'sdk-reader';
const WRITER = 'sdk-writer';

function fixture(): Fixture {
  const many: Record<string, TagFixture> = {};
  for (let i = 0; i < 130; i++) many[`v${String(i).padStart(3, '0')}`] = { content: { kind: 'image', seed: `many-${i}` } };
  const repositories: Record<string, Record<string, TagFixture>> = {
    'team/api': { '1.0': { content: { kind: 'image', seed: 'api-1' } }, latest: { content: { kind: 'image', seed: 'api-1' } }, '2.0': { content: { kind: 'index', seed: 'api-2', platforms: ['linux/amd64', 'linux/arm64', 'windows/amd64'] } } },
    'charts/web': { '0.9.0': { content: { kind: 'helm', seed: 'web-chart', chart: 'web', version: '0.9.0' } } },
    many,
  };
  for (let i = 0; i < 120; i++) repositories[`svc/${String(i).padStart(3, '0')}`] = { v1: { content: { kind: 'image', seed: `svc-${i}` } } };
  return {
    principals: [
      principal(READER, [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }, { role: 'AcrPull', scope: `/subscriptions/${SUB_A}` }]),
      principal(WRITER, [{ role: 'Contributor', scope: `/subscriptions/${SUB_A}` }]),
    ],
    subscriptions: [{ id: SUB_A, tenantId: TENANT, registries: [{ name: 'sdkreg', resourceGroup: 'rg', repositories }] }],
  };
}

describe('fidelity: @azure/container-registry against the emulator', function () {
  this.timeout(60_000);
  let em: Emulator;
  let client: ContainerRegistryClient;
  let endpoint: string;
  let credential: ClientSecretCredential;

  before(async () => {
    em = await startEmulator({ fixture: fixture() });
    endpoint = `https://${em.registry('sdkreg').loginServer}`;
    credential = new ClientSecretCredential(TENANT, READER, `secret-of-${READER}`, {
      authorityHost: em.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: em.caPem },
    });
    client = new ContainerRegistryClient(endpoint, credential, {
      audience: em.acrAudience,
      tlsOptions: { ca: em.caPem },
    });
  });
  after(() => em.stop());

  it('lists every repository through its own paging, as the registry holds them', async () => {
    const names: string[] = [];
    for await (const name of client.listRepositoryNames()) names.push(name);
    assert.deepEqual(names, em.registry('sdkreg').repositories().sort());
    assert.equal(names.length, 123);
  });

  it("reads a repository's properties and every tag with its digest", async () => {
    const repository = client.getRepository('many');
    const properties = await repository.getProperties();
    assert.equal(properties.name, 'many');
    assert.equal(properties.tagCount, 130);
    const held = new Map([...em.registry('sdkreg').tags('many')].sort());
    // The SDK lists a repository's tags (with digests) through the artifact, in its own pages.
    const tags = new Map<string, string>();
    for await (const tag of client.getArtifact('many', 'v000').listTagProperties()) tags.set(tag.name, tag.digest);
    assert.deepEqual(new Map([...tags].sort()), held);
    const byManifest = new Map<string, string>();
    for await (const manifest of repository.listManifestProperties()) for (const tag of manifest.tags) byManifest.set(tag, manifest.digest);
    assert.deepEqual(new Map([...byManifest].sort()), held);
  });

  it('reads manifest properties by tag and by digest, an image index with its platforms', async () => {
    const expected = em.registry('sdkreg').tags('team/api');
    const byTag = await client.getArtifact('team/api', '1.0').getManifestProperties();
    assert.equal(byTag.digest, expected.get('1.0'));
    assert.deepEqual([...byTag.tags].sort(), ['1.0', 'latest']);
    const index = await client.getArtifact('team/api', expected.get('2.0') ?? '').getManifestProperties();
    assert.equal(index.digest, expected.get('2.0'));
    assert.equal(index.relatedArtifacts.length, 3, 'the index references its three platforms');
  });

  it('downloads a manifest with its own Accept and checks its digest itself', async () => {
    const content = new ContainerRegistryContentClient(endpoint, 'team/api', credential, {
      audience: em.acrAudience,
      tlsOptions: { ca: em.caPem },
    });
    const manifest = await content.getManifest('1.0');
    assert.equal(manifest.digest, em.registry('sdkreg').tags('team/api').get('1.0'));
    assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    const chart = await new ContainerRegistryContentClient(endpoint, 'charts/web', credential, {
      audience: em.acrAudience,
      tlsOptions: { ca: em.caPem },
    }).getManifest('0.9.0');
    assert.equal(chart.digest, em.registry('sdkreg').tags('charts/web').get('0.9.0'));
  });

  it('changes attributes of a tag, a manifest and a repository with its own PATCHes; a reader cannot', async () => {
    const writer = new ContainerRegistryClient(
      endpoint,
      new ClientSecretCredential(TENANT, WRITER, `secret-of-${WRITER}`, { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } }),
      { audience: em.acrAudience, tlsOptions: { ca: em.caPem } },
    );
    const registry = em.registry('sdkreg');
    const digest = registry.tags('team/api').get('2.0') ?? '';
    const tag = await writer.getArtifact('team/api', '1.0').updateTagProperties('1.0', { canWrite: false });
    assert.equal(tag.canWrite, false);
    const manifest = await writer.getArtifact('team/api', digest).updateManifestProperties({ canDelete: false });
    assert.equal(manifest.canDelete, false);
    const repository = await writer.getRepository('charts/web').updateProperties({ canWrite: false, canList: false });
    assert.deepEqual([repository.canWrite, repository.canList, repository.canRead], [false, false, true]);
    assert.equal(registry.changeableAttributes('team/api', '1.0')?.writeEnabled, false);
    assert.equal(registry.changeableAttributes('team/api', 'latest')?.writeEnabled, true, 'only the tag named');
    assert.equal(registry.changeableAttributes('team/api', digest)?.deleteEnabled, false);
    assert.deepEqual(registry.changeableAttributes('charts/web'), { deleteEnabled: true, writeEnabled: false, readEnabled: true, listEnabled: false });
    await assert.rejects(client.getArtifact('team/api', 'latest').updateTagProperties('latest', { canWrite: false }), (e: { statusCode?: number }) => e.statusCode === 401);
    assert.equal(registry.changeableAttributes('team/api', 'latest')?.writeEnabled, true, 'the reader changed nothing');
  });

  it('signs in the way the SDK does: challenge, exchange, token — no request the emulator refused along the way', () => {
    const routes = em.log.entries().map((e) => `${e.route} ${e.status}`);
    assert.ok(routes.includes('acr.exchange 200'));
    assert.ok(routes.includes('acr.token 200'));
    assert.ok(!routes.some((r) => /^acr\.(exchange|token) [45]\d\d/.test(r)), routes.filter((r) => r.startsWith('acr.')).join('\n'));
  });
});
