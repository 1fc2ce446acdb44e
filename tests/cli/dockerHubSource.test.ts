/**
 * Sources reached by address that are not a plain distribution registry, through the real
 * command line: Docker Hub as the emulator plays it (`flavour: 'dockerHub'`: no catalog, pull
 * rate limits counted per manifest GET) and an ACR in another tenant signed in with a
 * repository-scoped token (no catalog for a token either, no Azure identity on that tenant).
 * Without named repositories the run stops with one line saying how to name them; with them it
 * syncs, and against Docker Hub the pulls left are in the summary and the JSON report, after
 * the run's own pulls and its imports'.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator, Fixture } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import { image, principal, runCli, snapshot, SUB_SOURCE, SUB_TARGET, TARGET, TENANT, type CliResult } from './support/cliHarness';

const HUB_TOKEN = { username: 'hub-mirror', password: 'Hub-Token-PW-0d4e7a' };
const ACR_TOKEN = { username: 'partner-pull', password: 'Partner-Token-PW-6a2f19' };
const OTHER_TENANT = '7e7e7e7e-0000-4000-8000-00000000f14c';
const OTHER_SUB = '7e7e7e7e-1111-4111-8111-00000000f14d';
const HUB_LIMIT = 40;

function fixture(): Fixture {
  return {
    principals: [principal()],
    subscriptions: [
      {
        id: SUB_SOURCE,
        tenantId: TENANT,
        registries: [
          {
            name: 'hub',
            resourceGroup: 'rg-hub',
            sku: 'Standard',
            flavour: 'dockerHub',
            anonymousPullEnabled: true,
            dockerHubPullLimits: { anonymous: 10, authenticated: HUB_LIMIT },
            tokens: [{ name: HUB_TOKEN.username, passwords: [HUB_TOKEN.password], actions: ['repositories/library/*/content/read', 'repositories/library/*/metadata/read'] }],
            repositories: {
              'library/nginx': { '1.27': image('nginx-1.27'), '1.26': image('nginx-1.26') },
              'library/redis': { '7': { content: { kind: 'index', seed: 'redis-7', platforms: ['linux/amd64', 'linux/arm64'] } } },
              'library/busybox': { '1': image('busybox') },
            },
          },
        ],
      },
      {
        id: SUB_TARGET,
        tenantId: TENANT,
        registries: [{ name: TARGET, resourceGroup: 'rg-target', repositories: { 'library/nginx': { '1.26': image('nginx-1.26') } } }],
      },
      // A partner's registry in a tenant the principal has no role in: only its token reads it.
      {
        id: OTHER_SUB,
        tenantId: OTHER_TENANT,
        registries: [
          {
            name: 'partneracr',
            resourceGroup: 'rg-partner',
            tokens: [{ name: ACR_TOKEN.username, passwords: ['Partner-Token-PW-other', ACR_TOKEN.password], actions: ['repositories/shared/*/content/read', 'repositories/shared/*/metadata/read'] }],
            repositories: {
              'shared/base': { '2.0': image('base-2'), '2.1': image('base-21') },
              'shared/tools': { v3: image('tools-3') },
              internal: { secret: image('internal') },
            },
          },
        ],
      },
    ],
  };
}

describe('acr-transfer command line: Docker Hub and an ACR in another tenant, reached by address', function () {
  this.timeout(180_000);
  let emulator: Emulator;
  const dir = mkdtempSync(join(tmpdir(), 'cli-hub-source-'));
  const repositoryList = join(dir, 'repositories.txt');
  writeFileSync(repositoryList, '# what we mirror from Docker Hub\nlibrary/nginx\n\nlibrary/redis\n');

  before(async () => {
    emulator = await startEmulator({ fixture: fixture(), importRetryAfterSeconds: 1, importDurationMs: 0 });
  });
  after(async () => {
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const hub = (): string => emulator.registry('hub').loginServer;
  const partner = (): string => emulator.registry('partneracr').loginServer;
  const toTarget = ['--target-registry-name', TARGET, '--target-subscription-id', SUB_TARGET];
  const noSecretIn = (result: CliResult, secret: string, ...files: string[]): void => {
    for (const text of [result.stdout, result.stderr, ...files.map((f) => readFileSync(f, 'utf8'))]) assert.ok(!text.includes(secret), 'the password is never printed');
  };
  /** Manifest GETs the hub answered 200 (each one a pull), whoever asked. */
  const hubPulls = (): number => emulator.log.entries().filter((e) => e.service === 'acr:hub' && e.method === 'GET' && e.url.includes('/manifests/') && e.status === 200).length;

  it('without --repository, stops with one line naming --repository and --repository-list, writing nothing (bad input)', async () => {
    const before = snapshot(emulator, TARGET);
    // Anonymous (the personality allows anonymous pull), then signed in with the token.
    for (const signedIn of [false, true]) {
      const credentials = signedIn ? ['--source-username', HUB_TOKEN.username] : [];
      const env: Record<string, string> = signedIn ? { ACR_TRANSFER_SOURCE_PASSWORD: HUB_TOKEN.password } : {};
      const result = await runCli(emulator, ['--source-registry-uri', hub(), ...credentials, ...toTarget], env);
      assert.equal(result.code, 2, `${result.stdout}\n${result.stderr}`);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.equal(lines[0], `acr-transfer: the registry ${hub()} offers no repository catalog: name the repositories with --repository or --repository-list`);
      noSecretIn(result, HUB_TOKEN.password);
    }
    assert.equal(emulator.log.count('arm.importImage'), 0);
    assert.deepEqual(snapshot(emulator, TARGET), before);
  });

  it('with --repository-list, syncs the named repositories and reports the pulls left after its own and its imports\'', async () => {
    const report = join(dir, 'hub-report.json');
    const pullsBefore = hubPulls();
    const seen = emulator.log.entries().length;
    const result = await runCli(emulator, ['--source-registry-uri', hub(), '--source-username', HUB_TOKEN.username, '--repository-list', repositoryList, ...toTarget, '--report-json', report], {
      ACR_TRANSFER_SOURCE_PASSWORD: HUB_TOKEN.password,
    });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const source = emulator.registry('hub');
    assert.deepEqual(snapshot(emulator, TARGET), {
      'library/nginx': Object.fromEntries([...source.tags('library/nginx')].sort()),
      'library/redis': Object.fromEntries([...source.tags('library/redis')].sort()),
    });
    const hubRequests = emulator.log.entries().slice(seen).filter((e) => e.service === 'acr:hub');
    assert.ok(!hubRequests.some((e) => e.url.includes('busybox')), 'an unnamed repository is never read');
    assert.ok(!hubRequests.some((e) => e.url.startsWith('/v2/_catalog')), 'no catalog is asked for');
    const bodies = emulator.log
      .entries()
      .filter((e) => e.route === 'arm.importImage')
      .map((e) => e.body as { source: { registryUri?: string; sourceImage: string; credentials?: unknown }; targetTags: string[] });
    assert.deepEqual(bodies.map((b) => b.targetTags).flat().sort(), ['library/nginx:1.27', 'library/redis:7']);
    for (const body of bodies) {
      assert.equal(body.source.registryUri, hub());
      assert.deepEqual(body.source.credentials, { username: '<redacted>', password: '<redacted>' });
      assert.match(body.source.sourceImage, /^library\/(nginx|redis)@sha256:[0-9a-f]{64}$/);
    }
    // The imports pulled nginx:1.27 and redis:7 with its two platforms, on the token's allowance.
    const importPulls = emulator.remoteReads().filter((r) => r.host === hub() && r.method === 'GET' && r.path.includes('/manifests/') && r.status === 200);
    assert.equal(importPulls.length, 4, importPulls.map((r) => r.path).join('\n'));
    const pulls = hubPulls() - pullsBefore;
    // Besides the imports' pulls, the run's own: one GET of the index it imports (its size check);
    // nginx:1.27 is a single image, known as one from its HEAD, so its count costs no pull.
    assert.equal(pulls - importPulls.length, 1);
    const left = HUB_LIMIT - pulls;
    assert.match(result.stdout, new RegExp(`^ {2}source rate limit: ${left} of ${HUB_LIMIT} pulls left in a 6 h window$`, 'm'), result.stdout);
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    assert.deepEqual(parsed.source.rateLimit, { remaining: left, limit: HUB_LIMIT, windowSeconds: 21_600 });
    assert.equal(parsed.source.registry, hub());
    noSecretIn(result, HUB_TOKEN.password, report);
  });

  it('reads an ACR in another tenant with a repository-scoped token: the named repositories synced, the token\'s password never printed', async () => {
    const report = join(dir, 'partner-report.json');
    const args = ['--source-registry-uri', partner(), '--source-username', ACR_TOKEN.username, ...toTarget];
    const env = { ACR_TRANSFER_SOURCE_PASSWORD: ACR_TOKEN.password };
    // A token may not list the catalog: the same line as for Docker Hub.
    const unnamed = await runCli(emulator, args, env);
    assert.equal(unnamed.code, 2, `${unnamed.stdout}\n${unnamed.stderr}`);
    assert.match(unnamed.stderr, /offers no repository catalog: name the repositories with --repository or --repository-list/);
    const imports = emulator.log.count('arm.importImage');
    const result = await runCli(emulator, [...args, '--repository', 'shared/base', '--repository', 'shared/tools', '--report-json', report], env);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const source = emulator.registry('partneracr');
    const target = snapshot(emulator, TARGET);
    assert.deepEqual(target['shared/base'], Object.fromEntries([...source.tags('shared/base')].sort()));
    assert.deepEqual(target['shared/tools'], Object.fromEntries([...source.tags('shared/tools')].sort()));
    assert.equal(target.internal, undefined);
    const bodies = emulator.log
      .entries()
      .filter((e) => e.route === 'arm.importImage')
      .slice(imports)
      .map((e) => e.body as { source: { registryUri?: string; resourceId?: string; credentials?: unknown } });
    assert.equal(bodies.length, 3);
    for (const body of bodies) {
      assert.equal(body.source.registryUri, partner());
      assert.equal(body.source.resourceId, undefined, 'no Azure Resource Manager id: the principal cannot see that tenant');
      assert.deepEqual(body.source.credentials, { username: '<redacted>', password: '<redacted>' });
    }
    // The source was read with the token alone: no Entra token for its tenant, no exchange at it.
    assert.ok(!emulator.log.entries().some((e) => e.service === 'acr:partneracr' && e.route === 'acr.exchange'));
    assert.ok(!emulator.log.entries().some((e) => e.service === 'entra' && e.url.includes(OTHER_TENANT)));
    assert.match(result.stdout, /tags: 3 new, 0 re-tagged, 0 in sync/);
    noSecretIn(result, ACR_TOKEN.password, report);
    noSecretIn(unnamed, ACR_TOKEN.password);
  });
});
