/**
 * The Azure REST spec examples (ARM 2025-11-01, data plane 2021-07-01) against the emulator:
 * requests made with the examples' own parameters and ids, answers checked for every field
 * the examples show. Where a spec example and a real recording disagree (the importImage
 * Location form), the recording is what armRecordings.test.ts holds the emulator to.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { FORM, TENANT, entraToken, principal, request } from '../emulator/support';
import { readContract, shapeDifferences } from './support';

interface Example {
  parameters: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  responses: Record<string, { body?: unknown; headers?: Record<string, string> }>;
}

const TARGET_SUB = '00000000-0000-0000-0000-000000000000';
const SOURCE_SUB = '10000000-0000-0000-0000-000000000000';

function fixture(): Fixture {
  return {
    principals: [
      principal('spec', [
        { role: 'Owner', scope: `/subscriptions/${TARGET_SUB}` },
        { role: 'Reader', scope: `/subscriptions/${SOURCE_SUB}` },
      ]),
    ],
    subscriptions: [
      {
        id: TARGET_SUB,
        tenantId: TENANT,
        registries: [
          { name: 'myRegistry', resourceGroup: 'myResourceGroup', sku: 'Standard' },
          {
            name: 'acrapi',
            resourceGroup: 'dataplane',
            repositories: {
              nanoserver: {
                '4.7.2-20180905-nanoserver-1803': { content: { kind: 'image', seed: 'n1' } },
                '4.7.2-20180906-nanoserver-1803': { content: { kind: 'image', seed: 'n2' } },
              },
              // The example's manifest is a Docker v2 schema 2 image.
              'hello-world-dangling': { '20190628-033033z': { content: { kind: 'image', format: 'docker', seed: 'hwd' } } },
            },
          },
          {
            name: 'alpines',
            resourceGroup: 'dataplane',
            repositories: {
              'production/alpine': { '3.19': { content: { kind: 'image', seed: 'p' } } },
              'testing/alpine': { '3.20': { content: { kind: 'image', seed: 't' } } },
            },
          },
        ],
      },
      {
        id: SOURCE_SUB,
        tenantId: TENANT,
        registries: [
          { name: 'sourceRegistry', resourceGroup: 'sourceResourceGroup', repositories: { sourceRepository: { sourceTag: { content: { kind: 'image', seed: 'spec-src' } } } } },
        ],
      },
    ],
  };
}

/** The examples' targets with their repositories lowercased (tags keep their case). */
function lowercaseTargets(params: { targetTags: string[]; untaggedTargetRepositories: string[] }): void {
  params.targetTags = params.targetTags.map((t) => t.replace(/^[^:]+/, (repository) => repository.toLowerCase()));
  params.untaggedTargetRepositories = params.untaggedTargetRepositories.map((r) => r.toLowerCase());
}

