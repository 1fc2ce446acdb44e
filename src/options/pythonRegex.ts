/**
 * The reference script is Python, and so are the `re:` patterns its users bring. Python's `re`
 * and JavaScript share most of their syntax; where they differ, a Python pattern either fails to
 * compile in JavaScript with a message that does not say why, or (worse) compiles and means
 * something else. So, before a `re:` pattern is compiled:
 *
 * - translated, because the meaning is the same: `(?P<name>…)` → `(?<name>…)`, `(?P=name)` →
 *   `\k<name>`, `\A` → `^`, `\Z` → `$` (Python's `\Z` is the very end of the string, as `$` is
 *   in JavaScript without the `m` flag, which is never set here), and inline flags at the very
 *   start, `(?i)`, `(?s)`, `(?m)`, which become the pattern's flags;
 * - refused with one line saying how to write it, because JavaScript has no equivalent or reads
 *   it differently: inline flags anywhere else or scoped (`(?i:…)`), the flags `a`, `L`, `u`, `x`,
 *   atomic groups `(?>…)`, possessive quantifiers (`a*+`, `a++`, `a?+`, `a{2}+`), comments
 *   `(?#…)` and conditionals `(?(1)…|…)`.
 *
 * Inside a character class nothing is translated: `[\A]` is not an anchor in either language.
 */
export interface PythonOnly {
  /** What the pattern uses, for the message. */
  what: string;
  /** How to write it instead. */
  how: string;
}

export type Translation = { ok: true; source: string; flags: string } | { ok: false; problem: PythonOnly };

const FLAG_OF: Record<string, string> = { i: 'i', s: 's', m: 'm' };

function refused(what: string, how: string): Translation {
  return { ok: false, problem: { what, how } };
}

/** Translates the Python-only parts of `source`, or says which one cannot be. */
export function translatePythonRegex(source: string): Translation {
  let out = '';
  const flags = new Set<string>();
  let inClass = false;
  let afterQuantifier = false;
  let i = 0;
  // Inline flags at the very start: `(?i)`, `(?is)`.
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (leading !== null) {
    for (const letter of leading[1]) {
      const flag = FLAG_OF[letter];
      if (flag === undefined) return refused(`the inline flag (?${letter})`, `JavaScript has no such flag; write the pattern without it`);
      flags.add(flag);
    }
    i = leading[0].length;
  }
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && next === 'A') out += '^';
      else if (!inClass && next === 'Z') out += '$';
      else out += c + next;
      i += 2;
      afterQuantifier = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in Python: keep it out of the class-closing scan.
      const literal = source.startsWith('^]', i + 1) ? 2 : source[i + 1] === ']' ? 1 : 0;
      out += source.slice(i + 1, i + 1 + literal).replace(']', '\\]');
      i += 1 + literal;
      afterQuantifier = false;
      continue;
    }
    if (c === '+' && afterQuantifier) {
      return refused('a possessive quantifier (such as a*+ or a++)', 'JavaScript has none: drop the extra + (the run refuses patterns that could backtrack badly anyway)');
    }
    if (c === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2);
      const named = /^P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      const backreference = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
      if (named !== null) {
        out += `(?<${named[1]}>`;
        i += 2 + named[0].length;
      } else if (backreference !== null) {
        out += `\\k<${backreference[1]}>`;
        i += 2 + backreference[0].length;
      } else if (rest.startsWith('>')) {
        return refused('an atomic group (?>…)', 'JavaScript has none: use a plain group (…) or (?:…)');
      } else if (rest.startsWith('#')) {
        return refused('a comment (?#…)', 'remove the comment');
      } else if (rest.startsWith('(')) {
        return refused('a conditional group (?(…)…)', 'JavaScript has none: write the alternatives out with |');
      } else if (/^[a-zA-Z]+[:)-]|^-[a-zA-Z]+:/.test(rest)) {
        return refused('an inline flag that is not at the very start, or scoped to a group', 'put (?i), (?s) or (?m) at the very start of the pattern, where it applies to all of it');
      } else {
        out += '(?';
        i += 2;
      }
      afterQuantifier = false;
      continue;
    }
    out += c;
    i++;
    if (c === '*' || c === '+' || c === '}') afterQuantifier = true;
    // A `?` after a quantifier makes it lazy (not a quantifier of its own); elsewhere it is one.
    else if (c === '?') afterQuantifier = !afterQuantifier;
    else afterQuantifier = false;
  }
  return { ok: true, source: out, flags: [...flags].join('') };
}
