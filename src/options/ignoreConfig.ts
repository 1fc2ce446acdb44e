import { readFileSync } from 'node:fs';
import { OptionsError } from './optionsError';

/**
 * Reads an ignore config: a JSON array of pattern strings (globs or `re:` regexes), as in the
 * reference README's ignore-config.json. Entries are taken whole (not split at commas).
 */
export function loadIgnoreConfig(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new OptionsError('IgnoreConfigMissing', [path], `ignore config "${path}" does not exist`);
    }
    throw new OptionsError('IgnoreConfigUnreadable', [path, String(code)], `ignore config "${path}" cannot be read (${String(code)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OptionsError('IgnoreConfigNotJson', [path, reason], `ignore config "${path}" is not valid JSON: ${reason}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new OptionsError('IgnoreConfigNotStringArray', [path], `ignore config "${path}" must be a JSON array of pattern strings, such as ["myRepo/*", "re:^tmp-"]`);
  }
  return (parsed).map((p) => p.trim()).filter((p) => p !== '');
}
