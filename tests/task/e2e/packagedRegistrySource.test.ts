/**
 * The packaged task with any registry as its source, run as the agent runs it on each of its
 * Node handlers: a Docker Registry service connection ("Others") in the agent's endpoint
 * variables names a real registry (CNCF distribution 2.8 on 127.0.0.1, TLS, token auth), the
 * target is the emulator's ACR reached through an Azure Resource Manager connection. A dry run
 * writes nothing; a sync with an ignore pattern and tag patterns copies what they leave,
 * forcing the one tag the target holds at another digest; a second run finds nothing to do.
 * Asserted on the target, the import bodies, what the imports read from the registry, the
 * registry's own access log and the output variables; the password appears only in the line
 * that registers it as a secret.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../../testkit/emulator';
import type { Emulator, Fixture } from '../../../testkit/emulator/api';
import { RegistryClient, pushHelmChart, pushImage, pushIndex, startOciRegistry, type OciRegistryHandle } from '../../../testkit/ociRegistry';
import type { RunReport } from '../../../src/engine/report';
import { packagedTaskEntry } from '../../package/support/packaged';
import { runGuarded, type ChildRun } from '../../support/runGuarded';
import { TASK_NODE_MAJORS, testNode } from '../../support/testNodes';
import { connectionEnv, dockerRegistryConnection, secretConnection } from '../connections/support/agentEnv';
import { agentEnv, outputVariables, tagsOf } from './support/taskOutput';

const TENANT = '4d3c2b1a-0000-4000-8000-00000000f141';
const SUB = '5a5a5a5a-1111-4111-8111-00000000f142';
const TARGET = 'mirroracr';
const ARM_CONN = 'c0c0c0c0-0000-4000-8000-0000000f14a1';
const REGISTRY_CONN = 'd0d0d0d0-0000-4000-8000-0000000f14a2';
const APP = 'a99a0001-0000-4000-8000-0000000f14a1';
const SECRET = 'registry-source-sp-secret~F14.value';
const USER = { username: 'mirror-bot', password: 'Pkg-Registry-PW-7c1e94' };

function fixture(): Fixture {
  return {
    principals: [{ tenantId: TENANT, clientId: APP, secret: SECRET, roles: [{ role: 'Contributor', scope: `/subscriptions/${SUB}` }] }],
    subscriptions: [
      {
        id: SUB,
        tenantId: TENANT,
        // team/app:1.0 points at another manifest in the target: the sync re-tags it.
        registries: [{ name: TARGET, resourceGroup: 'rg', repositories: { 'team/app': { '1.0': { content: { kind: 'image', seed: 'stale' } } } } }],
      },
    ],
  };
}

interface ImportBody {
  source: { registryUri?: string; resourceId?: string; sourceImage: string; credentials?: { username?: string; password?: string } };
  targetTags: string[];
  mode: string;
}

const importBodies = (emulator: Emulator): ImportBody[] =>
  emulator.log
    .entries()
    .filter((e) => e.route === 'arm.importImage')
    .map((e) => e.body as ImportBody);

for (const major of TASK_NODE_MAJORS) {
  describe(`the packaged task on Node ${major}: a Docker Registry connection as the source (a real registry, token auth)`, function () {
    this.timeout(240_000);
    let entry: string;
    let emulator: Emulator;
    let registry: OciRegistryHandle;
    const agentTemp = mkdtempSync(join(tmpdir(), 'agent-temp-registry-source-'));
    /** repository → tag → digest of what the filters leave, as pushed. */
    const expected: Record<string, Record<string, string>> = {};
    /** Every tag the filters keep: the one the tag patterns leave out is listed by name but its manifest never read. */
    const listed: string[] = [];
    const note = (repository: string, tag: string, digest: string, copied = true): void => {
      if (!copied) return;
      listed.push(`${repository}:${tag}`);
      expected[repository] = { ...expected[repository], [tag]: digest };
    };

    before(async () => {
      entry = await packagedTaskEntry();
      emulator = await startEmulator({ fixture: fixture(), importRetryAfterSeconds: 1, importDurationMs: 0 });
      registry = await startOciRegistry({ auth: 'token', users: [USER], tls: emulator.serverTls });
      const client = new RegistryClient({ host: registry.host, ca: emulator.caPem, credentials: USER });
      note('team/app', '1.0', (await pushImage(client, 'team/app', { seed: 'app-1', tag: '1.0', format: 'docker' })).digest);
      note('team/app', '1.1', (await pushImage(client, 'team/app', { seed: 'app-2', tag: '1.1' })).digest);
      note('team/app', 'latest', (await pushImage(client, 'team/app', { seed: 'app-2', tag: 'latest' })).digest);
      note('team/app', 'nightly', (await pushImage(client, 'team/app', { seed: 'app-n', tag: 'nightly' })).digest, false);
      note('multi', '1.0', (await pushIndex(client, 'multi', { seed: 'multi', tag: '1.0' })).digest);
      note('charts/web', '0.1.0', (await pushHelmChart(client, 'charts/web', { seed: 'web', tag: '0.1.0' })).digest);
      await pushImage(client, 'legacy/old', { seed: 'old', tag: '1.0' });
    });
    after(async () => {
      await registry?.stop();
      await emulator?.stop();
      rmSync(agentTemp, { recursive: true, force: true });
    });

    function runTask(inputs: Record<string, string> = {}): Promise<ChildRun> {
      const target = secretConnection(emulator, { id: ARM_CONN, tenantId: TENANT, subscriptionId: SUB, clientId: APP, secret: SECRET });
      const source = dockerRegistryConnection({ id: REGISTRY_CONN, url: registry.url, ...USER });
      return runGuarded(
        entry,
        [],
        {
          INPUT_SOURCETYPE: 'registry',
          INPUT_SOURCEREGISTRYCONNECTION: REGISTRY_CONN,
          INPUT_TARGETCONNECTION: ARM_CONN,
          INPUT_TARGETREGISTRY: TARGET,
          INPUT_REGISTRYDOMAIN: emulator.registryDomain,
          INPUT_IGNOREPATTERNS: 'legacy/*',
          INPUT_TAGPATTERNS: '1.*\nlatest\n0.*',
          ...agentEnv(emulator, agentTemp),
          ...connectionEnv(target),
          ...connectionEnv(source),
          ...inputs,
        },
        undefined,
        [],
        testNode(major).path,
      );
    }

    /** What the task itself asked the registry since `from` (importImage's reads name themselves otherwise). */
    const taskReads = (from: number): string[] =>
      registry
        .requests()
        .slice(from)
        .filter((r) => r.userAgent.includes('acr-transfer'))
        .map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}${r.status === 401 ? ' 401' : ''}`);

    /**
     * One HEAD per tag the filters keep in the repositories the ignore pattern leaves; a manifest
     * is pulled (GET, by digest) only for an image index the run imports or plans to (its size is
     * checked; a single image is known as one from its HEAD), with a look for the referrers of
     * each digest; the ignored repository is never read.
     */
    function assertSourceReads(reads: string[], importedDigests: number, importedIndexes: number): void {
      const heads = reads.filter((r) => r.startsWith('HEAD ') && !r.endsWith(' 401')).sort();
      const perTag = listed.map((t) => `HEAD /v2/${t.replace(':', '/manifests/')}`).sort();
      assert.deepEqual(heads, perTag, reads.join('\n'));
      const pulls = reads.filter((r) => r.startsWith('GET ') && r.includes('/manifests/'));
      assert.equal(pulls.length, importedIndexes, reads.join('\n'));
      assert.ok(pulls.every((r) => r.includes('/manifests/sha256%3A')), 'pulled by digest, never by tag');
      assert.equal(reads.filter((r) => r.includes('/referrers/')).length, importedDigests, reads.join('\n'));
      assert.ok(!reads.some((r) => r.includes('legacy')), 'the ignored repository is never read');
    }

    function assertPasswordOnlyRegistered(run: ChildRun): void {
      const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n/);
      const setSecret = lines.filter((l) => l.startsWith('##vso[task.setsecret]'));
      assert.ok(setSecret.includes(`##vso[task.setsecret]${USER.password}`), 'the password is registered as a secret');
      assert.ok(!lines.filter((l) => !l.startsWith('##vso[task.setsecret]')).some((l) => l.includes(USER.password)), 'the password appears nowhere else');
      const report = outputVariables(run.stdout).reportPath;
      assert.ok(report !== undefined && existsSync(report), run.stdout);
      assert.ok(!readFileSync(report, 'utf8').includes(USER.password), 'nor in the JSON report');
    }

    it('a dry run plans from the registry and writes nothing', async () => {
      const before = tagsOf(emulator, TARGET);
      const served = registry.requests().length;
      const run = await runTask({ INPUT_DRYRUN: 'true' });
      assert.match(run.stdout, /^##vso\[task\.complete result=Succeeded;\]/m, `${run.stdout}\n${run.stderr}`);
      assert.ok(run.stdout.includes(` on Node ${testNode(major).version}`), 'the task ran on the Node of this handler');
      assert.match(run.stdout, new RegExp(`^${registry.host.replace(/\./g, '\\.')} → ${TARGET}$`, 'm'));
      assert.equal(emulator.log.count('arm.importImage'), 0, 'a dry run makes no import');
      assert.deepEqual(tagsOf(emulator, TARGET), before);
      assert.equal(emulator.remoteReads().length, 0, 'nothing read by an import');
      const reads = taskReads(served);
      assert.deepEqual(reads.filter((r) => r.includes('_catalog') && !r.endsWith(' 401')), ['GET /v2/_catalog']);
      // Four digests to import, one of them the multi-platform index.
      assertSourceReads(reads, 4, 1);
      const vars = outputVariables(run.stdout);
      assert.equal(vars.tagsRetagged, '0', 'no re-tag written in a dry run');
      assert.equal(vars.tagsFilteredOut, '1');
      const report = JSON.parse(readFileSync(vars.reportPath, 'utf8')) as RunReport;
      assert.equal(report.source.registry, registry.host);
      assert.equal(report.totals.tags.retagged, 1, 'the re-tag is planned');
      assertPasswordOnlyRegistered(run);
    });

    it('syncs what the filters leave, forcing the re-tagged tag, each import pinned to its digest and read from the registry', async () => {
      const served = registry.requests().length;
      const tokensBefore = registry.tokenRequests();
      const run = await runTask();
      assert.match(run.stdout, /^##vso\[task\.complete result=Succeeded;\]/m, `${run.stdout}\n${run.stderr}`);
      assert.deepEqual(tagsOf(emulator, TARGET), expected);

      const bodies = importBodies(emulator);
      // One import per repository and manifest: 1.1 and latest share one.
      assert.equal(bodies.length, 4, JSON.stringify(bodies));
      for (const body of bodies) {
        assert.equal(body.source.registryUri, registry.host);
        assert.equal(body.source.resourceId, undefined);
        // The emulator logs where the credentials were, never their values; the import's reads show they worked.
        assert.deepEqual(body.source.credentials, { username: '<redacted>', password: '<redacted>' });
        const [repository] = body.targetTags[0].split(':');
        assert.equal(body.source.sourceImage, `${repository}@${expected[repository][body.targetTags[0].split(':')[1]]}`);
      }
      const retag = bodies.find((b) => b.targetTags.includes('team/app:1.0'));
      assert.equal(retag?.mode, 'Force');
      assert.deepEqual(bodies.find((b) => b.targetTags.includes('team/app:1.1'))?.targetTags.sort(), ['team/app:1.1', 'team/app:latest']);
      assert.ok(!bodies.some((b) => b.targetTags.some((t) => t.includes('nightly') || t.startsWith('legacy/'))));

      // Each import read its manifest from the registry, an index with both children, after a token from its realm.
      const manifestReads = emulator.remoteReads().filter((r) => r.host === registry.host && r.status === 200 && r.path.includes('/manifests/sha256:'));
      assert.equal(manifestReads.length, 6, manifestReads.map((r) => r.path).join('\n'));
      assert.ok(emulator.remoteReads().some((r) => r.host !== registry.host && r.status === 200), 'the imports signed in at the token realm');
      assert.ok(registry.tokenRequests() > tokensBefore, 'the registry\'s token server issued tokens');
      // What the imports read, seen from the registry: the same manifests by digest, never by tag.
      const importReads = registry
        .requests()
        .slice(served)
        .filter((r) => !r.userAgent.includes('acr-transfer') && r.status === 200 && r.path.includes('/manifests/'));
      assert.equal(importReads.length, 6, importReads.map((r) => `${r.method} ${r.path}`).join('\n'));
      assert.ok(importReads.every((r) => r.path.includes('/manifests/sha256:')));
      assertSourceReads(taskReads(served), 4, 1);

      const vars = outputVariables(run.stdout);
      assert.equal(vars.tagsImported, '5');
      assert.equal(vars.tagsRetagged, '1');
      assert.equal(vars.tagsInSync, '0');
      assert.equal(vars.tagsFailed, '0');
      assert.equal(vars.tagsFilteredOut, '1');
      assert.equal(vars.repositoriesRemaining, '0');
      assertPasswordOnlyRegistered(run);
    });

    it('finds nothing to do on the second run: no import, one HEAD per tag', async () => {
      const imports = emulator.log.count('arm.importImage');
      const reads = emulator.remoteReads().length;
      const served = registry.requests().length;
      const run = await runTask();
      assert.match(run.stdout, /^##vso\[task\.complete result=Succeeded;\]/m, `${run.stdout}\n${run.stderr}`);
      assert.equal(emulator.log.count('arm.importImage'), imports);
      assert.equal(emulator.remoteReads().length, reads, 'no import read anything');
      assert.deepEqual(tagsOf(emulator, TARGET), expected);
      assertSourceReads(taskReads(served), 0, 0);
      const vars = outputVariables(run.stdout);
      assert.equal(vars.tagsImported, '0');
      assert.equal(vars.tagsRetagged, '0');
      assert.equal(vars.tagsInSync, '5');
      assert.equal(vars.tagsFilteredOut, '1');
      assertPasswordOnlyRegistered(run);
    });
  });
}
