import { strict as assert } from 'node:assert';
import { compileIgnorePatterns } from '../../src/options/ignorePatterns';
import { OptionsError } from '../../src/options/optionsError';
import { compileTagFilter } from '../../src/options/tagPatterns';
import { translatePythonRegex } from '../../src/options/pythonRegex';

const tags = (pattern: string) => compileTagFilter({ tagPatterns: [pattern], ignoreTagPatterns: [] })!;

describe('Python regexes of the reference script', () => {
  it('translates named groups, named backreferences, \\A and \\Z', () => {
    assert.deepEqual(translatePythonRegex('\\A(?P<team>[a-z]+)/(?P=team)\\Z'), { ok: true, source: '^(?<team>[a-z]+)/\\k<team>$', flags: '' });
    const ignore = compileIgnorePatterns(['re:\\A(?P<team>[a-z]+)/(?P=team)\\Z']);
    assert.equal(ignore.match('myrepo/myrepo'), 're:\\A(?P<team>[a-z]+)/(?P=team)\\Z');
    assert.equal(ignore.match('myrepo/other'), undefined);
    assert.equal(ignore.match('x/myrepo/myrepo'), undefined, '\\A anchors at the start');
  });

  it('keeps \\Z the end of the string: no match before a trailing part', () => {
    const filter = tags('re:^v\\d+\\Z');
    assert.equal(filter.include('v1'), true);
    assert.equal(filter.include('v1-rc'), false);
  });

  it('leaves \\A and \\Z inside a character class alone, and reads a leading ] in a class as Python does', () => {
    assert.deepEqual(translatePythonRegex('[\\A]'), { ok: true, source: '[\\A]', flags: '' });
    assert.deepEqual(translatePythonRegex('[]a]+'), { ok: true, source: '[\\]a]+', flags: '' });
    assert.equal(tags('re:^[]a]+$').include(']a]'), true);
  });

  it('turns inline flags at the very start into flags: (?i) makes a tag pattern ignore case', () => {
    assert.deepEqual(translatePythonRegex('(?i)^latest$'), { ok: true, source: '^latest$', flags: 'i' });
    assert.equal(tags('re:(?i)^latest$').include('LATEST'), true);
    assert.equal(tags('re:^latest$').include('LATEST'), false, 'tag patterns match case otherwise');
    assert.equal(compileIgnorePatterns(['re:(?i)^tmp-']).match('tmp-x'), 're:(?i)^tmp-');
  });

  const refusals: Array<[string, RegExp]> = [
    ['re:^a(?i)b', /uses an inline flag that is not at the very start, or scoped to a group, which is Python syntax: put \(\?i\)/],
    ['re:^(?i:ab)$', /inline flag that is not at the very start/],
    ['re:(?x)^a b$', /uses the inline flag \(\?x\), which is Python syntax: JavaScript has no such flag/],
    ['re:^(?>ab|a)c$', /uses an atomic group \(\?>…\), which is Python syntax: JavaScript has none: use a plain group/],
    ['re:^a*+b$', /uses a possessive quantifier/],
    ['re:^a++b$', /uses a possessive quantifier/],
    ['re:^a{2}+$', /uses a possessive quantifier/],
    ['re:^a(?#note)$', /uses a comment \(\?#…\), which is Python syntax: remove the comment/],
    ['re:^(a)?(?(1)b|c)$', /uses a conditional group/],
  ];
  for (const [pattern, message] of refusals) {
    it(`refuses ${pattern} with one line saying how to write it`, () => {
      assert.throws(
        () => compileIgnorePatterns([pattern]),
        (e: unknown) => e instanceof OptionsError && e.key === 'PatternPython' && message.test(e.message) && e.message.startsWith(`ignore pattern "${pattern}" uses `) && !e.message.includes('\n'),
      );
      assert.throws(() => tags(pattern), (e: unknown) => e instanceof OptionsError && e.message.startsWith(`tag pattern "${pattern}"`));
    });
  }

  it('leaves JavaScript patterns as they are: lazy quantifiers, lookarounds, named groups', () => {
    for (const source of ['^a+?b$', '^(?<x>a)\\k<x>$', '^(?=a)a(?!b)', '^(?:ab)+$', 'a?b']) {
      assert.deepEqual(translatePythonRegex(source), { ok: true, source, flags: '' }, source);
    }
  });

  it('still runs the safety checks on the translated pattern', () => {
    assert.throws(() => compileIgnorePatterns(['re:\\A(?P<x>a+)+\\Z']), (e: unknown) => e instanceof OptionsError && e.key === 'PatternNested');
  });
});
