import { OptionsError } from './optionsError';
import { readRegularFile } from './regularFile';

/**
 * A repository list file (`--repository-list`): one repository name per line; blank lines and
 * lines starting with `#` are skipped. The way to name the repositories of a registry that has
 * no catalog to list (Docker Hub), and a reviewed list for any other. Names are checked by the
 * caller, each as a `--repository` would be.
 */
export function readRepositoryList(label: string, path: string): string[] {
  const read = readRegularFile(path);
  if (!('bytes' in read)) {
    if (read.problem === 'notRegular') throw new OptionsError('FileNotRegular', [label, path], `${label} "${path}" is not a file (a folder, a pipe or a device)`);
    throw new OptionsError('FileUnreadable', [label, path], `${label} "${path}" cannot be read`);
  }
  const names = read.bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (names.length === 0) throw new OptionsError('RepositoryListEmpty', [label, path], `${label} "${path}" names no repository (one name per line, # starts a comment)`);
  return names;
}
