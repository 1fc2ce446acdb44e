/**
 * Which ignore patterns are refused because matching them could hang the run, and which keep
 * working — the reference README's examples, backreferences included. The rule is counted on
 * the pattern's shape, never timed: docs/decisions/008-input-rules.md.
 */
import { strict as assert } from 'node:assert';
import { compileIgnorePatterns } from '../../src/options/ignorePatterns';
import { OptionsError } from '../../src/options/optionsError';
import { regexHazard } from '../../src/options/patternSafety';

function keyOf(pattern: string): string | undefined {
  try {
    compileIgnorePatterns([pattern]);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof OptionsError, String(error));
    return error.key;
  }
}

describe('ignore patterns that could hang the run', () => {
  const accepted = [
    // The reference README's examples.
    'myRepo/*',
    'myRepo/*/*',
    '*repo/*',
    'team/**',
    're:^myRepo/([^/]+)/\\1$',
    're:^tmp-',
    're:^sandbox/',
    // Ordinary regexes: anchored or not, a few quantifiers, alternation outside repetition,
    // lookarounds (atomic), named backreferences.
    're:^(team|legacy|old)/',
    're:\\d+\\.\\d+',
    're:.*-test$',
    're:^v?\\d+\\.\\d+$',
    're:^[a-z]+-[a-z]+-[0-9]+$',
    're:^(.+)/(.+)/(.+)$',
    're:^(?:(?!keep/).)*$',
    're:(?<=team/)old',
    're:^(?<team>[a-z]+)/\\k<team>$',
    're:^[a-z]{1,3}/',
    // Globs: stars in separate segments, three in one, brace sets.
    '*/*/*/*/*',
    'team/*a*b*',
    '{api,web}/*',
    '**/legacy/**',
  ];
  for (const pattern of accepted) {
    it(`accepts ${pattern}`, () => assert.equal(keyOf(pattern), undefined));
  }

  const refused: Array<[string, string]> = [
    // Exponential: a repeated part that can match one text in more than one way.
    ['re:^(a+)+$', 'PatternNested'],
    ['re:^(a*)*$', 'PatternNested'],
    ['re:(a|a)*$', 'PatternNested'],
    ['re:^(a|aa)+$', 'PatternNested'],
    ['re:^(\\w|\\d)+$', 'PatternNested'],
    ['re:^(.+)+x', 'PatternNested'],
    ['re:^([a-z]+/?){2,}$', 'PatternNested'],
    ['re:^(a\\1?)+$', 'PatternNested'],
    ['+(a|aa)/*', 'PatternNested'],
    // Polynomial past 256³ ways to try one name.
    ['re:^.*a.*a.*a.*b$', 'PatternTooComplex'],
    ['re:.*a.*a.*b', 'PatternTooComplex'],
    [`re:${'a?'.repeat(30)}${'a'.repeat(30)}`, 'PatternTooComplex'],
    [`re:^${'(a|b)'.repeat(30)}$`, 'PatternTooComplex'],
    ['*a*a*a*b', 'PatternTooComplex'],
    ['team/x*y*z*w*', 'PatternTooComplex'],
  ];
  for (const [pattern, key] of refused) {
    it(`refuses ${pattern} (${key})`, () => assert.equal(keyOf(pattern), key));
  }

  it('names the pattern in one line', () => {
    assert.throws(
      () => compileIgnorePatterns(['legacy/*', 're:^(a+)+$']),
      (e: unknown) =>
        e instanceof OptionsError &&
        e.message === 'ignore pattern "re:^(a+)+$" repeats a part that holds a quantifier, an alternation or a backreference, which can take exponential time to match: write it without that nesting' &&
        !e.message.includes('\n'),
    );
  });

  it('follows a pattern nested a thousand groups deep, and refuses one deeper than its parser follows', () => {
    const nested = (depth: number): string => `re:${'(?:'.repeat(depth)}a${')'.repeat(depth)}`;
    assert.equal(keyOf(nested(1_000)), undefined);
    assert.equal(keyOf(nested(10_000)), 'PatternTooComplex');
  });

  it('counts an alternation of 200,000 branches without a stack overflow', () => {
    const wide = `^(?:${Array.from({ length: 200_000 }, (_, i) => `r${i}`).join('|')})$`;
    assert.equal(regexHazard(wide, ''), undefined);
  });

  it('keeps backreferences working: the README example ignores myrepo/foo/foo only', () => {
    const matcher = compileIgnorePatterns(['re:^myRepo/([^/]+)/\\1$']);
    assert.equal(matcher.match('myrepo/foo/foo'), 're:^myRepo/([^/]+)/\\1$');
    assert.equal(matcher.match('myrepo/foo/bar'), undefined);
  });
});
