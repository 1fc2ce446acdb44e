/**
 * task-lib's MockTestRunner runs the test script with a Node it downloads from nodejs.org into
 * `$HOME/azure-pipelines-task-lib/_download/node<major>/` — for the task.json's highest handler
 * (Node24), or for the major given to `runAsync(major)`. There is no internet here, so the tests
 * point HOME at a temporary folder where that cache already holds, for each handler's major, a
 * real Node of that major (a symlink plus the `.completed` marker the runner looks for): the
 * Node running the tests for its own major, the official build from `npm run test-nodes` for
 * the other. The runner never downloads. mock-test reads HOME when it loads, so this module
 * does its work on import and must be imported before it.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_NODE_MAJORS, testNode } from '../../../support/testNodes';

/** The version mock-test 5.281 names each major's folder after (its `getNodePath` table). */
const RUNNER_VERSIONS: Record<number, string> = { 20: 'v20.13.1', 24: 'v24.10.0' };

function seedMockRunnerNode(): string {
  const home = mkdtempSync(join(tmpdir(), 'l0-home-'));
  for (const major of TASK_NODE_MAJORS) {
    const destination = join(home, 'azure-pipelines-task-lib', '_download', `node${major}`);
    const bin = join(destination, `node-${RUNNER_VERSIONS[major]}-linux-x64`, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(testNode(major).path, join(bin, 'node'));
    writeFileSync(`${destination}.completed`, '');
  }
  process.env['HOME'] = home;
  return home;
}

export const mockRunnerHome = seedMockRunnerNode();
