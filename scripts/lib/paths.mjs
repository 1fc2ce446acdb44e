// Where things are in the repository, in one place, so the scripts agree with each other.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The task's contribution folder (vss-extension.json `properties.name`) and its major's folder. */
export const taskContributionPath = 'tasks/AcrTransfer';
export const taskFolderPath = `${taskContributionPath}/AcrTransferV1`;
export const taskDir = join(repoRoot, taskFolderPath);
export const taskJsonFile = join(taskDir, 'task.json');
export const distDir = join(taskDir, 'dist');
export const resjsonFile = join(taskDir, 'Strings', 'resources.resjson', 'en-US', 'resources.resjson');

/** The compiled task entry (tsc output), the code the L0 tests exercise; the bundle starts here. */
export const defaultEntry = join(repoRoot, 'build', 'src', 'task', 'main.js');

export const manifestFile = join(repoRoot, 'vss-extension.json');
export const packageJsonFile = join(repoRoot, 'package.json');
export const defaultOutDir = join(repoRoot, 'out');
