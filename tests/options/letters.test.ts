import { strict as assert } from 'node:assert';
import { parseLetters } from '../../src/options/letters';
import { OptionsError } from '../../src/options/optionsError';

describe('letters', () => {
  it('matches the first character case-insensitively, digits and ranges included', () => {
    const f = parseLetters('A-C, x ,0-3');
    assert.deepEqual(
      ['apple', 'Banana', 'cherry', 'dates', 'xeno', 'X-ray', '0day', '3d', '4k', ''].filter((n) => f.matches(n)),
      ['apple', 'Banana', 'cherry', 'xeno', 'X-ray', '0day', '3d'],
    );
  });

  it('tolerates empty items such as a trailing comma', () => {
    assert.ok(parseLetters('a,,b,').matches('b'));
  });

  const bad: Array<[string, string, string]> = [
    ['c-a', 'LettersRangeReversed', 'letters "c-a": range "c-a" runs backwards; write a-c'],
    ['ab', 'LettersItemInvalid', 'letters "ab": "ab" is neither one letter or digit nor a range such as a-c'],
    ['a-', 'LettersRangeIncomplete', 'letters "a-": range "a-" needs one letter or digit on each side, such as a-c or 0-9'],
    ['-z', 'LettersRangeIncomplete', 'letters "-z": range "-z" needs one letter or digit on each side, such as a-c or 0-9'],
    ['a-9', 'LettersRangeMixed', 'letters "a-9": range "a-9" mixes a letter and a digit'],
    ['a-b-c', 'LettersItemInvalid', 'letters "a-b-c": "a-b-c" is neither one letter or digit nor a range such as a-c'],
    ['_', 'LettersItemInvalid', 'letters "_": "_" is neither one letter or digit nor a range such as a-c'],
    [',', 'LettersEmpty', 'letters "," selects nothing: give letters or ranges such as a-c,e,g'],
  ];
  for (const [text, key, message] of bad) {
    it(`rejects "${text}" naming the bad value`, () => {
      assert.throws(
        () => parseLetters(text),
        (e: unknown) => e instanceof OptionsError && e.key === key && e.message === message,
      );
    });
  }
});
