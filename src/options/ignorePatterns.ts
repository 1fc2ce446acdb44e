import { minimatch } from 'minimatch';
import type { IgnoreMatcher } from '../engine/syncOptions';
import { OptionsError } from './optionsError';

/**
 * Ignore patterns: minimatch globs (`*` stays inside one path segment, `**` crosses segments)
 * or JavaScript regular expressions prefixed with `re:`. Both match the whole repository name
 * and ignore case: ACR keeps repository names in lower case, so a case-sensitive `myRepo/*`
 * (the reference README's own example) could never match anything in a real registry.
 */
const REGEX_PREFIX = 're:';

/**
 * Splits a comma-separated pattern list, ignoring commas inside (), [] and {} so that a regex
 * such as `re:^a{1,3}$` or a glob brace set such as `{api,web}/*` stays whole.
 */
export function splitPatternList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  let escaped = false;
  for (const c of text) {
    if (escaped) {
      current += c;
      escaped = false;
      continue;
    }
    if (c === '\\') escaped = true;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function compileOne(pattern: string): (repository: string) => boolean {
  if (pattern.startsWith(REGEX_PREFIX)) {
    const source = pattern.slice(REGEX_PREFIX.length);
    if (source.trim() === '') {
      throw new OptionsError('PatternEmpty', [pattern], `ignore pattern "${pattern}" has no regular expression after "re:"`);
    }
    let regex: RegExp;
    try {
      regex = new RegExp(source, 'i');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new OptionsError('PatternRegexInvalid', [pattern, reason], `ignore pattern "${pattern}" is not a valid regular expression: ${reason}`);
    }
    return (repository) => regex.test(repository);
  }
  return (repository) => minimatch(repository, pattern, { nocase: true, dot: true });
}

export function compileIgnorePatterns(patterns: readonly string[]): IgnoreMatcher {
  const compiled = patterns.map((pattern) => ({ pattern, test: compileOne(pattern) }));
  return {
    patterns,
    match: (repository) => compiled.find((c) => c.test(repository))?.pattern,
  };
}
