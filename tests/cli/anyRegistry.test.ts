/**
 * Any registry as the source, end to end: the real command line reads a real registry (CNCF
 * distribution 2.8 on 127.0.0.1 over TLS, basic auth) and the emulator's importImage, given
 * its `registryUri` and the credentials, really reads the manifests from it when it copies.
 * Asserted on the emulator's target, the import bodies, what the emulator read from the
 * registry and the registry's own access log; the password never appears in any output.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator } from '../../testkit/emulator/api';
import { RegistryClient, pushHelmChart, pushImage, pushIndex, startOciRegistry, type OciRegistryHandle } from '../../testkit/ociRegistry';
import type { RunReport } from '../../src/engine/report';
import { image, runCli, snapshot, SUB_TARGET, TARGET, twoRegistries, type CliResult } from './support/cliHarness';

const USER = { username: 'mirror-bot', password: 'Src-Registry-PW-3b9d71' };

describe('acr-transfer command line: any registry as the source (a real registry)', function () {
  this.timeout(180_000);
  let emulator: Emulator;
  let registry: OciRegistryHandle;
  let client: RegistryClient;
  const dir = mkdtempSync(join(tmpdir(), 'cli-any-registry-'));
  const passwordFile = join(dir, 'password.txt');
  writeFileSync(passwordFile, `${USER.password}\n`);
  /** repository → tag → digest, as pushed. */
  const pushed: Record<string, Record<string, string>> = {};
  const note = (repository: string, tag: string, digest: string): void => {
    pushed[repository] = { ...pushed[repository], [tag]: digest };
  };

  before(async () => {
    // The target already holds team/app:1.0 at another manifest: a re-tag.
    emulator = await startEmulator({ fixture: twoRegistries({}, { 'team/app': { '1.0': image('stale') } }), importRetryAfterSeconds: 1, importDurationMs: 0 });
    registry = await startOciRegistry({ auth: 'basic', users: [USER], tls: emulator.serverTls });
    client = new RegistryClient({ host: registry.host, ca: emulator.caPem, credentials: USER });
    note('team/app', '1.0', (await pushImage(client, 'team/app', { seed: 'app-1', tag: '1.0', format: 'docker' })).digest);
    note('team/app', '1.1', (await pushImage(client, 'team/app', { seed: 'app-2', tag: '1.1' })).digest);
    note('team/app', 'latest', (await pushImage(client, 'team/app', { seed: 'app-2', tag: 'latest' })).digest);
    await pushImage(client, 'team/app', { seed: 'app-pr', tag: 'pr-7' });
    note('multi', '1.0', (await pushIndex(client, 'multi', { seed: 'multi', tag: '1.0' })).digest);
    note('charts/web', '0.1.0', (await pushHelmChart(client, 'charts/web', { seed: 'web', tag: '0.1.0' })).digest);
    await pushImage(client, 'legacy/old', { seed: 'old', tag: '1' });
  });
  after(async () => {
    await registry?.stop();
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const args = (...extra: string[]): string[] => [
    '--source-registry-uri',
    registry.host,
    '--source-username',
    USER.username,
    '--target-registry-name',
    TARGET,
    '--target-subscription-id',
    SUB_TARGET,
    '--ignore-pattern',
    'legacy/*',
    '--ignore-tag-pattern',
    'pr-*',
    ...extra,
  ];
  const noSecretIn = (result: CliResult, ...files: string[]): void => {
    for (const text of [result.stdout, result.stderr, ...files.map((f) => readFileSync(f, 'utf8'))]) assert.ok(!text.includes(USER.password), 'the password is never printed');
  };
  const productReads = (from: number): string[] =>
    registry
      .requests()
      .slice(from)
      .filter((r) => r.userAgent.includes('acr-transfer'))
      .map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}${r.status === 401 ? ' 401' : ''}`);

  it('plans a dry run from the registry: what would be imported, nothing written', async () => {
    const before = snapshot(emulator, TARGET);
    const served = registry.requests().length;
    const result = await runCli(emulator, args('--dry-run'), { ACR_TRANSFER_SOURCE_PASSWORD: USER.password });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`Dry run: ${registry.host.replace('.', '\\.')} → ${TARGET}`));
    assert.match(result.stdout, /team\/app +1\.0 +re-tagged .* would import Force/);
    assert.equal(emulator.log.count('arm.importImage'), 0);
    assert.deepEqual(snapshot(emulator, TARGET), before);
    assert.equal(emulator.remoteReads().length, 0, 'nothing read by an import');
    // One catalog page, one tag listing per selected repository, one HEAD per tag the filters keep (not pr-7).
    const reads = productReads(served);
    assert.deepEqual(reads.filter((r) => r.includes('_catalog')), ['GET /v2/_catalog']);
    assert.deepEqual(reads.filter((r) => r.includes('/tags/list')).sort(), ['GET /v2/charts/web/tags/list', 'GET /v2/multi/tags/list', 'GET /v2/team/app/tags/list']);
    assert.equal(reads.filter((r) => r.startsWith('HEAD ')).length, 5, reads.join('\n'));
    assert.ok(!reads.some((r) => r.includes('pr-7')), 'a tag the name patterns leave out is not read');
    assert.ok(!reads.some((r) => r.includes('legacy')), 'an ignored repository is not read');
    noSecretIn(result);
  });

  it('syncs: new tags imported, the re-tagged one forced, each pinned to its digest, read from the registry by the import', async () => {
    const report = join(dir, 'report.json');
    const result = await runCli(emulator, args('--source-password-file', passwordFile, '--report-json', report));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(snapshot(emulator, TARGET), pushed);
    const bodies = emulator.log
      .entries()
      .filter((e) => e.route === 'arm.importImage')
      .map((e) => e.body as { source: { registryUri?: string; resourceId?: string; sourceImage: string; credentials?: { username?: string; password?: string } }; targetTags: string[]; mode: string });
    // One import per (repository, digest, mode): 1.1 and latest share a manifest.
    assert.equal(bodies.length, 4);
    for (const body of bodies) {
      assert.equal(body.source.registryUri, registry.host);
      assert.equal(body.source.resourceId, undefined);
      // The emulator's log keeps the credentials' place, never their values; the registry's log shows they worked.
      assert.deepEqual(body.source.credentials, { username: '<redacted>', password: '<redacted>' });
      assert.match(body.source.sourceImage, /^[a-z/]+@sha256:[0-9a-f]{64}$/);
    }
    const retag = bodies.find((b) => b.targetTags.includes('team/app:1.0'));
    assert.equal(retag?.mode, 'Force');
    assert.equal(retag?.source.sourceImage, `team/app@${pushed['team/app']['1.0']}`);
    assert.deepEqual(bodies.find((b) => b.targetTags.includes('team/app:1.1'))?.targetTags.sort(), ['team/app:1.1', 'team/app:latest']);
    // The import read each manifest from the registry (an index with its two children).
    const manifestReads = emulator.remoteReads().filter((r) => r.status === 200 && r.path.includes('/manifests/sha256:'));
    assert.equal(manifestReads.length, 6, manifestReads.map((r) => r.path).join('\n'));
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    assert.equal(parsed.source.registry, registry.host);
    assert.equal(parsed.totals.tags.retagged, 1);
    assert.equal(parsed.totals.tags.filteredOut, 1);
    noSecretIn(result, report);
  });

  it('finds nothing to do on the second run: no import, one HEAD per tag kept', async () => {
    const imports = emulator.log.count('arm.importImage');
    const served = registry.requests().length;
    const result = await runCli(emulator, args(), { ACR_TRANSFER_SOURCE_PASSWORD: USER.password });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(emulator.log.count('arm.importImage'), imports);
    assert.deepEqual(snapshot(emulator, TARGET), pushed);
    assert.equal(productReads(served).filter((r) => r.startsWith('HEAD ')).length, 5);
    assert.match(result.stdout, /tags: 0 new, 0 re-tagged, 5 in sync/);
    noSecretIn(result);
  });

  it('finds a re-pushed tag with --check (exit 4), moves it on the next run, reading only the named repository', async () => {
    note('charts/web', '0.1.0', (await pushHelmChart(client, 'charts/web', { seed: 'web-fixed', tag: '0.1.0' })).digest);
    // The drift gate sees it first, and writes nothing.
    const imports = emulator.log.count('arm.importImage');
    const check = await runCli(emulator, args('--check'), { ACR_TRANSFER_SOURCE_PASSWORD: USER.password });
    assert.equal(check.code, 4, check.stderr);
    assert.match(check.stdout, /charts\/web +0\.1\.0 +re-tagged/);
    assert.equal(emulator.log.count('arm.importImage'), imports);
    const served = registry.requests().length;
    const result = await runCli(emulator, args('--repository', 'charts/web'), { ACR_TRANSFER_SOURCE_PASSWORD: USER.password });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(snapshot(emulator, TARGET), pushed);
    const reads = productReads(served);
    assert.ok(!reads.some((r) => r.includes('_catalog')), 'named repositories need no catalog');
    // Without the catalog read first, the listing meets the registry's Basic challenge once.
    assert.deepEqual(reads.filter((r) => r.includes('/tags/list')), ['GET /v2/charts/web/tags/list 401', 'GET /v2/charts/web/tags/list']);
    assert.equal(reads.filter((r) => r.endsWith(' 401')).length, 1, 'one challenge, then Basic on every request');
  });

  it('fails with one line when the password is wrong, writing nothing', async () => {
    const before = snapshot(emulator, TARGET);
    const imports = emulator.log.count('arm.importImage');
    const result = await runCli(emulator, args(), { ACR_TRANSFER_SOURCE_PASSWORD: 'not-the-password-1' });
    assert.notEqual(result.code, 0);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, new RegExp(registry.host.replace('.', '\\.')));
    assert.equal(emulator.log.count('arm.importImage'), imports);
    assert.deepEqual(snapshot(emulator, TARGET), before);
    assert.ok(!`${result.stdout}${result.stderr}`.includes('not-the-password-1'));
  });
});
