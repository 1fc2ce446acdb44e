/**
 * Selecting repositories from the command line: --repository, --letters, --ignore-pattern and
 * --ignore-config (the reference README's example file), checked on the target's final state.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator } from '../../testkit/emulator/api';
import { registries, release, runCli, TARGET, twoRegistries } from './support/cliHarness';

const REPOS = ['alpha', 'beta', 'charlie', 'delta', 'echo', 'golf', '9lives', 'myRepo/foo/foo', 'myrepo/foo/bar', 'myrepo/api', 'myrepowithsubfolders/a/b', 'myrepowithsubfolders/a', 'legacy/app', 'team/api'];

describe('acr-transfer command line: selecting repositories', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  async function syncWith(...args: string[]): Promise<string[]> {
    // ACR keeps repository names in lower case; the fixture does the same.
    const repos = Object.fromEntries(REPOS.map((r, i) => [r.toLowerCase(), release(`seed-${i}`, '1')]));
    emulator = await startEmulator({ fixture: twoRegistries(repos), importRetryAfterSeconds: 1, importDurationMs: 0 });
    const result = await runCli(emulator, [...registries(), ...args]);
    assert.equal(result.code, 0, result.stderr);
    return emulator.registry(TARGET).repositories().sort();
  }

  it('--letters a-c,e,g takes repositories by first letter', async () => {
    assert.deepEqual(await syncWith('--letters', 'a-c,e,g'), ['alpha', 'beta', 'charlie', 'echo', 'golf']);
  });

  it('--letters 0-9 takes repositories starting with a digit', async () => {
    assert.deepEqual(await syncWith('--letters', '0-9'), ['9lives']);
  });

  it('--repository takes one repository, overriding --letters, without reading the catalog', async () => {
    assert.deepEqual(await syncWith('--repository', 'team/api', '--letters', 'a'), ['team/api']);
    assert.equal(emulator!.log.count('acr.catalog'), 0);
  });

  it('--ignore-pattern, repeated and comma-separated, globs and regexes', async () => {
    const kept = await syncWith('--letters', 'l,m,t', '--ignore-pattern', 'legacy/*,myRepo/*/*', '--ignore-pattern', 're:^team/');
    assert.deepEqual(kept, ['myrepo/api', 'myrepowithsubfolders/a', 'myrepowithsubfolders/a/b']);
  });

  it('--ignore-config with the reference README example file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ignore-'));
    const config = join(dir, 'ignore-config.json');
    writeFileSync(config, JSON.stringify(['myRepo/*', 'myRepoWithSubFolders/*/*', 're:^myRepo/([^/]+)/\\1$']));
    const kept = await syncWith('--letters', 'm', '--ignore-config', config);
    assert.deepEqual(kept, ['myrepo/foo/bar', 'myrepowithsubfolders/a']);
  });

  // Windows PowerShell 5.1 writes a byte order mark: UTF-8 with Out-File -Encoding utf8, UTF-16LE
  // with > and Out-File's default.
  const withMark: Array<[string, (json: string) => Buffer]> = [
    ['UTF-8 with a byte order mark', (json) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json, 'utf8')])],
    ['UTF-16LE with a byte order mark', (json) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')])],
  ];
  for (const [encoding, encode] of withMark) {
    it(`--ignore-config written as ${encoding} (Windows PowerShell 5.1) is read`, async () => {
      const config = join(mkdtempSync(join(tmpdir(), 'ignore-')), 'ignore-config.json');
      writeFileSync(config, encode(JSON.stringify(['myRepo/*', 'myRepoWithSubFolders/*/*', 're:^myRepo/([^/]+)/\\1$'])));
      const kept = await syncWith('--letters', 'm', '--ignore-config', config);
      assert.deepEqual(kept, ['myrepo/foo/bar', 'myrepowithsubfolders/a']);
    });
  }

  it('a flag given twice with the same value is taken once', async () => {
    assert.deepEqual(await syncWith('--letters', 'a-c', '--letters', 'a-c'), ['alpha', 'beta', 'charlie']);
  });

  it('an ignore config of 200,000 patterns is read and applied', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'ignore-')), 'many.json');
    const patterns = Array.from({ length: 200_000 }, (_, i) => `re:^team${i}/`);
    patterns.push('legacy/*');
    writeFileSync(config, JSON.stringify(patterns));
    assert.deepEqual(await syncWith('--letters', 'l,t', '--ignore-config', config), ['team/api']);
  });
});
