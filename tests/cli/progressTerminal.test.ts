/**
 * The real command line's progress (issue 16), run as a child process against the emulator:
 * under a pseudo-terminal (util-linux `script`, in Debian's essential bsdutils) the listing's
 * progress is one line rewritten in place (`\r` + ESC[2K); through a pipe, or with TERM=dumb,
 * it is plain lines only. The emulator answers slowly (50 ms a request) so listing 200
 * repositories takes a moment; the assertions are on the kinds of lines, never their timing.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator, TagFixture } from '../../testkit/emulator/api';
import { runCli as runCliInProcess } from '../../src/cli/run';
import { runGuarded, type ChildRun } from '../support/runGuarded';
import { CLI_SCRIPT, cliArguments, cliEnvironment, image, registries, runCli, twoRegistries } from './support/cliHarness';

const REPOSITORIES = 200;
const CLEAR = '\r\x1b[2K';

/** `app000` … `app199`, a new tag each. */
function manyRepositories(): Record<string, Record<string, TagFixture>> {
  return Object.fromEntries(Array.from({ length: REPOSITORIES }, (_, r) => [`app${String(r).padStart(3, '0')}`, { v1: image(`r${r}`) }]));
}

const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/** The command line under a pseudo-terminal: everything it writes (stdout and stderr) as the terminal got it. */
function runUnderTerminal(emulator: Emulator, args: string[], env: Record<string, string>): Promise<ChildRun> {
  const command = [process.execPath, CLI_SCRIPT, ...cliArguments(emulator, args)].map(quote).join(' ');
  // script -q (no banner) -f (flush) -e (its exit code is the command's) -c COMMAND, no typescript file.
  return runGuarded('-qfec', [command, '/dev/null'], cliEnvironment(env), undefined, [], 'script');
}

describe('acr-transfer command line: progress on a terminal and through a pipe', function () {
  this.timeout(180_000);
  let emulator: Emulator | undefined;
  before(function () {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
    } catch {
      // .ci/run installs it (bsdutils, essential on Debian and Ubuntu): a missing one is a set-up fault, not a pass.
      throw new Error('util-linux `script` is needed to run the command line under a pseudo-terminal: apt-get install bsdutils');
    }
  });
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  async function start(): Promise<Emulator> {
    emulator = await startEmulator({ fixture: twoRegistries(manyRepositories(), {}), importRetryAfterSeconds: 1, importDurationMs: 0 });
    emulator.setLatency(50);
    return emulator;
  }

  it('on a terminal rewrites the listing progress in place, on one line, and leaves it with a newline', async () => {
    const e = await start();
    const result = await runUnderTerminal(e, [...registries(), '--dry-run'], { TERM: 'xterm-256color' });
    // The terminal turns each newline into \r\n.
    const screen = result.stdout.replace(/\r\n/g, '\n');
    assert.equal(result.code, 0, screen);
    assert.ok(!screen.includes('LOOPBACK GUARD'), screen);
    assert.ok(screen.includes(`${CLEAR}Listing tags: 0/${REPOSITORIES} repositories (0 with work)`), screen);
    assert.match(screen, new RegExp(`\\r\\x1b\\[2KListing tags: ${REPOSITORIES}/${REPOSITORIES} repositories \\(${REPOSITORIES} with work\\), done in [0-9.]+ s, .*requests \\(0 throttled\\)\\n`));
    assert.ok(screen.includes(`${CLEAR}Reading the catalog: `), 'the catalog too');
    // In place: no plain (newline-ended) progress line before its phase ends.
    assert.ok(!screen.includes(`\nListing tags: 0/${REPOSITORIES}`), 'the start of the listing is not a line of its own');
    const drawn = screen.split(CLEAR).filter((part) => part.startsWith('Listing tags: '));
    assert.ok(drawn.length >= 2, drawn.join(' | '));
    // The plan comes after the finished progress line, on lines of its own.
    const selected = screen.indexOf('Selected 200 of 200 repositories.');
    assert.ok(selected > screen.indexOf(`Listing tags: ${REPOSITORIES}/${REPOSITORIES}`), screen);
    assert.equal(e.log.count('arm.importImage'), 0);
  });

  it('with TERM=dumb prints plain lines, never rewriting one', async () => {
    const e = await start();
    const result = await runUnderTerminal(e, [...registries(), '--dry-run'], { TERM: 'dumb' });
    const screen = result.stdout.replace(/\r\n/g, '\n');
    assert.equal(result.code, 0, screen);
    assert.ok(!screen.includes('\x1b[2K') && !screen.includes('\r'), screen);
    assert.match(screen, /^Listing tags: 200\/200 repositories \(200 with work\), done in /m);
  });

  it('through a pipe prints plain lines at each phase change, no carriage return, and none with --quiet', async () => {
    const e = await start();
    const result = await runCli(e, [...registries(), '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes('\r') && !result.stdout.includes('\x1b'), result.stdout);
    const lines = result.stdout.split('\n');
    assert.ok(lines.some((l) => l.startsWith(`Listing tags: 0/${REPOSITORIES} repositories (0 with work), `) && l.endsWith(' requests (0 throttled)')), result.stdout);
    assert.ok(lines.some((l) => new RegExp(`^Listing tags: ${REPOSITORIES}/${REPOSITORIES} repositories \\(${REPOSITORIES} with work\\), done in `).test(l)), result.stdout);
    assert.ok(lines.some((l) => l.startsWith('Reading the catalog: ')), result.stdout);

    const quiet = await runCli(e, [...registries(), '--dry-run', '--quiet']);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.ok(!/Listing tags|Reading the catalog/.test(quiet.stdout + quiet.stderr), quiet.stdout);
  });

  it('in process: progress only for a caller that gives its screens, so the bench and other callers keep their lines', async () => {
    const e = await start();
    e.setLatency(0);
    const env = cliEnvironment();
    const argv = [...cliArguments(e, [...registries(), '--dry-run'])];
    const bare: string[] = [];
    assert.equal(await runCliInProcess(argv, env, { out: (l) => bare.push(l), err: (l) => bare.push(l) }), 0, bare.join('\n'));
    assert.ok(!bare.some((l) => /^(Listing tags|Reading the catalog)/.test(l)), bare.join('\n'));
    const lines: string[] = [];
    const raw: string[] = [];
    const screen = { tty: true, columns: 200, write: (text: string) => raw.push(text) };
    assert.equal(await runCliInProcess(argv, env, { out: (l) => lines.push(l), err: (l) => lines.push(l), screens: { out: screen, err: screen } }), 0, lines.join('\n'));
    assert.ok(!lines.some((l) => /^(Listing tags|Reading the catalog)/.test(l)), 'on a terminal the progress is drawn, not printed as lines');
    assert.ok(raw.some((w) => w.startsWith(`${CLEAR}Listing tags: ${REPOSITORIES}/${REPOSITORIES} repositories`) && w.endsWith('\n')), raw.join(' | '));
  });

  it('with --output json the progress goes to stderr and stdout is only the report', async () => {
    const e = await start();
    const result = await runCli(e, [...registries(), '--dry-run', '--output', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { totals: { repositories: { selected: number } } }).totals.repositories.selected, REPOSITORIES);
    assert.match(result.stderr, /^Listing tags: 200\/200 repositories/m);
  });
});
