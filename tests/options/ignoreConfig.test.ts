import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIgnoreConfig } from '../../src/options/ignoreConfig';
import { OptionsError } from '../../src/options/optionsError';

describe('ignore config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ignore-config-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a JSON array of patterns, entries whole (commas not split)', () => {
    const path = file('ok.json', JSON.stringify(['myRepo/*', 're:^a{1,3}$', '  ']));
    assert.deepEqual(loadIgnoreConfig(path), ['myRepo/*', 're:^a{1,3}$']);
  });

  it('reads a file with a UTF-8 or UTF-16LE byte order mark, as Windows PowerShell 5.1 writes it', () => {
    const json = JSON.stringify(['myRepo/*', 're:^tmp-']);
    const utf8 = join(dir, 'bom8.json');
    writeFileSync(utf8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json, 'utf8')]));
    const utf16 = join(dir, 'bom16.json');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]));
    assert.deepEqual(loadIgnoreConfig(utf8), ['myRepo/*', 're:^tmp-']);
    assert.deepEqual(loadIgnoreConfig(utf16), ['myRepo/*', 're:^tmp-']);
  });

  const folder = join(dir, 'folder.json');
  mkdirSync(folder);
  // Nobody writes to it: a read would wait for ever, so the check must come before any read.
  const fifo = join(dir, 'fifo.json');
  execFileSync('mkfifo', [fifo]);

  const cases: Array<[string, () => string, string, string]> = [
    ['a folder', () => folder, 'IgnoreConfigNotFile', 'is not a file (a folder, a pipe or a device)'],
    ['a FIFO, without waiting on it', () => fifo, 'IgnoreConfigNotFile', 'is not a file (a folder, a pipe or a device)'],
    ['a missing file', () => join(dir, 'nope.json'), 'IgnoreConfigMissing', 'does not exist'],
    ['a file that is not JSON', () => file('bad.json', '["a", '), 'IgnoreConfigNotJson', 'is not valid JSON: '],
    ['an object instead of an array', () => file('obj.json', '{"a": 1}'), 'IgnoreConfigNotStringArray', 'must be a JSON array of pattern strings'],
    ['an array with a number', () => file('num.json', '["a", 3]'), 'IgnoreConfigNotStringArray', 'must be a JSON array of pattern strings'],
  ];
  for (const [what, path, key, text] of cases) {
    it(`rejects ${what}, naming the file`, () => {
      const p = path();
      assert.throws(
        () => loadIgnoreConfig(p),
        (e: unknown) => e instanceof OptionsError && e.key === key && e.message.startsWith(`ignore config "${p}" `) && e.message.includes(text),
      );
    });
  }
});
