/**
 * Preloaded into the mocha process (`.mocharc.json`). task-lib, once loaded, writes its vault key
 * (`.taskkey`) into Agent.TempDirectory, or into the working directory when that is not set —
 * here the repository. Code under test that loads task-lib belongs in a child process with its
 * own temp directory (as the L0 and end-to-end tests run the task); this fails the test during
 * which a `.taskkey` appeared in the working directory, so the leak is found where it starts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const taskKey = join(process.cwd(), '.taskkey');
const presentAtStart = existsSync(taskKey);

export const mochaHooks = {
  afterEach(): void {
    if (!presentAtStart && existsSync(taskKey)) {
      throw new Error(`${taskKey} appeared: the test loaded task-lib in the test process (see tests/support/no-stray-files.ts)`);
    }
  },
};
