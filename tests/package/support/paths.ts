/** Where the packaging tests look, from the compiled test's folder (build/tests/package/support). */
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..', '..');
export const buildRoot = join(repoRoot, 'build');
export const taskFolder = 'tasks/AcrTransfer/AcrTransferV1';
export const taskDir = join(repoRoot, taskFolder);
export const taskJsonFile = join(taskDir, 'task.json');
export const resjsonFile = join(taskDir, 'Strings', 'resources.resjson', 'en-US', 'resources.resjson');
export const schemaFile = join(repoRoot, 'tests', 'fixtures', 'ado', 'tasks.schema.json');
export const manifestFile = join(repoRoot, 'vss-extension.json');
export const loopbackGuard = join(buildRoot, 'testkit', 'loopbackGuard.js');
