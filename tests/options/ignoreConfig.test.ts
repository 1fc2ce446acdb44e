import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

  const cases: Array<[string, () => string, string, string]> = [
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
