import type { LetterFilter } from '../engine/syncOptions';
import { OptionsError } from './optionsError';

/**
 * Parses the `letters` filter: a comma list of single characters and ranges (`a-c,e,g`, `0-9`),
 * matched case-insensitively against the first character of a repository name.
 */
const SINGLE = /^[a-z0-9]$/i;

function kindOf(c: string): 'digit' | 'letter' {
  return /[0-9]/.test(c) ? 'digit' : 'letter';
}

export function parseLetters(text: string): LetterFilter {
  const items = text.split(',').map((item) => item.trim());
  if (items.every((item) => item === '')) {
    throw new OptionsError('LettersEmpty', [text], `letters "${text}" selects nothing: give letters or ranges such as a-c,e,g`);
  }
  const allowed = new Set<string>();
  for (const item of items) {
    if (item === '') continue; // tolerate "a,,b" and a trailing comma
    if (SINGLE.test(item)) {
      allowed.add(item.toLowerCase());
      continue;
    }
    const range = /^([^-]*)-([^-]*)$/.exec(item);
    if (!range) {
      throw new OptionsError('LettersItemInvalid', [text, item], `letters "${text}": "${item}" is neither one letter or digit nor a range such as a-c`);
    }
    const [, from, to] = range;
    if (!SINGLE.test(from) || !SINGLE.test(to)) {
      throw new OptionsError('LettersRangeIncomplete', [text, item], `letters "${text}": range "${item}" needs one letter or digit on each side, such as a-c or 0-9`);
    }
    if (kindOf(from) !== kindOf(to)) {
      throw new OptionsError('LettersRangeMixed', [text, item], `letters "${text}": range "${item}" mixes a letter and a digit`);
    }
    const start = from.toLowerCase().charCodeAt(0);
    const end = to.toLowerCase().charCodeAt(0);
    if (start > end) {
      throw new OptionsError('LettersRangeReversed', [text, item], `letters "${text}": range "${item}" runs backwards; write ${to}-${from}`);
    }
    for (let code = start; code <= end; code++) allowed.add(String.fromCharCode(code));
  }
  return {
    source: text,
    matches: (repository) => repository.length > 0 && allowed.has(repository[0].toLowerCase()),
  };
}
