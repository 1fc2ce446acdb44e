/**
 * The demo: starts the emulator with two registries in two subscriptions, then runs the real
 * command line three times against it — a dry run, a sync and a second (no-op) sync — and
 * shows what the emulator saw. `npm run demo`; about 20 seconds.
 */
import '../loopbackGuard';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunReport } from '../../src/engine/report';
import { startEmulator, type Emulator } from '../emulator';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT,
  demoFixture,
  SOURCE_REGISTRY,
  SOURCE_SUBSCRIPTION,
  TARGET_REGISTRY,
  TARGET_SUBSCRIPTION,
} from './fixture';

const CLI = join(__dirname, '..', '..', 'src', 'cli', 'main.js');
const GUARD = join(__dirname, '..', 'loopbackGuard.js');

function banner(text: string): void {
  process.stdout.write(`\n\x1b[1m━━ ${text} ${'━'.repeat(Math.max(0, 76 - text.length))}\x1b[0m\n`);
}

/** The flags as a person would type them; subscription ids shown as variables, never printed. */
function shownCommand(extra: string[]): string {
  return ['acr-transfer', '--source-registry-name', SOURCE_REGISTRY, '--target-registry-name', TARGET_REGISTRY, '--source-subscription-id', '$SOURCE_SUBSCRIPTION', '--target-subscription-id', '$TARGET_SUBSCRIPTION', ...extra].join(' ');
}

function runCli(emulator: Emulator, extra: string[]): Promise<number> {
  const args = [
    CLI,
    '--source-registry-name', SOURCE_REGISTRY,
    '--target-registry-name', TARGET_REGISTRY,
    '--source-subscription-id', SOURCE_SUBSCRIPTION,
    '--target-subscription-id', TARGET_SUBSCRIPTION,
    '--arm-endpoint', emulator.armEndpoint,
    '--authority-host', emulator.authorityHost,
    '--registry-domain', emulator.registryDomain,
    '--ca-file', emulator.caFile,
    ...extra,
  ];
  process.stdout.write(`$ ${shownCommand(extra)}\n  (plus --arm-endpoint, --authority-host, --registry-domain and --ca-file pointing at the emulator)\n\n`);
  const env = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    AZURE_TENANT_ID: DEMO_TENANT,
    AZURE_CLIENT_ID: DEMO_CLIENT_ID,
    AZURE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    NODE_OPTIONS: `--require ${GUARD}`,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 3));
  });
}

function importCalls(emulator: Emulator): number {
  return emulator.log.count('arm.importImage');
}

async function main(): Promise<void> {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'acr-transfer-demo-'));
  banner('Starting the emulator (Entra ID, ARM, two ACR data planes; HTTPS on 127.0.0.1)');
  // Fast imports for a demo: each runs 1 s with Retry-After 1 s, where the emulator's defaults
  // are Azure's recorded ones (10 s and 10 s).
  const emulator = await startEmulator({ fixture: demoFixture(), workDir: work, importRetryAfterSeconds: 1, importDurationMs: 1000 });
  process.stdout.write('imports: fast setting, each runs 1 s server-side, Retry-After 1 s (recorded Azure: 10 s)\n');
  const source = emulator.registry(SOURCE_REGISTRY);
  const target = emulator.registry(TARGET_REGISTRY);
  process.stdout.write(`source ${SOURCE_REGISTRY}: ${source.repositories().length} repositories at ${source.loginServer}\n`);
  process.stdout.write(`target ${TARGET_REGISTRY}: ${target.repositories().length} repositories at ${target.loginServer}\n`);

  try {
    const ignore = ['--ignore-pattern', 'legacy/*', '--ignore-pattern', 're:^sandbox/'];
    banner('1. Dry run: the plan, nothing written');
    const dryCode = await runCli(emulator, [...ignore, '--dry-run']);
    const afterDry = importCalls(emulator);

    banner('2. Sync');
    const report = join(work, 'report.json');
    const syncCode = await runCli(emulator, [...ignore, '--max-concurrency', '8', '--report-json', report]);
    const afterSync = importCalls(emulator);

    banner('3. Sync again: everything is in sync, nothing to import');
    const noopCode = await runCli(emulator, ignore);
    const afterNoop = importCalls(emulator);

    banner('What the emulator saw');
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    process.stdout.write(`importImage calls: dry run ${afterDry}, sync ${afterSync - afterDry} (for ${parsed.totals.tags.imported} tags), second sync ${afterNoop - afterSync}\n`);
    for (const repo of ['api', 'web', 'billing/api', 'base/runtime', 'charts/api']) {
      const want = source.tags(repo);
      const have = target.tags(repo);
      const rows = [...want].map(([tag, digest]) => `${tag}${have.get(tag) === digest ? ' ✓' : ` ✗ (target ${have.get(tag)?.slice(0, 19) ?? 'missing'})`}`);
      process.stdout.write(`  ${repo.padEnd(14)} ${rows.join('  ')}\n`);
    }
    process.stdout.write(`exit codes: dry run ${dryCode}, sync ${syncCode}, second sync ${noopCode}\n`);
    process.stdout.write(`JSON report of the sync: ${report}\n`);
    process.stdout.write(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
