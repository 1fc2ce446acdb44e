/**
 * A source registry holding both manifest families, as real ones do — Docker v2 schema 2 images
 * and manifest lists next to OCI images, indexes and Helm charts — synced over HTTPS through
 * `connect()` and the engine. The emulator answers manifests only to clients that accept their
 * type (a Docker list asked for by tag without the list type is its linux/amd64 image), so
 * these tests hold the client's Accept and the index-size check to both families.
 */
import { strict as assert } from 'node:assert';
import { createAcrClient } from '../../src/azure/dataplane/acrClient';
import type { RunReport } from '../../src/engine/report';
import { runSync } from '../../src/engine/sync';
import { parseOptions } from '../../src/options/parse';
import { connectSrcToDst, startHarness, syncer, srcToDst, type Harness } from './support/emulatorHarness';

const SYNCER = 'c11e47a1-0000-4000-8000-0000000000d1';
const DOCKER_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const WIDE = Array.from({ length: 51 }, (_, i) => `linux/variant${i}`);

describe('azure: a registry mixing Docker and OCI manifests (emulator)', function () {
  this.timeout(60_000);
  let h: Harness;

  beforeEach(async () => {
    // Fast imports: done as accepted (this file is about manifest families, not time).
    h = await startHarness({
      importRetryAfterSeconds: 0,
      importDurationMs: 0,
      fixture: {
        principals: [syncer(SYNCER)],
        subscriptions: srcToDst({
          'docker/app': {
            '1.0': { content: { kind: 'image', format: 'docker', seed: 'd-1.0' } },
            '1.1': { content: { kind: 'image', format: 'docker', seed: 'd-1.1' } },
            latest: { content: { kind: 'image', format: 'docker', seed: 'd-1.1' } },
            '2.0': { content: { kind: 'index', format: 'docker', seed: 'd-2.0', platforms: ['linux/amd64', 'linux/arm64'] } },
            // A Docker manifest list over importImage's limit of 50 manifests.
            wide: { content: { kind: 'index', format: 'docker', seed: 'd-wide', platforms: WIDE } },
          },
          'oci/app': {
            v1: { content: { kind: 'image', seed: 'o-1' } },
            v2: { content: { kind: 'index', seed: 'o-2', platforms: ['linux/amd64', 'linux/arm64'] } },
            chart: { content: { kind: 'helm', seed: 'o-chart', chart: 'app', version: '1.0.0' } },
          },
          // Two digests: read one by one (no listing), a Docker list among them.
          pair: {
            list: { content: { kind: 'index', format: 'docker', seed: 'p-list', platforms: ['linux/arm64', 'linux/amd64'] } },
            image: { content: { kind: 'image', format: 'docker', seed: 'p-image' } },
          },
        }),
      },
    });
  });
  afterEach(async () => h?.stop());

  async function sync(): Promise<RunReport> {
    const conn = await connectSrcToDst(h, SYNCER, { importer: { pollIntervalMs: 20 } });
    h.emulator.log.clear();
    return runSync(parseOptions({ sourceRegistry: 'srcreg', targetRegistry: 'dstreg' }).sync, conn.ports, { toolVersion: 'test' });
  }

  const src = () => h.emulator.registry('srcreg');
  const dst = () => h.emulator.registry('dstreg');

  it('syncs both families: every tag arrives with its digest and children, the oversized Docker list is skipped', async () => {
    const report = await sync();
    const docker = report.repositories.find((r) => r.name === 'docker/app');
    assert.deepEqual(docker?.tags.filter((t) => t.decision === 'tooManyManifests').map((t) => [t.tag, t.manifestCount]), [['wide', 51]]);
    assert.equal(report.result, 'succeededWithIssues');
    for (const repo of ['docker/app', 'oci/app', 'pair']) {
      const expected = new Map([...src().tags(repo)].filter(([tag]) => tag !== 'wide'));
      assert.deepEqual(dst().tags(repo), expected, repo);
    }
    // The manifests arrived as they are, in their own family, an index's children with them.
    const types = (repo: string) => [...new Set(dst().manifestMediaTypes(repo).values())].sort();
    assert.deepEqual(types('docker/app'), [DOCKER_V2, DOCKER_LIST].sort());
    assert.deepEqual(types('oci/app'), [OCI_MANIFEST, OCI_INDEX].sort());
    assert.deepEqual(types('pair'), [DOCKER_V2, DOCKER_LIST].sort());
    assert.equal(dst().manifestMediaTypes('pair').size, 4, 'the list, its two images and the image');
    // The index-size check read the Docker lists as indexes: their references counted, one read each.
    const reads = h.emulator.log.entries().filter((e) => e.route === 'acr.manifestProperties' && e.status === 200).map((e) => decodeURIComponent(e.url.split('/_manifests/')[1] ?? ''));
    for (const [repo, tag] of [['docker/app', 'wide'], ['docker/app', '2.0'], ['oci/app', 'v2'], ['pair', 'list']] as const) {
      assert.ok(reads.includes(src().tags(repo).get(tag) ?? '-'), `${repo}:${tag} read for its size`);
    }
    assert.equal(h.emulator.log.count('acr.manifests', 200), 2, 'a listing for each repository above two digests');
  });

  it("reads each tag's own digest by HEAD, whatever its family: a Docker list stays the list, not its linux/amd64 image", async () => {
    const client = createAcrClient(src().loginServer, h.credentialFor(SYNCER), h.cloud, h.transport);
    for (const repo of ['docker/app', 'oci/app', 'pair']) {
      for (const [tag, digest] of src().tags(repo)) assert.equal(await client.getManifestDigest(repo, tag), digest, `${repo}:${tag}`);
    }
    const heads = h.emulator.log.entries().filter((e) => e.route === 'acr.manifest' && e.method === 'HEAD');
    assert.ok(heads.length >= 11 && heads.every((e) => e.status === 200 || e.status === 401), 'no 404 or 400 from a missing Accept type');
  });
});