describe('contract: Azure REST spec examples', function () {
  let em: Emulator;
  let arm: string;
  before(async function () {
    // Fast imports: done as accepted (the examples are about shapes, not time).
    em = await startEmulator({ fixture: fixture(), importRetryAfterSeconds: 0, importDurationMs: 0 });
    arm = await entraToken(em, 'spec', 'https://management.azure.com');
  });
  after(() => em.stop());

  const armGet = (path: string) => request(em.caPem, `${em.armEndpoint}${path}`, { headers: { Authorization: `Bearer ${arm}` } });

  describe('ARM', function () {
    it('RegistryGet: every field of the example, same types', async function () {
      const ex = readContract<Example>('arm/RegistryGet.json');
      const p = ex.parameters;
      const res = await armGet(`/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${p.registryName}?api-version=${p['api-version']}`);
      assert.equal(res.status, 200);
      const body = res.json<Record<string, unknown>>();
      // The example's registry carries a user tag ("key"); the emulator's carry none.
      assert.deepEqual(shapeDifferences(ex.responses['200']?.body, body, ['$.tags.key'], '$', 'both'), []);
      const expected = ex.responses['200']?.body as { id: string; type: string; sku: unknown };
      assert.equal(body.id, expected.id);
      assert.equal(body.type, expected.type);
      assert.deepEqual(body.sku, expected.sku);
      assert.equal((body.properties as { loginServer: string }).loginServer, em.registry('myRegistry').loginServer);
    });

    for (const file of ['RegistryList', 'RegistryListByResourceGroup']) {
      it(`${file}: value[] items shaped like the example`, async function () {
        const ex = readContract<Example>(`arm/${file}.json`);
        const p = ex.parameters;
        const scope = p.resourceGroupName ? `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}` : `/subscriptions/${p.subscriptionId}`;
        const res = await armGet(`${scope}/providers/Microsoft.ContainerRegistry/registries?api-version=${p['api-version']}`);
        assert.equal(res.status, 200);
        const body = res.json<{ value: { name: string }[] }>();
        assert.deepEqual(shapeDifferences(ex.responses['200']?.body, body, ['$.value[].tags.key'], '$', 'both'), []);
        assert.ok(body.value.some((r) => r.name === 'myRegistry'));
      });
    }

    for (const file of ['ImportImageByManifestDigest', 'ImportImageByTag']) {
      it(`${file}: the example's camelCase targets are refused as ACR refuses them; lowercased, accepted (202 + Location) and complete`, async function () {
        const ex = readContract<Example>(`arm/${file}.json`);
        const p = ex.parameters;
        const params = structuredClone(p.parameters) as { source: { sourceImage: string }; targetTags: string[]; untaggedTargetRepositories: string[] };
        const digest = em.registry('sourceRegistry').tags('sourceRepository').get('sourceTag') ?? '';
        // The example's all-zero digest names nothing; the emulator's source manifest stands in.
        params.source.sourceImage = params.source.sourceImage.replace(/sha256:0{64}/, digest);
        const url = `${em.armEndpoint}/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${p.registryName}/importImage?api-version=${p['api-version']}`;
        const post = (body: unknown) =>
          request(em.caPem, url, { method: 'POST', headers: { Authorization: `Bearer ${arm}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        // The spec's placeholders ('targetRepository') are no repository names ACR has: they must be lowercase.
        const literal = await post(params);
        assert.equal(literal.status, 400, literal.text);
        assert.match(literal.json<{ error: { message: string } }>().error.message, /'targetRepository' must be lowercase/);
        lowercaseTargets(params);
        const res = await post(params);
        assert.ok(Object.keys(ex.responses).includes(String(res.status)));
        assert.equal(res.status, 202);
        assert.ok(res.headers.location, 'the 202 names its Location, as the example');
        let poll;
        do poll = await request(em.caPem, String(res.headers.location), { headers: { Authorization: `Bearer ${arm}` } });
        while (poll.status === 202);
        assert.deepEqual(poll.json(), { status: 'Succeeded' });
        const target = em.registry('myRegistry');
        assert.equal(target.tags('targetrepository').get('targetTag'), digest);
        assert.ok(target.hasManifest('targetrepository1', digest), 'untaggedTargetRepositories');
        assert.equal(target.tags('targetrepository1').size, 0);
      });
    }

    it('ImportImageFromPublicRegistry: with lowercase targets accepted, then Failed — the emulator reaches no public registry', async function () {
      const ex = readContract<Example>('arm/ImportImageFromPublicRegistry.json');
      const p = ex.parameters;
      const params = structuredClone(p.parameters) as { targetTags: string[]; untaggedTargetRepositories: string[] };
      lowercaseTargets(params);
      const res = await request(em.caPem, `${em.armEndpoint}/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${p.registryName}/importImage?api-version=${p['api-version']}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${arm}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(params),
      });
      assert.equal(res.status, 202);
      let poll;
      do poll = await request(em.caPem, String(res.headers.location), { headers: { Authorization: `Bearer ${arm}` } });
      while (poll.status === 202);
      assert.equal(poll.status, 400);
      assert.match(poll.json<{ error: { message: string } }>().error.message, /registry\.hub\.docker\.com.*cannot be reached/);
    });
  });

  describe('data plane', function () {
    const host = (name: string): string => em.registry(name).loginServer;

    async function accessToken(registry: string, scope: string): Promise<string> {
      const exchange = readContract<Example>('dataplane/PostRefreshToken.json').parameters;
      const ex = await request(em.caPem, `https://${host(registry)}/oauth2/exchange`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ grant_type: exchange.grant_type as string, service: host(registry), tenant: TENANT, access_token: await entraToken(em, 'spec', em.acrAudience) }).toString(),
      });
      const tok = await request(em.caPem, `https://${host(registry)}/oauth2/token`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ grant_type: 'refresh_token', service: host(registry), scope, refresh_token: ex.json<{ refresh_token: string }>().refresh_token }).toString(),
      });
      return tok.json<{ access_token: string }>().access_token;
    }

    it('PostRefreshToken and PostAccessToken: the example parameters give bodies of the example shape', async function () {
      const refreshEx = readContract<Example>('dataplane/PostRefreshToken.json');
      const ex = await request(em.caPem, `https://${host('acrapi')}/oauth2/exchange?api-version=${refreshEx.parameters['api-version']}`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ grant_type: refreshEx.parameters.grant_type as string, service: host('acrapi'), tenant: TENANT, access_token: await entraToken(em, 'spec', em.acrAudience) }).toString(),
      });
      assert.equal(ex.status, 200);
      assert.deepEqual(Object.keys(ex.json()), Object.keys(refreshEx.responses['200']?.body as object));
      const accessEx = readContract<Example>('dataplane/PostAccessToken.json');
      const tok = await request(em.caPem, `https://${host('acrapi')}/oauth2/token?api-version=${accessEx.parameters['api-version']}`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({
          grant_type: accessEx.parameters.grant_type as string,
          service: host('acrapi'),
          scope: accessEx.parameters.scope as string,
          refresh_token: ex.json<{ refresh_token: string }>().refresh_token,
        }).toString(),
      });
      assert.equal(tok.status, 200);
      assert.deepEqual(Object.keys(tok.json()), Object.keys(accessEx.responses['200']?.body as object));
    });

    it('GetRepositoryList: the same repositories', async function () {
      const ex = readContract<Example>('dataplane/GetRepositoryList.json');
      const res = await request(em.caPem, `https://${host('alpines')}/acr/v1/_catalog?api-version=${ex.parameters['api-version']}`, {
        headers: { Authorization: `Bearer ${await accessToken('alpines', 'registry:catalog:*')}` },
      });
      assert.deepEqual(res.json(), ex.responses['200']?.body);
    });

    it('GetTagList: same tag names, every example field', async function () {
      const ex = readContract<Example>('dataplane/GetTagList.json');
      const res = await request(em.caPem, `https://${host('acrapi')}/acr/v1/${ex.parameters.name}/_tags?api-version=${ex.parameters['api-version']}`, {
        headers: { Authorization: `Bearer ${await accessToken('acrapi', `repository:${ex.parameters.name}:metadata_read`)}` },
      });
      const body = res.json<{ imageName: string; tags: { name: string }[] }>();
      // The 2021 example predates `signed`, which real 2023 listings carry (js_list_tags_by_pages).
      assert.deepEqual(shapeDifferences(ex.responses['200']?.body, body, ['$.tags[].signed'], '$', 'both'), []);
      assert.equal(body.imageName, 'nanoserver');
      assert.deepEqual(body.tags.map((t) => t.name), (ex.responses['200']?.body as { tags: { name: string }[] }).tags.map((t) => t.name));
    });

    it('GetManifestList and GetManifestAttributes: every example field', async function () {
      const list = readContract<Example>('dataplane/GetManifestList.json');
      const token = await accessToken('acrapi', 'repository:nanoserver:metadata_read');
      const res = await request(em.caPem, `https://${host('acrapi')}/acr/v1/nanoserver/_manifests?api-version=2021-07-01`, { headers: { Authorization: `Bearer ${token}` } });
      const body = res.json<{ manifests: { digest: string }[] }>();
      // The 2021 example predates `mediaType` and `configMediaType`, which real 2023 listings carry (js_list_manifests).
      assert.deepEqual(shapeDifferences(list.responses['200']?.body, body, ['$.manifests[].mediaType', '$.manifests[].configMediaType'], '$', 'both'), []);
      assert.equal(body.manifests.length, 2);
      const attributes = readContract<Example>('dataplane/GetManifestAttributes.json');
      const one = await request(em.caPem, `https://${host('acrapi')}/acr/v1/nanoserver/_manifests/${body.manifests[0]?.digest ?? ''}`, { headers: { Authorization: `Bearer ${token}` } });
      assert.deepEqual(shapeDifferences(attributes.responses['200']?.body, one.json(), ['$.manifest.mediaType', '$.manifest.configMediaType'], '$', 'both'), []);
    });

    it('GetRepositoryAttributes: every example field, in its order, with the repository\'s counts', async function () {
      const ex = readContract<Example>('dataplane/GetRepositoryAttributes.json');
      const res = await request(em.caPem, `https://${host('acrapi')}/acr/v1/${ex.parameters.name}?api-version=${ex.parameters['api-version']}`, {
        headers: { Authorization: `Bearer ${await accessToken('acrapi', `repository:${ex.parameters.name}:metadata_read`)}` },
      });
      assert.equal(res.status, 200);
      const body = res.json<Record<string, unknown>>();
      const expected = ex.responses['200']?.body as Record<string, unknown>;
      assert.deepEqual(shapeDifferences(expected, body, [], '$', 'both'), []);
      assert.deepEqual(Object.keys(body), Object.keys(expected));
      assert.equal(body.imageName, 'nanoserver');
      // The example's repository has two tags on two manifests, as the fixture's does.
      assert.equal(body.manifestCount, expected.manifestCount);
      assert.equal(body.tagCount, expected.tagCount);
      assert.deepEqual(body.changeableAttributes, expected.changeableAttributes);
    });

    it('GetManifest: /v2/{name}/manifests/{reference} with the example\'s Accept answers a Docker v2 manifest of the example shape', async function () {
      const ex = readContract<Example>('dataplane/GetManifest.json');
      const res = await request(em.caPem, `https://${host('acrapi')}/v2/${ex.parameters.name}/manifests/${ex.parameters.reference}`, {
        headers: { Authorization: `Bearer ${await accessToken('acrapi', `repository:${ex.parameters.name}:pull`)}`, Accept: String(ex.parameters.accept) },
      });
      assert.equal(res.status, 200);
      const expected = ex.responses['200']?.body as { mediaType: string; config: { mediaType: string }; layers: { mediaType: string }[] };
      const body = res.json<typeof expected>();
      assert.deepEqual(shapeDifferences(expected, body, [], '$', 'both'), []);
      assert.equal(res.headers['content-type'], expected.mediaType);
      assert.deepEqual([body.mediaType, body.config.mediaType, body.layers[0]?.mediaType], [expected.mediaType, expected.config.mediaType, expected.layers[0]?.mediaType]);
      assert.deepEqual(Object.keys(body.config), Object.keys(expected.config), 'Docker field order');
    });
  });
});
