import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { generateRegistries, startEmulator, type Emulator, type EmulatedRegistry, type Fixture, type RegistryFixture } from '../../testkit/emulator';
import { ACCEPT_MANIFESTS, SUB_A, TENANT, acrAccessToken, entraToken, principal, registryId, request } from './support';

function world(source: RegistryFixture, target: RegistryFixture): Fixture {
  return {
    principals: [principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }])],
    subscriptions: [{ id: SUB_A, tenantId: TENANT, registries: [source, target] }],
  };
}

/** `repository:tag` -> digest of a whole registry. */
function tagsOf(registry: EmulatedRegistry): Map<string, string> {
  const all = new Map<string, string>();
  for (const repo of registry.repositories()) for (const [tag, digest] of registry.tags(repo)) all.set(`${repo}:${tag}`, digest);
  return all;
}

const semver = (tag: string): number[] | undefined => (/^\d+\.\d+\.\d+$/.test(tag) ? tag.split('.').map(Number) : undefined);
const newer = (a: number[], b: number[]): boolean => a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] > b[2])));

describe('emulator: generated registries', function () {
  it('sizes: N repositories of exactly T tags, unique nested names over many letters; deterministic by seed', function () {
    const g = generateRegistries({ repositories: 400, tagsPerRepository: 20, seed: 'sizes' });
    const repos = Object.entries(g.source.repositories ?? {});
    assert.equal(repos.length, 400);
    for (const [name, tags] of repos) assert.equal(Object.keys(tags).length, 20, name);
    assert.equal(g.summary.repositories, 400);
    assert.equal(g.summary.tags, 8000);
    const names = repos.map(([n]) => n);
    assert.ok(names.filter((n) => n.includes('/')).length > 300, 'most are nested');
    assert.ok(names.some((n) => n.split('/').length === 3), 'some three levels deep');
    assert.ok(names.some((n) => n.startsWith('library/')) && names.some((n) => /^(charts|helm)\//.test(n)));
    assert.ok(new Set(names.map((n) => n[0])).size >= 15, 'first letters spread');
    for (const n of names) assert.match(n, /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, 'a valid repository name');
    assert.deepEqual(generateRegistries({ repositories: 400, seed: 'sizes' }), g, 'same seed, same registries');
    assert.notDeepEqual(Object.keys(generateRegistries({ repositories: 400, seed: 'other' }).source.repositories ?? {}), names);
    assert.equal(g.source.name, 'source');
    assert.equal(g.target.name, 'target');
    assert.deepEqual(g.target.repositories, {}, 'empty target by default');
    const named = generateRegistries({ repositories: 2, tagsPerRepository: 3, source: { name: 'a', resourceGroup: 'ra', sku: 'Basic' }, targetRegistry: { name: 'b', resourceGroup: 'rb' } });
    assert.deepEqual([named.source.name, named.source.resourceGroup, named.source.sku, named.target.name], ['a', 'ra', 'Basic', 'b']);
    assert.throws(() => generateRegistries({ repositories: -1 }), /repositories/);
    assert.throws(() => generateRegistries({ repositories: 1, driftPercent: 120 }), /driftPercent/);
    assert.throws(() => generateRegistries({ repositories: 1, dockerPercent: -1 }), /dockerPercent/);
  });

  it('families: about half of the image repositories Docker, the rest OCI; the share changes formats, not names or tags', function () {
    const g = generateRegistries({ repositories: 400, seed: 'families' });
    const formats = Object.values(g.source.repositories ?? {}).map((tags) => Object.values(tags)[0]?.content);
    const docker = formats.filter((c) => (c?.kind === 'image' || c?.kind === 'index') && c.format === 'docker').length;
    assert.equal(docker, g.summary.dockerRepositories);
    assert.ok(docker > 150 && docker < 230, `${docker} of 400 Docker`);
    assert.ok(formats.some((c) => c?.kind === 'index' && c.format === 'docker') && formats.some((c) => c?.kind === 'index' && c.format === undefined), 'lists and OCI indexes');
    const allOci = generateRegistries({ repositories: 400, seed: 'families', dockerPercent: 0 });
    assert.equal(allOci.summary.dockerRepositories, 0);
    assert.deepEqual(Object.keys(allOci.source.repositories ?? {}), Object.keys(g.source.repositories ?? {}), 'same names');
    assert.deepEqual(
      Object.values(allOci.source.repositories ?? {}).map((t) => Object.keys(t)),
      Object.values(g.source.repositories ?? {}).map((t) => Object.keys(t)),
      'same tags',
    );
  });

  describe('in an emulator', function () {
    let em: Emulator;
    afterEach(() => em?.stop());

    it('tags share digests the way release pipelines push them; multi-arch indexes and Helm charts are there', async function () {
      const g = generateRegistries({ repositories: 300, tagsPerRepository: 20, seed: 'releases', multiArchPercent: 20, helmPercent: 10 });
      em = await startEmulator({ fixture: world(g.source, g.target) });
      const src = em.registry('source');
      let images = 0;
      let checkedLatest = 0;
      let indexes = 0;
      let lists = 0;
      let charts = 0;
      for (const repo of src.repositories()) {
        const tags = src.tags(repo);
        assert.equal(tags.size, 20);
        const digests = new Set(tags.values());
        images += digests.size;
        assert.ok(digests.size < 20 || /^(charts|helm)\//.test(repo), `${repo}: floating tags share manifests`);
        const versions = [...tags.keys()].map((t) => [t, semver(t)] as const).filter((x): x is readonly [string, number[]] => x[1] !== undefined);
        const newest = versions.reduce<readonly [string, number[]] | undefined>((best, v) => (!best || newer(v[1], best[1]) ? v : best), undefined);
        if (tags.has('latest') && newest) {
          const [tag, [major, minor]] = newest;
          const d = tags.get(tag);
          assert.equal(tags.get('latest'), d, `${repo}: latest is the newest release ${tag}`);
          assert.equal(tags.get(`${major}.${minor}`), d, `${repo}: ${major}.${minor} too`);
          assert.equal(tags.get(String(major)), d, `${repo}: ${major} too`);
          checkedLatest += 1;
        }
        if (tags.has('main')) {
          const sha = [...tags.keys()].find((t) => t.startsWith('sha-'));
          assert.equal(tags.get(sha ?? ''), tags.get('main'), `${repo}: main and its sha- tag are one build`);
        }
      }
      assert.equal(images, g.summary.images, 'the summary counts the distinct (repository, manifest) pairs');
      assert.ok(checkedLatest > 200);

      // Listings tell indexes and charts apart.
      const token = await acrAccessToken(em, 'source', 'owner', src.repositories().slice(0, 60).map((r) => `repository:${r}:metadata_read,pull`));
      for (const repo of src.repositories().slice(0, 60)) {
        const res = await request(em.caPem, `https://${src.loginServer}/acr/v1/${encodeURIComponent(repo)}/_manifests?n=1000`, { headers: { Authorization: `Bearer ${token}` } });
        const manifests = res.json<{ manifests: { mediaType: string; configMediaType?: string; references?: unknown[] }[] }>().manifests;
        // A listing carries media types, not references (those only come with the single read).
        assert.ok(manifests.every((m) => m.references === undefined), `${repo}: no references in a listing`);
        // Either family: an OCI index of OCI images or a Docker manifest list of Docker v2 images.
        const oci = manifests.filter((m) => m.mediaType === 'application/vnd.oci.image.manifest.v1+json').length;
        const docker = manifests.filter((m) => m.mediaType === 'application/vnd.docker.distribution.manifest.v2+json').length;
        if (manifests.some((m) => m.mediaType === 'application/vnd.oci.image.index.v1+json') && oci >= 2) indexes += 1;
        if (manifests.some((m) => m.mediaType === 'application/vnd.docker.distribution.manifest.list.v2+json') && docker >= 2) lists += 1;
        if (manifests.some((m) => m.configMediaType === 'application/vnd.cncf.helm.config.v1+json')) charts += 1;
      }
      assert.ok(indexes > 0, 'multi-arch OCI indexes');
      assert.ok(lists > 0, 'Docker manifest lists');
      assert.ok(charts > 0, 'Helm charts');
    });

    it('targets: identical, empty, and drifted by an exact share (missing and re-tagged), with what a sync must do', async function () {
      const identical = generateRegistries({ repositories: 150, seed: 'targets', target: 'identical' });
      em = await startEmulator({ fixture: world(identical.source, identical.target) });
      assert.deepEqual(tagsOf(em.registry('target')), tagsOf(em.registry('source')));
      assert.deepEqual([identical.summary.importsNeeded, identical.summary.tagsToSync], [0, 0]);
      await em.stop();

      const drifted = generateRegistries({ repositories: 150, seed: 'targets', target: 'drifted' });
      assert.deepEqual(drifted.source, identical.source, 'the source does not depend on the target');
      em = await startEmulator({ fixture: world(drifted.source, drifted.target) });
      const source = tagsOf(em.registry('source'));
      const target = tagsOf(em.registry('target'));
      assert.equal(drifted.drift.missing.length + drifted.drift.retagged.length, 300, '10 % of 3,000 tags');
      assert.equal(drifted.drift.missing.length, 150, 'half of them missing');
      for (const t of drifted.drift.missing) assert.ok(!target.has(t), `${t} missing`);
      for (const t of drifted.drift.retagged) {
        assert.ok(target.has(t), `${t} present`);
        assert.notEqual(target.get(t), source.get(t), `${t} points elsewhere`);
      }
      const differing = [...source].filter(([t, d]) => target.get(t) !== d).map(([t]) => t);
      assert.deepEqual(differing.sort(), [...drifted.drift.missing, ...drifted.drift.retagged].sort());
      assert.equal([...target.keys()].filter((t) => !source.has(t)).length, 0, 'no target-only tags');
      const pairs = new Set(differing.map((t) => `${t.slice(0, t.lastIndexOf(':'))}@${source.get(t)}`));
      assert.equal(drifted.summary.importsNeeded, pairs.size);
      assert.equal(drifted.summary.tagsToSync, 300);
      // A re-tagged tag points at a manifest the target really holds.
      const dst = em.registry('target');
      for (const t of drifted.drift.retagged) {
        const repo = t.slice(0, t.lastIndexOf(':'));
        assert.ok(dst.hasManifest(repo, target.get(t) as string));
      }

      const allMissing = generateRegistries({ repositories: 40, seed: 'targets', target: 'drifted', driftPercent: 25, missingPercent: 100 });
      assert.deepEqual([allMissing.drift.missing.length, allMissing.drift.retagged.length], [200, 0]);
      const empty = generateRegistries({ repositories: 40, seed: 'targets', target: 'empty' });
      assert.equal(empty.summary.tagsToSync, 800);
      assert.equal(empty.summary.importsNeeded, empty.summary.images);
    });

    it('serves a generated world over HTTPS: catalog pages of 1,000, exact manifest bytes (GET and HEAD), imports copy them', async function () {
      const g = generateRegistries({ repositories: 2100, tagsPerRepository: 5, seed: 'serve' });
      // Fast imports: done as accepted, so the polls below find it done.
      em = await startEmulator({ fixture: world(g.source, g.target), importDurationMs: 0 });
      const src = em.registry('source');
      const catalogToken = await acrAccessToken(em, 'source', 'owner', ['registry:catalog:*']);
      const names: string[] = [];
      let path: string | undefined = '/acr/v1/_catalog?n=1000';
      let pages = 0;
      while (path) {
        const res = await request(em.caPem, `https://${src.loginServer}${path}`, { headers: { Authorization: `Bearer ${catalogToken}` } });
        names.push(...(res.json<{ repositories: string[] }>().repositories ?? []));
        pages += 1;
        path = /^<([^>]+)>/.exec(String(res.headers.link ?? ''))?.[1];
      }
      assert.equal(pages, 3);
      assert.deepEqual(names, [...src.repositories()].sort());
      assert.equal(names.length, 2100);

      // Bytes are rebuilt on demand from the description: they must hash to the digest.
      const repo = names.find((n) => n.startsWith('charts/') || n.startsWith('helm/')) ?? names[0];
      const multi = src.repositories().find((r) => g.source.repositories?.[r]?.latest?.content.kind === 'index');
      for (const r of [repo, ...(multi ? [multi] : [])]) {
        const token = await acrAccessToken(em, 'source', 'owner', [`repository:${r}:pull`]);
        for (const [tag, digest] of src.tags(r)) {
          const get = await request(em.caPem, `https://${src.loginServer}/v2/${r}/manifests/${tag}`, { headers: { Authorization: `Bearer ${token}`, Accept: ACCEPT_MANIFESTS } });
          assert.equal(get.status, 200);
          assert.equal(`sha256:${createHash('sha256').update(get.body).digest('hex')}`, digest, `${r}:${tag}`);
          const head = await request(em.caPem, `https://${src.loginServer}/v2/${r}/manifests/${tag}`, { method: 'HEAD', headers: { Authorization: `Bearer ${token}`, Accept: ACCEPT_MANIFESTS } });
          assert.equal(head.headers['content-length'], String(get.body.length));
          assert.equal(head.headers['docker-content-digest'], digest);
          assert.equal(head.body.length, 0);
        }
      }
      assert.ok(multi, 'a multi-arch repository to check');

      // An import copies the manifests (and an index's children) with their exact bytes.
      const armToken = await entraToken(em, 'owner', 'https://management.azure.com');
      const digest = src.tags(multi).get('latest') as string;
      const accepted = await request(em.caPem, `${em.armEndpoint}${registryId(SUB_A, 'target-rg', 'target')}/importImage?api-version=2025-11-01`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${armToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ source: { resourceId: src.resourceId, sourceImage: `${multi}@${digest}` }, targetTags: [`${multi}:latest`] }),
      });
      assert.equal(accepted.status, 202);
      for (let i = 0; i < 3 && (await request(em.caPem, String(accepted.headers.location), { headers: { Authorization: `Bearer ${armToken}` } })).status === 202; i++);
      const dst = em.registry('target');
      assert.equal(dst.tags(multi).get('latest'), digest);
      const token = await acrAccessToken(em, 'target', 'owner', [`repository:${multi}:pull`]);
      const index = await request(em.caPem, `https://${dst.loginServer}/v2/${multi}/manifests/latest`, { headers: { Authorization: `Bearer ${token}`, Accept: ACCEPT_MANIFESTS } });
      assert.equal(`sha256:${createHash('sha256').update(index.body).digest('hex')}`, digest);
      for (const child of index.json<{ manifests: { digest: string }[] }>().manifests) {
        const res = await request(em.caPem, `https://${dst.loginServer}/v2/${multi}/manifests/${child.digest}`, { headers: { Authorization: `Bearer ${token}`, Accept: ACCEPT_MANIFESTS } });
        assert.equal(`sha256:${createHash('sha256').update(res.body).digest('hex')}`, child.digest);
      }
    });
  });
});
