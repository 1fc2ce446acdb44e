import { OptionsError } from './optionsError';
import { readInputFile } from './regularFile';

/**
 * A repository list file (`--repository-list`): one repository name per line; blank lines and
 * lines starting with `#` are skipped. The way to name the repositories of a registry that has
 * no catalog to list (Docker Hub), and a reviewed list for any other. Names are checked by the
 * caller, each as a `--repository` would be.
 */
export function readRepositoryList(label: string, path: string): string[] {
  const bytes = readInputFile(label, path);
  const names = bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (names.length === 0) throw new OptionsError('RepositoryListEmpty', [label, path], `${label} "${path}" names no repository (one name per line, # starts a comment)`);
  return names;
}
