import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { buildContent, MediaTypes } from '../../testkit/emulator/content';
import { validateFixture } from '../../testkit/emulator/fixture';
import { basicFixture } from './support';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('emulator: content', function () {
  it('builds the same bytes (and digest) for the same description, others for another seed', function () {
    const a = buildContent({ kind: 'image', seed: 'x' }).root;
    const b = buildContent({ kind: 'image', seed: 'x' }).root;
    const c = buildContent({ kind: 'image', seed: 'y' }).root;
    assert.ok(a.bytes.equals(b.bytes));
    assert.equal(a.digest, sha(a.bytes));
    assert.notEqual(c.digest, a.digest);
  });

  it('makes an OCI image manifest with a config and one or two layers', function () {
    for (const seed of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const m = buildContent({ kind: 'image', seed }).root;
      const body = JSON.parse(m.bytes.toString('utf8')) as { schemaVersion: number; mediaType: string; config: { mediaType: string; digest: string }; layers: { mediaType: string; digest: string; size: number }[] };
      assert.equal(body.schemaVersion, 2);
      assert.equal(body.mediaType, MediaTypes.ociManifest);
      assert.equal(m.mediaType, MediaTypes.ociManifest);
      assert.equal(body.config.mediaType, MediaTypes.ociConfig);
      assert.match(body.config.digest, /^sha256:[0-9a-f]{64}$/);
      assert.ok(body.layers.length === 1 || body.layers.length === 2);
      for (const l of body.layers) assert.equal(l.mediaType, MediaTypes.ociLayer);
      assert.deepEqual(m.platform, { os: 'linux', architecture: 'amd64' });
    }
  });

  it('makes an OCI index whose children are per-platform images, referenced by digest', function () {
    const tree = buildContent({ kind: 'index', seed: 'i', platforms: ['linux/amd64', 'linux/arm64/v8'] });
    const index = JSON.parse(tree.root.bytes.toString('utf8')) as { mediaType: string; manifests: { digest: string; size: number; platform: unknown }[] };
    assert.equal(index.mediaType, MediaTypes.ociIndex);
    assert.equal(tree.children.length, 2);
    assert.deepEqual(index.manifests.map((m) => m.digest), tree.children.map((c) => sha(c.bytes)));
    assert.deepEqual(index.manifests.map((m) => m.size), tree.children.map((c) => c.bytes.length));
    assert.deepEqual(index.manifests[1]?.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.notEqual(tree.children[0]?.digest, tree.children[1]?.digest);
    assert.deepEqual(tree.root.references.map((r) => r.digest), tree.children.map((c) => c.digest));
  });

  it('makes a Helm chart artifact', function () {
    const m = buildContent({ kind: 'helm', seed: 'h', chart: 'demo', version: '1.2.3' }).root;
    const body = JSON.parse(m.bytes.toString('utf8')) as { config: { mediaType: string }; layers: { mediaType: string }[] };
    assert.equal(body.config.mediaType, 'application/vnd.cncf.helm.config.v1+json');
    assert.deepEqual(body.layers.map((l) => l.mediaType), ['application/vnd.cncf.helm.chart.content.v1.tar+gzip']);
    assert.equal(m.configMediaType, MediaTypes.helmConfig);
  });

  it('makes Docker v2 schema 2 images in the Docker field order (mediaType, size, digest), apart from the OCI ones', function () {
    const m = buildContent({ kind: 'image', seed: 'x', format: 'docker' }).root;
    const body = JSON.parse(m.bytes.toString('utf8')) as { schemaVersion: number; mediaType: string; config: Record<string, unknown>; layers: Record<string, unknown>[] };
    assert.deepEqual([body.schemaVersion, body.mediaType, m.mediaType], [2, MediaTypes.dockerManifest, MediaTypes.dockerManifest]);
    assert.deepEqual(Object.keys(body.config), ['mediaType', 'size', 'digest']);
    assert.equal(body.config.mediaType, 'application/vnd.docker.container.image.v1+json');
    for (const l of body.layers) {
      assert.deepEqual(Object.keys(l), ['mediaType', 'size', 'digest']);
      assert.equal(l.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    }
    assert.equal(m.configMediaType, MediaTypes.dockerConfig);
    assert.equal(m.digest, sha(m.bytes));
    assert.notEqual(m.digest, buildContent({ kind: 'image', seed: 'x' }).root.digest, 'another manifest than the OCI one of the same seed');
    assert.equal(buildContent({ kind: 'image', seed: 'x', format: 'oci' }).root.digest, buildContent({ kind: 'image', seed: 'x' }).root.digest);
  });

  it('makes Docker manifest lists of Docker v2 images, platform architecture first', function () {
    const tree = buildContent({ kind: 'index', seed: 'l', format: 'docker', platforms: ['linux/amd64', 'linux/arm/v7'] });
    const list = JSON.parse(tree.root.bytes.toString('utf8')) as { mediaType: string; manifests: Record<string, unknown>[] };
    assert.equal(list.mediaType, MediaTypes.dockerManifestList);
    assert.equal(tree.root.mediaType, MediaTypes.dockerManifestList);
    assert.deepEqual(list.manifests.map((e) => Object.keys(e)), [['mediaType', 'size', 'digest', 'platform'], ['mediaType', 'size', 'digest', 'platform']]);
    assert.deepEqual(list.manifests.map((e) => e.mediaType), [MediaTypes.dockerManifest, MediaTypes.dockerManifest]);
    assert.deepEqual(list.manifests[1]?.platform, { architecture: 'arm', os: 'linux', variant: 'v7' });
    assert.deepEqual(list.manifests.map((e) => e.digest), tree.children.map((c) => sha(c.bytes)));
    assert.deepEqual(tree.root.references.map((r) => r.digest), tree.children.map((c) => c.digest));
  });

  it('makes OCI 1.1 artifacts: artifactType, the empty config, one blob, a subject descriptor and annotations', function () {
    const subject = buildContent({ kind: 'image', seed: 'app' }).root;
    const m = buildContent({
      kind: 'artifact',
      seed: 'sig',
      artifactType: 'application/vnd.cncf.notary.signature',
      blobMediaType: 'application/jose+json',
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length },
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
    }).root;
    const body = JSON.parse(m.bytes.toString('utf8')) as { mediaType: string; artifactType: string; config: { mediaType: string; digest: string; size: number }; layers: { mediaType: string }[]; subject: unknown; annotations: unknown };
    assert.equal(body.mediaType, MediaTypes.ociManifest);
    assert.equal(body.artifactType, 'application/vnd.cncf.notary.signature');
    assert.deepEqual(body.config, { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(Buffer.from('{}')), size: 2 });
    assert.deepEqual(body.layers.map((l) => l.mediaType), ['application/jose+json']);
    assert.deepEqual(body.subject, { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length });
    assert.deepEqual(body.annotations, { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' });
    assert.deepEqual([m.subject, m.artifactType], [subject.digest, 'application/vnd.cncf.notary.signature']);
  });

  it('refuses a fixture with duplicate registry names or unknown roles', function () {
    const dup = basicFixture();
    dup.subscriptions[0]?.registries.push({ name: 'SRC', resourceGroup: 'x' });
    assert.throws(() => validateFixture(dup), /registry name 'SRC' is used twice/);
    const role = basicFixture();
    role.principals[0]?.roles.push({ role: 'Janitor' as never, scope: '/subscriptions/x' });
    assert.throws(() => validateFixture(role), /unknown role 'Janitor'/);
    const format = basicFixture();
    (format.subscriptions[0]?.registries[0]?.repositories ?? {}).app = { x: { content: { kind: 'image', seed: 'x', format: 'v1' as never } } };
    assert.throws(() => validateFixture(format), /format must be 'oci' or 'docker'/);
    const referrer = basicFixture();
    (referrer.subscriptions[0]?.registries[0]?.repositories ?? {}).app = { x: { content: { kind: 'image', seed: 'x' }, referrers: [{ artifactType: '', seed: 's' }] } };
    assert.throws(() => validateFixture(referrer), /referrer 0 needs an artifactType/);
  });
});
