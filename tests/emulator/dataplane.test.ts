import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { FORM, SUB_A, TENANT, acrAccessToken, claimsOf, entraToken, form, images, principal, registryId, request, sleep } from './support';

function fixture(): Fixture {
  const many: Record<string, Record<string, { content: { kind: 'image'; seed: string } }>> = {};
  for (let i = 0; i < 1100; i++) many[`repo${String(i).padStart(4, '0')}`] = { v: { content: { kind: 'image', seed: `r${i}` } } };
  return {
    principals: [
      principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }]),
      principal('puller', [{ role: 'AcrPull', scope: registryId(SUB_A, 'rg', 'src') }]),
      principal('stranger', [{ role: 'Reader', scope: registryId(SUB_A, 'rg', 'empty') }]),
    ],
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT,
        registries: [
          {
            name: 'src',
            resourceGroup: 'rg',
            repositories: {
              'library/hello-world': {
                ...images(150, 'v'),
                latest: { content: { kind: 'index', seed: 'hw', platforms: ['linux/amd64', 'linux/arm/v7'] } },
                locked: { content: { kind: 'image', seed: 'locked' }, writeEnabled: false },
              },
              'library/busybox': { '1.36': { content: { kind: 'image', seed: 'bb' } } },
            },
          },
          { name: 'big', resourceGroup: 'rg', repositories: many },
          { name: 'empty', resourceGroup: 'rg' },
          { name: 'strict', resourceGroup: 'rg', azureADAuthenticationAsArmPolicy: 'disabled' },
        ],
      },
    ],
  };
}

