/**
 * What the command line prints, run as a child process through pipes against the emulator
 * (issue 16): the plan in a layout that fits a screen, `--quiet`, and `--output json`, whose
 * stdout is the run report and nothing else (the same text `--report-json` writes), with every
 * line for a person on stderr. Assertions on the emulator's state and request log too.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator, TagFixture } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import { runCli as runCliInProcess } from '../../src/cli/run';
import { CLIENT_ID, CLIENT_SECRET, image, registries, release, runCli, snapshot, SOURCE, TARGET, TENANT, twoRegistries } from './support/cliHarness';

const SHORT = /sha256:[0-9a-f]{12}/.source;

/** `repositories` × `tags` new tags, each of its own image: team/app0:v0, … */
function manyNew(repositories: number, tags: number): Record<string, Record<string, TagFixture>> {
  return Object.fromEntries(
    Array.from({ length: repositories }, (_, r) => [`team/app${r}`, Object.fromEntries(Array.from({ length: tags }, (_, t) => [`v${t}`, image(`r${r}t${t}`)]))]),
  );
}

/** A source with a new tag, a moved tag and a tag locked in the target. */
const SMALL_SOURCE = { app: { ...release('new-latest', 'latest'), ...release('rebuilt', '1.0'), ...release('fresh', '2.0') } };
const SMALL_TARGET = { app: { latest: image('old-latest'), '1.0': image('original', false) } };

