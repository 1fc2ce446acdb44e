import { Minimatch } from 'minimatch';
import type { IgnoreMatcher } from '../engine/syncOptions';
import { OptionsError } from './optionsError';
import { globHazard, regexHazard, type PatternHazard } from './patternSafety';
import { translatePythonRegex } from './pythonRegex';

/**
 * Ignore patterns: minimatch globs (`*` stays inside one path segment, `**` crosses segments)
 * or JavaScript regular expressions prefixed with `re:` (Python's own syntax translated or
 * refused first: options/pythonRegex.ts). Both match the whole repository name
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

const GLOB_OPTIONS = { nocase: true, dot: true } as const;

/** A pattern whose matching could hang the run is bad input (options/patternSafety.ts). */
function refuseHazard(label: string, pattern: string, hazard: PatternHazard | undefined): void {
  if (hazard === 'nested') {
    throw new OptionsError(
      'PatternNested',
      [label, pattern],
      `${label} "${pattern}" repeats a part that holds a quantifier, an alternation or a backreference, which can take exponential time to match: write it without that nesting`,
    );
  }
  if (hazard === 'tooComplex') {
    throw new OptionsError(
      'PatternTooComplex',
      [label, pattern],
      `${label} "${pattern}" has too many wildcards, quantifiers or alternatives to match a long name quickly: simplify it`,
    );
  }
}

/** The checker's own limits (a pattern nested past what its parser can follow) refuse it too. */
function hazardOf(check: () => PatternHazard | undefined): PatternHazard | undefined {
  try {
    return check();
  } catch {
    return 'tooComplex';
  }
}

/**
 * One pattern, checked and compiled: `label` names it in messages ("ignore pattern", "tag
 * pattern"). `nocase` is for repository names, which ACR keeps in lower case; tag names keep
 * their case, so tag patterns match it exactly.
 */
export function compilePattern(pattern: string, label: string, nocase = true): (name: string) => boolean {
  if (pattern.startsWith(REGEX_PREFIX)) {
    const source = pattern.slice(REGEX_PREFIX.length);
    if (source.trim() === '') {
      throw new OptionsError('PatternEmpty', [label, pattern], `${label} "${pattern}" has no regular expression after "re:"`);
    }
    const translated = translatePythonRegex(source);
    if (!translated.ok) {
      const { what, how } = translated.problem;
      throw new OptionsError('PatternPython', [label, pattern, what, how], `${label} "${pattern}" uses ${what}, which is Python syntax: ${how}`);
    }
    let regex: RegExp;
    try {
      regex = new RegExp(translated.source, [...new Set(`${nocase ? 'i' : ''}${translated.flags}`)].join(''));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new OptionsError('PatternRegexInvalid', [label, pattern, reason], `${label} "${pattern}" is not a valid regular expression: ${reason}`);
    }
    refuseHazard(label, pattern, hazardOf(() => regexHazard(regex.source, regex.flags)));
    return (name) => regex.test(name);
  }
  // Compiled once: minimatch(name, pattern) would parse the pattern again for every name.
  const glob = new Minimatch(pattern, nocase ? GLOB_OPTIONS : { dot: true });
  refuseHazard(label, pattern, hazardOf(() => globHazard(pattern, glob.makeRe())));
  return (name) => glob.match(name);
}

export function compileIgnorePatterns(patterns: readonly string[]): IgnoreMatcher {
  const compiled = patterns.map((pattern) => ({ pattern, test: compilePattern(pattern, 'ignore pattern') }));
  return {
    patterns,
    match: (repository) => compiled.find((c) => c.test(repository))?.pattern,
  };
}
