import { OptionsError } from './optionsError';
import { readRegularFile } from './regularFile';

/**
 * The text of an ignore config. Windows PowerShell 5.1 writes a byte order mark: UTF-8 with
 * `Out-File -Encoding utf8` or `Set-Content -Encoding UTF8`, UTF-16LE with `>` and `Out-File`'s
 * default. JSON.parse refuses the mark, so it is read and dropped; other files are UTF-8.
 */
export function decodeConfigText(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  return bytes.toString('utf8');
}

function configText(path: string): string {
  const read = readRegularFile(path);
  if ('bytes' in read) return decodeConfigText(read.bytes);
  switch (read.problem) {
    case 'missing':
      throw new OptionsError('IgnoreConfigMissing', [path], `ignore config "${path}" does not exist`);
    case 'notRegular':
      throw new OptionsError('IgnoreConfigNotFile', [path], `ignore config "${path}" is not a file (a folder, a pipe or a device)`);
    case 'unreadable':
      throw new OptionsError('IgnoreConfigUnreadable', [path, read.code], `ignore config "${path}" cannot be read (${read.code})`);
  }
}

/**
 * Reads an ignore config: a JSON array of pattern strings (globs or `re:` regexes), as in the
 * reference README's ignore-config.json. Entries are taken whole (not split at commas).
 */
export function loadIgnoreConfig(path: string): string[] {
  const text = configText(path);
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
  return parsed.map((p) => p.trim()).filter((p) => p !== '');
}