describe('acr-transfer command line: the plan on a screen, --quiet, --output json', function () {
  this.timeout(120_000);
  let emulator: Emulator | undefined;
  const work = mkdtempSync(join(tmpdir(), 'cli-output-'));
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  async function start(source: Parameters<typeof twoRegistries>[0], target: Parameters<typeof twoRegistries>[1] = {}): Promise<Emulator> {
    emulator = await startEmulator({ fixture: twoRegistries(source, target), importRetryAfterSeconds: 1, importDurationMs: 0 });
    return emulator;
  }

  it('prints a small plan a row per tag by default', async () => {
    const e = await start(SMALL_SOURCE, SMALL_TARGET);
    const result = await runCli(e, [...registries(), '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^REPOSITORY\s+TAG\s+DECISION\s+SOURCE\s+TARGET\s+IMPORT$/m);
    assert.match(result.stdout, new RegExp(`^app\\s+2\\.0\\s+new\\s+${SHORT}\\s+—\\s+would import NoForce$`, 'm'));
    assert.match(result.stdout, /^Plan: 1 repository has work: tags 1 new, 1 re-tagged, 1 locked, 0 in sync; 2 import calls\.$/m);
    assert.ok(!result.stdout.includes('Needs a person:'), 'the rows per tag already name them');
    assert.equal(e.log.count('arm.importImage'), 0);
  });

  it('prints a plan of 60 new tags a row per repository, and imports every tag', async () => {
    const e = await start({ ...manyNew(6, 10), done: release('d', '1') }, { done: release('d', '1') });
    const result = await runCli(e, registries());
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('REPOSITORY'));
    assert.match(lines[header], /^REPOSITORY\s+NEW\s+RE-TAGGED\s+IN SYNC\s+LOCKED\s+FILTERED\s+IMPORTS\s+STATUS$/);
    for (let r = 0; r < 6; r++) assert.match(lines[header + 1 + r], new RegExp(`^team/app${r}\\s+10\\s+0\\s+0\\s+0\\s+0\\s+10\\s+import$`));
    assert.equal(lines[header + 7], 'Plan: 6 repositories have work: tags 60 new, 0 re-tagged, 0 locked, 1 in sync; 60 import calls.');
    assert.equal(lines[header + 8], '1 repository already in sync.');
    assert.ok(!lines.some((l) => /^team\/app\d\s+v\d/.test(l)), 'no row per tag');
    // The imports are still reported one a line as they finish.
    assert.equal(lines.filter((l) => /^\[\d+\/60\] imported /.test(l)).length, 60);
    assert.equal(e.log.count('arm.importImage'), 60);
    assert.deepEqual(snapshot(e, TARGET), snapshot(e, SOURCE));
  });

  it('names re-tagged and locked tags under the table of repositories, and leaves the locked one alone', async () => {
    const e = await start(SMALL_SOURCE, SMALL_TARGET);
    const locked = e.registry(TARGET).tags('app').get('1.0');
    const result = await runCli(e, [...registries(), '--plan', 'repositories']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^app\s+1\s+1\s+0\s+1\s+0\s+2\s+import$/m);
    const named = result.stdout.split('\n').slice(result.stdout.split('\n').indexOf('Needs a person:') + 1, -1);
    assert.match(named[1], new RegExp(`^ {2}app\\s+1\\.0\\s+LOCKED\\s+${SHORT}\\s+${SHORT}\\s+never \\(locked tag\\)$`));
    assert.match(named[2], new RegExp(`^ {2}app\\s+latest\\s+re-tagged\\s+${SHORT}\\s+${SHORT}\\s+import Force$`));
    assert.ok(!result.stdout.includes(' 2.0 '), 'a new tag is counted, not named');
    assert.equal(e.registry(TARGET).tags('app').get('1.0'), locked);
    assert.equal(e.registry(TARGET).tags('app').get('latest'), e.registry(SOURCE).tags('app').get('latest'));
  });

  it('--plan none prints the counts and the tags that need a person, no table', async () => {
    const e = await start(SMALL_SOURCE, SMALL_TARGET);
    const result = await runCli(e, [...registries(), '--dry-run', '--plan', 'none']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    const selected = lines.indexOf('Selected 1 of 1 repository.');
    assert.deepEqual(lines.slice(selected, selected + 4), ['Selected 1 of 1 repository.', '', 'Plan: 1 repository has work: tags 1 new, 1 re-tagged, 1 locked, 0 in sync; 2 import calls.', 'Needs a person:']);
    assert.equal(lines.filter((l) => /^ {2}app\s+(1\.0|latest)\s/.test(l)).length, 2);
    assert.ok(!lines.some((l) => /^(REPOSITORY|app)\s/.test(l)), 'no table');
    assert.equal(e.log.count('arm.importImage'), 0);
  });

  it('--quiet prints the warnings and the result line only', async () => {
    const e = await start(SMALL_SOURCE, SMALL_TARGET);
    const result = await runCli(e, [...registries(), '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, result.stdout);
    assert.match(lines[0], /^Run succeeded with issues in \d+\.\d s\.$/);
    assert.match(lines[1], /^ {2}warning: app:1\.0 is locked in the target/);
    assert.match(lines[2], /^ {2}warning: app:latest was re-tagged/);
    // Quiet is about the output: the run is the same.
    assert.equal(e.log.count('arm.importImage'), 2);
    assert.equal(e.registry(TARGET).tags('app').get('2.0'), e.registry(SOURCE).tags('app').get('2.0'));
  });

  it('--output json: stdout is the run report alone, the same text as --report-json; the lines for a person go to stderr', async () => {
    const e = await start(SMALL_SOURCE, SMALL_TARGET);
    const file = join(work, 'run.json');
    const result = await runCli(e, [...registries(), '--output', 'json', '--report-json', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, readFileSync(file, 'utf8'));
    const report = JSON.parse(result.stdout) as RunReport;
    assert.equal(report.reportVersion, 2);
    assert.equal(report.result, 'succeededWithIssues');
    assert.equal(report.totals.tags.imported, 2);
    assert.match(result.stderr, /^Signing in with /m);
    assert.match(result.stderr, /^REPOSITORY\s+TAG\s+DECISION/m);
    assert.match(result.stderr, /^\[1\/2\] imported /m);
    assert.match(result.stderr, /^Run succeeded with issues in /m);
    assert.match(result.stderr, new RegExp(`^Report written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.equal(e.log.count('arm.importImage'), 2);
  });

  it('--output json --dry-run: a report larger than one pipe write comes whole, and nothing is written', async () => {
    const e = await start(manyNew(20, 30));
    const before = snapshot(e, TARGET);
    const file = join(work, 'dry.json');
    const result = await runCli(e, [...registries(), '--output', 'json', '--dry-run', '--report-json', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.length > 128 * 1024, `${result.stdout.length} characters: more than the chunks it is written in`);
    assert.equal(result.stdout, readFileSync(file, 'utf8'));
    const report = JSON.parse(result.stdout) as RunReport;
    assert.equal(report.dryRun, true);
    assert.equal(report.totals.tags.new, 600);
    assert.match(result.stderr, /^Dry run: sourceacr → targetacr$/m);
    assert.match(result.stderr, /^REPOSITORY\s+NEW\s+RE-TAGGED/m);
    assert.equal(e.log.count('arm.importImage'), 0);
    assert.deepEqual(snapshot(e, TARGET), before);
  });

  it('--output json --quiet: the report on stdout, the result line alone on stderr; a check keeps exit 4', async () => {
    const e = await start(SMALL_SOURCE, SMALL_TARGET);
    const result = await runCli(e, [...registries(), '--output', 'json', '--quiet', '--check']);
    assert.equal(result.code, 4, result.stderr);
    const report = JSON.parse(result.stdout) as RunReport;
    assert.deepEqual(report.check, { onDrift: 'failed', outOfSync: true, repositories: 1, tags: 2 });
    const lines = result.stderr.trimEnd().split('\n');
    assert.match(lines[0], /^Check FAILED in \d+\.\d s\.$/);
    assert.match(lines[1], /^ {2}OUT OF SYNC: 2 tags in 1 repository would be imported; nothing was written$/);
    assert.ok(lines.slice(2).every((l) => l.startsWith('  warning: ')), result.stderr);
    assert.equal(e.log.count('arm.importImage'), 0);
  });

  it('--output json in process, without a stdout writer: the report is one line of `out`, the same text', async () => {
    const e = await start(SMALL_SOURCE, SMALL_TARGET);
    const file = join(work, 'in-process.json');
    const out: string[] = [];
    const err: string[] = [];
    const flags = ['--arm-endpoint', e.armEndpoint, '--authority-host', e.authorityHost, '--registry-domain', e.registryDomain, '--ca-file', e.caFile];
    const env = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET };
    const code = await runCliInProcess([...flags, ...registries(), '--dry-run', '--output', 'json', '--report-json', file], env, { out: (l) => out.push(l), err: (l) => err.push(l) });
    assert.equal(code, 0, err.join('\n'));
    assert.equal(out.length, 1, 'one document');
    assert.equal(`${out[0]}\n`, readFileSync(file, 'utf8'));
    assert.ok(err.includes('Dry run: sourceacr → targetacr'), err.join('\n'));
  });

  it('--output json on a run that cannot start: the one-line error on stderr, nothing on stdout', async () => {
    const e = await start(SMALL_SOURCE);
    const result = await runCli(e, ['--source-registry-name', 'nosuchregistry', '--target-registry-name', TARGET, ...registries().slice(4), '--output', 'json']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /acr-transfer: registry "nosuchregistry" was not found in the source subscription/m);
    assert.equal(e.log.count('arm.importImage'), 0);
  });
});