describe('emulator: ACR data plane', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: fixture(), tokenLifetimeSeconds: 600 });
  });
  after(() => em.stop());

  const host = (name: string): string => em.registry(name).loginServer;
  const get = (name: string, path: string, token?: string, method = 'GET', accept?: string) =>
    request(em.caPem, `https://${host(name)}${path}`, { method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(accept ? { Accept: accept } : {}) } });
  const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

  it('challenges /v2/ without a scope and protected routes with theirs', async function () {
    const root = await get('src', '/v2/');
    assert.equal(root.status, 401);
    assert.equal(root.headers['www-authenticate'], `Bearer realm="https://${host('src')}/oauth2/token",service="${host('src')}"`);
    assert.equal(root.headers['docker-distribution-api-version'], 'registry/2.0');

    const catalog = await get('src', '/acr/v1/_catalog');
    assert.equal(catalog.status, 401);
    assert.equal(catalog.headers['www-authenticate'], `Bearer realm="https://${host('src')}/oauth2/token",service="${host('src')}",scope="registry:catalog:*"`);
    assert.deepEqual(catalog.json(), {
      errors: [
        {
          code: 'UNAUTHORIZED',
          message: 'authentication required, visit https://aka.ms/acr/authorization for more information.',
          detail: [{ Type: 'registry', Name: 'catalog', Action: '*' }],
        },
      ],
    });
    const tags = await get('src', '/acr/v1/library%2Fhello-world/_tags');
    assert.match(String(tags.headers['www-authenticate']), /,scope="repository:library\/hello-world:metadata_read"$/);
    const manifest = await get('src', '/v2/library/hello-world/manifests/latest');
    assert.match(String(manifest.headers['www-authenticate']), /,scope="repository:library\/hello-world:pull"$/);
  });

  it('exchanges an Entra token for a refresh token, then for an access token of the roles', async function () {
    const aad = await entraToken(em, 'owner', em.acrAudience);
    const ex = await request(em.caPem, `https://${host('src')}/oauth2/exchange`, {
      method: 'POST',
      headers: FORM,
      body: form({ grant_type: 'access_token', service: host('src'), tenant: TENANT, access_token: aad }),
    });
    assert.equal(ex.status, 200);
    const refresh = ex.json<{ refresh_token: string }>().refresh_token;
    assert.deepEqual(Object.keys(ex.json()), ['refresh_token']);
    assert.equal(claimsOf(refresh).aud, host('src'));
    const tok = await request(em.caPem, `https://${host('src')}/oauth2/token`, {
      method: 'POST',
      headers: FORM,
      body: form({ grant_type: 'refresh_token', service: host('src'), scope: ['registry:catalog:*', 'repository:library/hello-world:pull,push'], refresh_token: refresh }),
    });
    assert.equal(tok.status, 200);
    const access = claimsOf(tok.json<{ access_token: string }>().access_token).access;
    assert.deepEqual(access, [
      { type: 'registry', name: 'catalog', actions: ['*'] },
      { type: 'repository', name: 'library/hello-world', actions: ['pull', 'push'] },
    ]);
    const v2 = await get('src', '/v2/', tok.json<{ access_token: string }>().access_token);
    assert.equal(v2.status, 200);
  });

  it('grants only what the role allows (AcrPull cannot push)', async function () {
    const token = await acrAccessToken(em, 'src', 'puller', ['repository:library/busybox:pull,push']);
    assert.deepEqual(claimsOf(token).access, [{ type: 'repository', name: 'library/busybox', actions: ['pull'] }]);
  });

  it('grants several scopes in one token, as a space-separated list or a repeated parameter, and logs them', async function () {
    em.log.clear();
    const scopes = ['repository:library/busybox:metadata_read', 'repository:library/hello-world:metadata_read', 'repository:library/busybox:push'];
    const listed = await acrAccessToken(em, 'src', 'puller', [scopes.join(' ')]);
    const repeated = await acrAccessToken(em, 'src', 'puller', scopes);
    const granted = [
      { type: 'repository', name: 'library/busybox', actions: ['metadata_read'] },
      { type: 'repository', name: 'library/hello-world', actions: ['metadata_read'] },
    ];
    // AcrPull may read both repositories, not push: that scope is left out, not an error.
    assert.deepEqual(claimsOf(listed).access, granted);
    assert.deepEqual(claimsOf(repeated).access, granted);
    for (const token of [listed, repeated]) {
      assert.equal((await get('src', '/acr/v1/library%2Fbusybox/_tags', token)).status, 200);
      assert.equal((await get('src', '/acr/v1/library%2Fhello-world/_tags', token)).status, 200);
    }
    const records = em.log.entries().filter((e) => e.route === 'acr.token').map((e) => e.body);
    assert.deepEqual(records, [
      { scopes, granted: ['repository:library/busybox:metadata_read', 'repository:library/hello-world:metadata_read'] },
      { scopes, granted: ['repository:library/busybox:metadata_read', 'repository:library/hello-world:metadata_read'] },
    ]);
    assert.ok(!JSON.stringify(records).includes('eyJ'), 'no token in the log');
  });

  it('refuses the exchange without a role, with a wrong audience, and ARM tokens under a disabled policy', async function () {
    const exchange = async (name: string, clientId: string, resource: string) =>
      request(em.caPem, `https://${host(name)}/oauth2/exchange`, {
        method: 'POST',
        headers: FORM,
        body: form({ grant_type: 'access_token', service: host(name), access_token: await entraToken(em, clientId, resource) }),
      });
    const noRole = await exchange('src', 'stranger', em.acrAudience);
    assert.equal(noRole.status, 401);
    assert.equal(noRole.json<{ errors: { code: string }[] }>().errors[0]?.code, 'UNAUTHORIZED');
    await assert.rejects(exchange('src', 'owner', 'https://vault.azure.net'), /AADSTS500011/, 'Entra issues no token for a resource the emulator does not serve');
    assert.equal((await exchange('src', 'owner', 'https://management.core.windows.net/')).status, 200, 'ARM audience accepted by default');
    assert.equal((await exchange('strict', 'owner', 'https://management.core.windows.net/')).status, 401);
    assert.equal((await exchange('strict', 'owner', em.acrAudience)).status, 200);
  });

  it('refuses expired ACR tokens so clients renew', async function () {
    em.setTokenLifetimeSeconds(1);
    let access: string;
    let refresh: string;
    try {
      const aad = await entraToken(em, 'owner', em.acrAudience);
      const ex = await request(em.caPem, `https://${host('src')}/oauth2/exchange`, {
        method: 'POST',
        headers: FORM,
        body: form({ grant_type: 'access_token', service: host('src'), access_token: aad }),
      });
      refresh = ex.json<{ refresh_token: string }>().refresh_token;
      access = await acrAccessToken(em, 'src', 'owner', ['registry:catalog:*']);
    } finally {
      em.setTokenLifetimeSeconds(600);
    }
    assert.equal((await get('src', '/acr/v1/_catalog', access)).status, 200);
    await sleep(1100);
    const stale = await get('src', '/acr/v1/_catalog', access);
    assert.equal(stale.status, 401);
    assert.match(String(stale.headers['www-authenticate']), /,error="invalid_token"$/);
    const renew = await request(em.caPem, `https://${host('src')}/oauth2/token`, {
      method: 'POST',
      headers: FORM,
      body: form({ grant_type: 'refresh_token', service: host('src'), scope: 'registry:catalog:*', refresh_token: refresh }),
    });
    assert.equal(renew.status, 401);
  });

  it('pages the catalog: n defaults to 100, is capped at 1000, Link in the recorded form', async function () {
    const token = await acrAccessToken(em, 'big', 'owner', ['registry:catalog:*']);
    const first = await get('big', '/acr/v1/_catalog', token);
    const repos = first.json<{ repositories: string[] }>().repositories;
    assert.equal(repos.length, 100);
    assert.equal(first.headers.link, '</acr/v1/_catalog?last=repo0099&n=100&orderby=>; rel="next"');
    const capped = await get('big', '/acr/v1/_catalog?n=5000', token);
    assert.equal(capped.json<{ repositories: string[] }>().repositories.length, 1000);
    assert.equal(capped.headers.link, '</acr/v1/_catalog?last=repo0999&n=1000&orderby=>; rel="next"');
    const rest = await get('big', '/acr/v1/_catalog?last=repo0999&n=1000&orderby=', token);
    assert.equal(rest.json<{ repositories: string[] }>().repositories.length, 100);
    assert.equal(rest.json<{ repositories: string[] }>().repositories[0], 'repo1000');
    assert.equal(rest.headers.link, undefined, 'no Link after the last page');
    const v2 = await get('big', '/v2/_catalog?n=2', token);
    assert.equal(v2.headers.link, '</v2/_catalog?last=repo0001&n=2&orderby=>; rel="next"');
  });

  it('answers {"repositories": null} for an empty registry', async function () {
    const token = await acrAccessToken(em, 'empty', 'owner', ['registry:catalog:*']);
    const res = await get('empty', '/acr/v1/_catalog', token);
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"repositories":null}');
  });

  it('lists tags with digests and lock state, paged, ordered, filtered by digest', async function () {
    const token = await acrAccessToken(em, 'src', 'owner', ['repository:library/hello-world:metadata_read']);
    const first = await get('src', '/acr/v1/library%2Fhello-world/_tags', token);
    assert.equal(first.status, 200);
    const body = first.json<{ registry: string; imageName: string; tags: { name: string; digest: string; changeableAttributes: { writeEnabled: boolean } }[] }>();
    assert.equal(body.registry, host('src'));
    assert.equal(body.imageName, 'library/hello-world');
    assert.equal(body.tags.length, 100);
    const lastName = body.tags[99]?.name ?? '';
    assert.equal(first.headers.link, `</acr/v1/library%2Fhello-world/_tags?last=${lastName}&n=100&orderby=>; rel="next"`);
    const all: typeof body.tags = [];
    let next: string | undefined = '/acr/v1/library/hello-world/_tags?n=1000';
    while (next) {
      const page = await get('src', next, token);
      all.push(...page.json<typeof body>().tags);
      next = /^<([^>]+)>/.exec(String(page.headers.link ?? ''))?.[1];
    }
    assert.equal(all.length, 152);
    const locked = all.find((t) => t.name === 'locked');
    assert.equal(locked?.changeableAttributes.writeEnabled, false);
    assert.deepEqual(Object.keys(locked ?? {}), ['name', 'digest', 'createdTime', 'lastUpdateTime', 'signed', 'changeableAttributes']);
    assert.equal(locked?.digest, em.registry('src').tags('library/hello-world').get('locked'));

    const newest = await get('src', '/acr/v1/library%2Fhello-world/_tags?orderby=timedesc&n=2', token);
    assert.deepEqual(newest.json<typeof body>().tags.map((t) => t.name), ['locked', 'latest']);
    assert.match(String(newest.headers.link), /&orderby=timedesc>; rel="next"$/);
    const digest = em.registry('src').tags('library/hello-world').get('v3') ?? '';
    const byDigest = await get('src', `/acr/v1/library%2Fhello-world/_tags?digest=${encodeURIComponent(digest)}`, token);
    assert.deepEqual(byDigest.json<typeof body>().tags.map((t) => t.name), ['v3']);
  });

  it('answers 404 NAME_UNKNOWN for a missing repository', async function () {
    const token = await acrAccessToken(em, 'src', 'owner', ['repository:nope:metadata_read']);
    const res = await get('src', '/acr/v1/nope/_tags', token);
    assert.equal(res.status, 404);
    assert.equal(res.json<{ errors: { code: string }[] }>().errors[0]?.code, 'NAME_UNKNOWN');
  });

  it('refuses a token of another scope with a challenge', async function () {
    const token = await acrAccessToken(em, 'src', 'owner', ['repository:library/busybox:metadata_read']);
    const res = await get('src', '/acr/v1/library%2Fhello-world/_tags', token);
    assert.equal(res.status, 401);
    assert.match(String(res.headers['www-authenticate']), /scope="repository:library\/hello-world:metadata_read"/);
    const other = await acrAccessToken(em, 'empty', 'owner', ['registry:catalog:*']);
    assert.equal((await get('src', '/acr/v1/_catalog', other)).status, 401, 'a token of another registry');
  });

  it('lists manifests with their media type, index children untagged; references only in the single read', async function () {
    const token = await acrAccessToken(em, 'src', 'owner', ['repository:library/hello-world:metadata_read']);
    const index = em.registry('src').tags('library/hello-world').get('latest') ?? '';
    const res = await get('src', `/acr/v1/library%2Fhello-world/_manifests/${encodeURIComponent(index)}`, token);
    const m = res.json<{ manifest: { mediaType: string; tags: string[]; references: { digest: string; architecture: string }[] } }>().manifest;
    assert.equal(m.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(m.tags, ['latest']);
    assert.deepEqual(m.references.map((r) => r.architecture), ['amd64', 'arm']);
    const page = await get('src', '/acr/v1/library%2Fhello-world/_manifests?n=3', token);
    const listed = page.json<{ manifests: { digest: string; mediaType: string; references?: unknown }[] }>().manifests;
    const digests = listed.map((x) => x.digest);
    assert.ok(listed.every((x) => typeof x.mediaType === 'string' && x.references === undefined), 'mediaType, no references');
    const whole = (await get('src', '/acr/v1/library%2Fhello-world/_manifests', token)).json<{ manifests: { digest: string; mediaType: string; tags?: string[]; references?: unknown }[] }>();
    const listedIndex = whole.manifests.find((x) => x.digest === index);
    assert.deepEqual([listedIndex?.mediaType, listedIndex?.tags, listedIndex?.references], [m.mediaType, ['latest'], undefined]);
    assert.deepEqual(digests, [...digests].sort());
    assert.equal(page.headers.link, `</acr/v1/library%2Fhello-world/_manifests?last=${encodeURIComponent(digests[2] ?? '')}&n=3&orderby=>; rel="next"`);
    const child = m.references[0]?.digest ?? '';
    const props = await get('src', `/acr/v1/library%2Fhello-world/_manifests/${encodeURIComponent(child)}`, token);
    // An untagged manifest read alone has no `tags` at all (recording_sets_manifest_properties).
    assert.equal(props.json<{ manifest: { tags?: string[] } }>().manifest.tags, undefined);
    assert.equal(props.json<{ manifest: { os: string } }>().manifest.os, 'linux');
  });

  it('serves manifests by tag and digest, GET and HEAD, with Docker-Content-Digest', async function () {
    const token = await acrAccessToken(em, 'src', 'owner', ['repository:library/busybox:pull']);
    const byTag = await get('src', '/v2/library/busybox/manifests/1.36', token, 'GET', OCI_MANIFEST);
    assert.equal(byTag.status, 200);
    assert.equal(byTag.headers['content-type'], 'application/vnd.oci.image.manifest.v1+json');
    const digest = String(byTag.headers['docker-content-digest']);
    assert.equal(digest, em.registry('src').tags('library/busybox').get('1.36'));
    assert.equal(byTag.headers.etag, `"${digest}"`);
    const head = await get('src', `/v2/library%2Fbusybox/manifests/${digest}`, token, 'HEAD', OCI_MANIFEST);
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-length'], String(byTag.body.length));
    const missing = await get('src', '/v2/library/busybox/manifests/nope', token, 'GET', OCI_MANIFEST);
    assert.equal(missing.status, 404);
    assert.equal(missing.json<{ errors: { code: string }[] }>().errors[0]?.code, 'MANIFEST_UNKNOWN');
  });

  it('refuses writes to a locked tag with 405 REGISTRY_DISALLOWED_OPERATION', async function () {
    const token = await acrAccessToken(em, 'src', 'owner', ['repository:library/hello-world:pull,push,delete']);
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 2 }, layers: [] });
    const put = (tag: string) =>
      request(em.caPem, `https://${host('src')}/v2/library/hello-world/manifests/${tag}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
        body: manifest,
      });
    const locked = await put('locked');
    assert.equal(locked.status, 405);
    assert.equal(locked.json<{ errors: { code: string }[] }>().errors[0]?.code, 'REGISTRY_DISALLOWED_OPERATION');
    const del = await get('src', '/acr/v1/library%2Fhello-world/_tags/locked', token, 'DELETE');
    assert.equal(del.status, 405);
    const pushed = await put('fresh');
    assert.equal(pushed.status, 201);
    assert.equal(em.registry('src').tags('library/hello-world').get('fresh'), pushed.headers['docker-content-digest']);
    assert.equal((await get('src', '/acr/v1/library%2Fhello-world/_tags/fresh', token, 'DELETE')).status, 202);
    assert.equal(em.registry('src').tags('library/hello-world').has('fresh'), false);
  });
});
