import { OptionsError } from './optionsError';
import { readInputFile } from './regularFile';

/**
 * A password or token read from a file (`--source-password-file`): the file's text without
 * the line break editors and `echo` leave at its end. Read now, so that a wrong path fails
 * before any request; the text is never echoed in a message.
 */
export function readSecretFile(label: string, path: string): string {
  const bytes = readInputFile(label, path);
  const secret = bytes.toString('utf8').replace(/\r?\n$/, '');
  if (secret.trim() === '') throw new OptionsError('SecretFileEmpty', [label, path], `${label} "${path}" is empty`);
  if (/[\r\n]/.test(secret)) throw new OptionsError('SecretFileLines', [label, path], `${label} "${path}" holds more than one line: put the password or token alone in it`);
  return secret;
}
