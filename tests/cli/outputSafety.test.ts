/**
 * What the command line prints when a service sends something hostile: a repository name with a
 * line break, a terminal escape or a forged pipeline command is printed escaped (no control
 * character reaches the terminal) and kept as it is in the JSON report; a service that echoes
 * the client secret it was sent never gets it printed.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunReport } from '../../src/engine/report';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator } from '../../testkit/emulator/api';
import { CLIENT_SECRET, registries, release, runCli, TARGET, twoRegistries } from './support/cliHarness';

/** Control characters, but the line feeds that end the lines the command line prints. */
// eslint-disable-next-line no-control-regex -- these are what must not be printed
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('acr-transfer command line: hostile service answers', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ fixture: twoRegistries({ api: release('a', '1') }), importRetryAfterSeconds: 1, importDurationMs: 0 });
  });
  afterEach(() => emulator.stop());

  it('prints registry-supplied names escaped and keeps them whole in the JSON report', async () => {
    const forged = 'evil\n##vso[task.setvariable variable=pwned]yes';
    const loud = 'red\u001b[31m\rname';
    emulator.addFault({ route: 'acr.catalog', kind: 'status', status: 200, body: { repositories: ['api', forged, loud] } });
    const report = join(mkdtempSync(join(tmpdir(), 'cli-hostile-')), 'report.json');
    const result = await runCli(emulator, [...registries(), '--report-json', report]);
    assert.equal(result.code, 1, result.stderr);
    const printed = result.stdout + result.stderr;
    assert.ok(!CONTROL.test(printed), `control characters printed:\n${JSON.stringify(printed)}`);
    assert.ok(!printed.split('\n').some((line) => line.startsWith('##')), 'no printed line starts with a forged command');
    assert.ok(printed.includes('evil\\n##vso[task.setvariable variable=pwned]yes'), printed);
    assert.ok(printed.includes('red\\u001b[31m\\rname'), printed);
    const written = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    assert.deepEqual(written.repositories.map((r) => r.name).sort(), ['api', forged, loud].sort());
    assert.deepEqual(emulator.registry(TARGET).repositories(), ['api'], 'the readable repository was still copied');
  });

  it('never prints the client secret when Entra ID echoes it back', async () => {
    // Every token request is refused: the registry's token, asked ahead beside the ARM one, is one of them.
    emulator.addFault({
      route: 'entra.token',
      kind: 'status',
      times: Infinity,
      status: 401,
      body: { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided. Received: ${CLIENT_SECRET}` },
    });
    const result = await runCli(emulator, registries());
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /AADSTS7000215: Invalid client secret provided\. Received: \[redacted\]/);
    assert.ok(!(result.stdout + result.stderr).includes(CLIENT_SECRET));
  });

  it('never prints the client secret when an import error echoes it', async () => {
    emulator.addFault({
      route: 'arm.importImage',
      kind: 'status',
      status: 400,
      body: { error: { code: 'InvalidParameters', message: `credentials ${CLIENT_SECRET} were refused by the source` } },
    });
    const result = await runCli(emulator, registries());
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /credentials \[redacted\] were refused by the source/);
    assert.ok(!(result.stdout + result.stderr).includes(CLIENT_SECRET));
  });
});
