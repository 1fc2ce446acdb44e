import { redactSecrets } from '../azure';
import { escapeControlCharacters } from '../reporting/printable';
import type { Print } from './render';

/**
 * The command line's output boundary: every line printed passes here. Names and messages from
 * registries and Azure may hold control characters (a line break, a terminal escape), which are
 * shown rather than sent, and a secret this process read (AZURE_CLIENT_SECRET, a certificate
 * password) is masked wherever a service may have echoed it. Each call prints one line.
 */
export function printable(print: Print): Print {
  return (line) => print(escapeControlCharacters(redactSecrets(line)));
}
