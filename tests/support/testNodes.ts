/**
 * The Node binaries the task tests run the task on, one per handler of task.json: the Node
 * running the tests for its own major, else the official build `npm run test-nodes` put in
 * node_modules/.cache (scripts/test-nodes.json says which, and why it is not a dependency).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');

/** The majors of the task's Node handlers, Node20_1 and Node24. */
export const TASK_NODE_MAJORS = [20, 24] as const;
export type TaskNodeMajor = (typeof TASK_NODE_MAJORS)[number];

export interface TestNode {
  major: TaskNodeMajor;
  path: string;
  /** As `process.version` reports it, e.g. v24.22.3. */
  version: string;
}

interface Pins {
  nodes: Record<string, { version: string }>;
}

const found = new Map<TaskNodeMajor, TestNode>();

export function testNode(major: TaskNodeMajor): TestNode {
  const known = found.get(major);
  if (known) return known;
  let node: TestNode;
  if (process.versions.node.split('.')[0] === String(major)) {
    node = { major, path: process.execPath, version: process.version };
  } else {
    const pins = JSON.parse(readFileSync(join(repoRoot, 'scripts', 'test-nodes.json'), 'utf8')) as Pins;
    const version = pins.nodes[String(major)].version;
    const path = join(repoRoot, 'node_modules', '.cache', 'acr-transfer-nodes', version, 'node');
    if (!existsSync(path)) throw new Error(`Node ${major} for the task tests is missing (${path}): run \`npm run test-nodes\``);
    node = { major, path, version: execFileSync(path, ['--version'], { encoding: 'utf8' }).trim() };
    if (node.version !== `v${version}`) throw new Error(`${path} reports ${node.version}, not v${version}: run \`npm run test-nodes\``);
  }
  found.set(major, node);
  return node;
}
