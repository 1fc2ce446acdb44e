/**
 * Names and messages that reach a log come from registries and Azure (repository and tag names,
 * service errors), and a hostile or broken service can put anything in them: a line break that
 * starts a forged line, an escape sequence that rewrites the terminal. Control characters are
 * shown instead of sent — `\n`, `\r`, `\t` by name, the others as `\u001b` — along with the
 * Unicode line and paragraph separators that some viewers break lines at. The JSON report keeps
 * the real text (JSON escapes it).
 */
// eslint-disable-next-line no-control-regex -- the control characters are what this finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
