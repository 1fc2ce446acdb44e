/**
 * Bad input: one line naming the bad value, exit code 2, and no write to any registry.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator } from '../../testkit/emulator/api';
import { registries, release, runCli, snapshot, SUB_SOURCE, SUB_TARGET, TARGET, twoRegistries } from './support/cliHarness';

describe('acr-transfer command line: bad input', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  const dir = mkdtempSync(join(tmpdir(), 'cli-bad-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const notJson = file('not-json.json', '["a/*",');
  const notArray = file('object.json', '{"ignore": ["a/*"]}');
  const numbers = file('numbers.json', '["a/*", 42]');
  const missing = join(dir, 'missing.json');
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  // A FIFO nobody writes to: reading it would wait for ever, so it must be refused unread.
  const fifo = join(dir, 'a-fifo');
  execFileSync('mkfifo', [fifo]);
  const notPem = file('not-pem.crt', 'this is not a certificate\n');
  const brokenPem = file('broken.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const longName = `team/${'a'.repeat(251)}`;
  const emptyList = file('empty-list.txt', '# nothing yet\n\n');
  const badList = file('bad-list.txt', 'team/api\nTeam/Web\n');
  const twoLinePassword = file('two-lines.txt', 'first\nsecond\n');
  const passwordFile = file('password.txt', 'pw-in-a-file-77\n');

  before(async () => {
    emulator = await startEmulator({ fixture: twoRegistries({ api: release('a', '1') }, { web: release('w', '1') }) });
  });
  after(() => emulator.stop());

  const withSource = (...extra: string[]): string[] => [...registries(), ...extra];
  const fromAddress = (host: string, ...extra: string[]): string[] => ['--source-registry-uri', host, '--target-registry-name', TARGET, '--target-subscription-id', SUB_TARGET, ...extra];
  const cases: Array<[string, string[], string]> = [
    ['letters c-a', withSource('--letters', 'c-a'), 'acr-transfer: letters "c-a": range "c-a" runs backwards; write a-c'],
    ['letters ab', withSource('--letters', 'ab'), 'acr-transfer: letters "ab": "ab" is neither one letter or digit nor a range such as a-c'],
    ['letters a-', withSource('--letters', 'a-'), 'acr-transfer: letters "a-": range "a-" needs one letter or digit on each side, such as a-c or 0-9'],
    ['an invalid regex', withSource('--ignore-pattern', 're:(oops'), 'acr-transfer: ignore pattern "re:(oops" is not a valid regular expression: Invalid regular expression: /(oops/i: Unterminated group'],
    ['a missing ignore config', withSource('--ignore-config', missing), `acr-transfer: ignore config "${missing}" does not exist`],
    ['an ignore config that is not JSON', withSource('--ignore-config', notJson), `acr-transfer: ignore config "${notJson}" is not valid JSON: `],
    ['an ignore config that is an object', withSource('--ignore-config', notArray), `acr-transfer: ignore config "${notArray}" must be a JSON array of pattern strings, such as ["myRepo/*", "re:^tmp-"]`],
    ['an ignore config with a number', withSource('--ignore-config', numbers), `acr-transfer: ignore config "${numbers}" must be a JSON array of pattern strings`],
    ['max repositories 0', withSource('--max-repositories', '0'), 'acr-transfer: max repositories "0" is not valid: give a whole number of at least 1'],
    ['max repositories not a number', withSource('--max-repositories', 'all'), 'acr-transfer: max repositories "all" is not valid: give a whole number of at least 1'],
    ['a negative delay', withSource('--delay-seconds', '-2'), 'acr-transfer: delay seconds "-2" is not valid: give a number of seconds from 0 to 3600'],
    ['a non-numeric delay', withSource('--delay-seconds', 'later'), 'acr-transfer: delay seconds "later" is not valid: give a number of seconds from 0 to 3600'],
    ['a time budget of 0', withSource('--time-budget-minutes', '0'), 'acr-transfer: time budget minutes "0" is not valid: give a number of minutes above 0 and at most 10080, such as 50'],
    ['a time budget in words', withSource('--time-budget-minutes', 'one hour'), 'acr-transfer: time budget minutes "one hour" is not valid: give a number of minutes above 0 and at most 10080, such as 50'],
    ['a negative import timeout', withSource('--import-timeout-minutes', '-1'), 'acr-transfer: import timeout minutes "-1" is not valid: give a number of minutes above 0 and at most 1440, such as 30'],
    ['an import timeout over a day', withSource('--import-timeout-minutes', '1441'), 'acr-transfer: import timeout minutes "1441" is not valid: give a number of minutes above 0 and at most 1440, such as 30'],
    ['a shard index of 0 (shards count from 1)', withSource('--shard-index', '0', '--shard-count', '3'), 'acr-transfer: shard index "0" is not valid: give a whole number from 1 to the shard count'],
    ['a shard index past the count', withSource('--shard-index', '4', '--shard-count', '3'), 'acr-transfer: shard index "4" is not valid: shards are numbered from 1 to the shard count (3)'],
    ['a shard count of 0', withSource('--shard-index', '1', '--shard-count', '0'), 'acr-transfer: shard count "0" is not valid: give a whole number of at least 1'],
    ['a shard index without a count', withSource('--shard-index', '2'), 'acr-transfer: shard index "2" needs a shard count too'],
    ['a shard count without an index', withSource('--shard-count', '2'), 'acr-transfer: shard count "2" needs a shard index too'],
    ['a registry name too short', ['--source-registry-name', 'acr', '--target-registry-name', TARGET, '--source-subscription-id', SUB_SOURCE], 'acr-transfer: source registry name "acr" is not valid: use 5 to 50 letters and digits'],
    ['a registry name with a dash', ['--source-registry-name', 'source-acr', '--target-registry-name', TARGET, '--source-subscription-id', SUB_SOURCE], 'acr-transfer: source registry name "source-acr" is not valid: use 5 to 50 letters and digits'],
    ['the same registry twice', ['--source-registry-name', TARGET, '--target-registry-name', TARGET.toUpperCase(), '--source-subscription-id', SUB_SOURCE], `acr-transfer: source and target are the same registry ("${TARGET}")`],
    ['a source registry that does not exist', ['--source-registry-name', 'nosuchregistry', '--target-registry-name', TARGET, '--source-subscription-id', SUB_SOURCE, '--target-subscription-id', SUB_TARGET], 'acr-transfer: registry "nosuchregistry" was not found in the source subscription'],
    ['a target registry in another subscription', ['--source-registry-name', 'sourceacr', '--target-registry-name', TARGET, '--source-subscription-id', SUB_SOURCE], `acr-transfer: registry "${TARGET}" was not found in the target subscription`],
    ['an unknown referrers mode', withSource('--referrers', 'signatures'), 'acr-transfer: referrers "signatures" is not known: use none, imported or all'],
    ['a referrers mode in capitals', withSource('--referrers', 'ALL'), 'acr-transfer: referrers "ALL" is not known: use none, imported or all'],
    ['an unknown flag', withSource('--colour'), "acr-transfer: Unknown option '--colour'"],
    ['no subscription', ['--source-registry-name', 'sourceacr', '--target-registry-name', TARGET], 'acr-transfer: source subscription id is required: pass --source-subscription-id or set AZURE_SUBSCRIPTION_ID'],
    // A shell variable that is not set, a flag given twice.
    ['a blank repository (an unset variable)', withSource('--repository', ''), 'acr-transfer: --repository "" is empty: give a value or leave the flag out'],
    ['a blank --repository=', withSource('--repository='), 'acr-transfer: --repository "" is empty: give a value or leave the flag out'],
    ['blank letters', withSource('--letters', ' '), 'acr-transfer: --letters " " is empty: give a value or leave the flag out'],
    ['a blank ignore pattern', withSource('--ignore-pattern', ''), 'acr-transfer: --ignore-pattern "" is empty: give a value or leave the flag out'],
    ['letters given twice', withSource('--letters', 'a-c', '--letters', 'x'), 'acr-transfer: --letters is given twice with different values ("a-c", then "x"): give it once'],
    // Files that are not what they should be.
    ['a CA file that is not PEM', withSource('--ca-file', notPem), `acr-transfer: CA file "${notPem}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`],
    ['a CA file with a broken certificate', withSource('--ca-file', brokenPem), `acr-transfer: CA file "${brokenPem}": certificate 1 is not a valid PEM certificate`],
    ['a CA file that is a folder', withSource('--ca-file', folder), `acr-transfer: CA file "${folder}" is not a file (a folder, a pipe or a device)`],
    ['a CA file that is a FIFO', withSource('--ca-file', fifo), `acr-transfer: CA file "${fifo}" is not a file (a folder, a pipe or a device)`],
    ['an ignore config that is a folder', withSource('--ignore-config', folder), `acr-transfer: ignore config "${folder}" is not a file (a folder, a pipe or a device)`],
    ['an ignore config that is a FIFO', withSource('--ignore-config', fifo), `acr-transfer: ignore config "${fifo}" is not a file (a folder, a pipe or a device)`],
    // Endpoints that are not well-formed https URLs.
    ['an ARM endpoint over http', withSource('--arm-endpoint', 'http://management.azure.com'), 'acr-transfer: ARM endpoint "http://management.azure.com" is not a well-formed https URL (such as https://management.azure.com)'],
    ['an ARM endpoint with a space in its host', withSource('--arm-endpoint', 'https://management azure.com'), 'acr-transfer: ARM endpoint "https://management azure.com" is not a well-formed https URL'],
    ['an authority host without its colon', withSource('--authority-host', 'https//login.microsoftonline.com'), 'acr-transfer: authority host "https//login.microsoftonline.com" is not a well-formed https URL'],
    ['an authority host with a password in it', withSource('--authority-host', 'https://me:hunter22@login.microsoftonline.com'), 'acr-transfer: authority host "https://…@login.microsoftonline.com" is not a well-formed https URL'],
    ['an audience with a query', withSource('--acr-audience', 'https://containerregistry.azure.net/?x=1'), 'acr-transfer: registry token audience "https://containerregistry.azure.net/?x=1" is not a well-formed https URL'],
    // Names and patterns.
    ['a repository name over 255 characters', withSource('--repository', longName), `acr-transfer: repository "${longName}" is 256 characters long: ACR allows at most 255`],
    ['a regex that backtracks without end', withSource('--ignore-pattern', 're:^(a+)+$'), 'acr-transfer: ignore pattern "re:^(a+)+$" repeats a part that holds a quantifier, an alternation or a backreference, which can take exponential time to match: write it without that nesting'],
    ['a regex of overlapping alternatives under a repeat', withSource('--ignore-pattern', 're:^(a|aa)+$'), 'acr-transfer: ignore pattern "re:^(a|aa)+$" repeats a part'],
    ['a regex of stacked quantifiers', withSource('--ignore-pattern', 're:^.*a.*a.*a.*b$'), 'acr-transfer: ignore pattern "re:^.*a.*a.*a.*b$" has too many wildcards, quantifiers or alternatives to match a long name quickly: simplify it'],
    ['a glob of four stars in one segment', withSource('--ignore-pattern', 'team/*a*a*a*b'), 'acr-transfer: ignore pattern "team/*a*a*a*b" has too many wildcards'],
    // Report paths, checked before the run rather than after every import.
    ['a JSON report in a missing folder', withSource('--report-json', join(dir, 'nope', 'r.json')), `acr-transfer: JSON report "${join(dir, 'nope', 'r.json')}": the folder "${join(dir, 'nope')}" does not exist`],
    ['a JSON report that is a folder', withSource('--report-json', folder), `acr-transfer: JSON report "${folder}" is a folder, a pipe or a device, not a file`],
    ['a Markdown report in a missing folder', withSource('--report-markdown', join(dir, 'nope', 'r.md')), `acr-transfer: Markdown report "${join(dir, 'nope', 'r.md')}": the folder "${join(dir, 'nope')}" does not exist`],
    // A source named by its address (any registry), and its credentials.
    ['a registry address with a scheme', fromAddress('https://ghcr.io'), 'acr-transfer: source registry address "https://ghcr.io" is not a registry host: leave out the scheme, e.g. ghcr.io instead of https://ghcr.io'],
    ['a registry address with a path', fromAddress('ghcr.io/org/app'), 'acr-transfer: source registry address "ghcr.io/org/app" is not a registry host: give the host alone; name repositories with --repository'],
    ['a registry address with user info', fromAddress('me@ghcr.io'), 'acr-transfer: source registry address "me@ghcr.io" is not a registry host: give the host alone'],
    ['a registry address with a bad port', fromAddress('ghcr.io:99999'), 'acr-transfer: source registry address "ghcr.io:99999" is not a registry host: the port must be 1 to 65535'],
    ['a registry address with a space', fromAddress('my registry.io'), 'acr-transfer: source registry address "my registry.io" is not a registry host: use a DNS name or an IPv4 address, optionally with :port'],
    ['a source named both ways', ['--source-registry-name', 'sourceacr', '--source-registry-uri', 'ghcr.io', '--target-registry-name', TARGET, '--target-subscription-id', SUB_TARGET], 'acr-transfer: the source is named twice, as registry "sourceacr" and as address "ghcr.io": give --source-registry-name for an Azure Container Registry, or --source-registry-uri for any registry, not both'],
    ['a password as a flag', fromAddress('ghcr.io', '--source-username', 'me', '--source-password', 'hunter2-not-echoed'), 'acr-transfer: --source-password is not taken: a password on the command line is visible to every user of the machine; set ACR_TRANSFER_SOURCE_PASSWORD or pass --source-password-file FILE'],
    ['a password as a flag with =', fromAddress('ghcr.io', '--password=hunter2-not-echoed'), 'acr-transfer: --password is not taken'],
    ['a user without a password', fromAddress('ghcr.io', '--source-username', 'me'), 'acr-transfer: source user "me" has no password: set ACR_TRANSFER_SOURCE_PASSWORD or pass --source-password-file FILE'],
    ['a password file without a user', fromAddress('ghcr.io', '--source-password-file', passwordFile), 'acr-transfer: a source password is given without a user: add --source-username (for a token, the token name)'],
    ['credentials for an ACR named by name', withSource('--source-username', 'me', '--source-password-file', passwordFile), 'acr-transfer: source credentials (--source-username, a source password) are for a source named by --source-registry-uri'],
    ['a password file of two lines', fromAddress('ghcr.io', '--source-username', 'me', '--source-password-file', twoLinePassword), `acr-transfer: source password file "${twoLinePassword}" holds more than one line: put the password or token alone in it`],
    ['a password file that is a FIFO', fromAddress('ghcr.io', '--source-username', 'me', '--source-password-file', fifo), `acr-transfer: source password file "${fifo}" is not a file (a folder, a pipe or a device)`],
    ['a time filter for a registry without update times', fromAddress('ghcr.io', '--tags-updated-since', '30d'), "acr-transfer: tags updated since needs the tags' update times, which ghcr.io does not list (the registry API has none): select tags by name with tag patterns instead"],
    ['keep-latest for a registry without update times', fromAddress('ghcr.io', '--keep-latest-tags', '3'), "acr-transfer: keep latest tags needs the tags' update times, which ghcr.io does not list"],
    ['a repository list naming nothing', withSource('--repository-list', emptyList), `acr-transfer: repository list "${emptyList}" names no repository (one name per line, # starts a comment)`],
    ['a repository list with a bad name', withSource('--repository-list', badList), 'acr-transfer: repository "Team/Web" is not a valid repository name'],
    ['a target that is the source by address', ['--source-registry-uri', `${TARGET}.azurecr.io`, '--target-registry-name', TARGET, '--target-subscription-id', SUB_TARGET], `acr-transfer: source and target are the same registry ("${TARGET}.azurecr.io")`],
    ['a registry domain that is not a domain', withSource('--registry-domain', 'azurecr.io/x'), 'acr-transfer: registry domain "azurecr.io/x" is not a DNS domain such as azurecr.io'],
    // How the run is shown: refused like any option, and with --output json stdout stays empty.
    ['an unknown plan layout', withSource('--plan', 'bogus'), 'acr-transfer: plan "bogus" is not known: use auto, tags, repositories or none'],
    ['a plan layout in capitals', withSource('--plan', 'Tags'), 'acr-transfer: plan "Tags" is not known: use auto, tags, repositories or none'],
    ['an unknown output format', withSource('--output', 'yaml'), 'acr-transfer: output "yaml" is not known: use text or json'],
    ['bad input with --output json', withSource('--output', 'json', '--letters', 'z-a'), 'acr-transfer: letters "z-a": range "z-a" runs backwards; write a-z'],
  ];
  /** Only these need ARM to find out: every other bad input is refused before the first request. */
  const foundThroughArm = new Set(['a source registry that does not exist', 'a target registry in another subscription']);

  for (const [what, args, message] of cases) {
    it(`rejects ${what}: one line, exit 2, no write`, async () => {
      const before = snapshot(emulator, TARGET);
      const writesBefore = emulator.log.count('arm.importImage');
      const requestsBefore = emulator.log.entries().length;
      const result = await runCli(emulator, args);
      assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line, got: ${result.stderr}`);
      assert.ok(lines[0].startsWith(message), `expected "${message}"\n     got "${lines[0]}"`);
      assert.equal(emulator.log.count('arm.importImage'), writesBefore);
      assert.deepEqual(snapshot(emulator, TARGET), before);
      if (!foundThroughArm.has(what)) {
        assert.equal(emulator.log.entries().length, requestsBefore, 'no request at all');
        assert.equal(result.stdout, '', 'nothing else printed: no sign-in was attempted');
      }
    });
  }

  it('never echoes a password given as a flag, and refuses two passwords', async () => {
    const flag = await runCli(emulator, fromAddress('ghcr.io', '--source-username', 'me', '--source-password=hunter2-not-echoed'));
    assert.equal(flag.code, 2);
    assert.ok(!`${flag.stdout}${flag.stderr}`.includes('hunter2'), flag.stderr);
    const twice = await runCli(emulator, fromAddress('ghcr.io', '--source-username', 'me', '--source-password-file', passwordFile), { ACR_TRANSFER_SOURCE_PASSWORD: 'pw-from-env-88' });
    assert.equal(twice.code, 2);
    assert.equal(twice.stderr.trim(), 'acr-transfer: the source password is given twice, in ACR_TRANSFER_SOURCE_PASSWORD and in --source-password-file: give one');
    assert.ok(!`${twice.stdout}${twice.stderr}`.includes('pw-'), 'no password printed');
  });

  it('rejects input before any request when the values alone are wrong', async () => {
    const requests = emulator.log.entries().length;
    await runCli(emulator, withSource('--letters', 'z-a'));
    assert.equal(emulator.log.entries().length, requests);
  });
});
