import { readFileSync } from 'node:fs';
import { taskJsonPath } from './taskJson';

/** The task's own version from task.json (agents cache tasks by it), e.g. `1.0.0`. */
function readTaskVersion(): string {
  try {
    const { version } = JSON.parse(readFileSync(taskJsonPath(), 'utf8')) as { version: { Major: number; Minor: number; Patch: number } };
    return `${version.Major}.${version.Minor}.${version.Patch}`;
  } catch {
    return 'dev';
  }
}

export const TASK_VERSION = readTaskVersion();
