/**
 * Runs the task under task-lib's MockTestRunner with one scenario and collects what the tests
 * look at: imports, the target afterwards, output variables, the summary and the JSON report.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Must come before mock-test, which reads HOME when it loads.
import './localNode';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import type { Suite } from 'mocha';
import { TASK_NODE_MAJORS, testNode, type TaskNodeMajor } from '../../../support/testNodes';
import type { RunReport } from '../../../../src/engine/report';
import type { L0Scenario } from './scenarioDriver';

const TASK_JSON = join(__dirname, '..', '..', '..', '..', '..', 'tasks', 'AcrTransfer', 'AcrTransferV1', 'task.json');
const DRIVER = join(__dirname, 'scenarioDriver.js');

export const agentTemp = mkdtempSync(join(tmpdir(), 'l0-agent-temp-'));

export const baseInputs = {
  sourceConnection: 'conn-a',
  sourceRegistry: 'sourceacr',
  targetConnection: 'conn-b',
  targetRegistry: 'targetacr',
};

/** The Node major the scenarios of the running suite execute the task on. */
let taskNode: TaskNodeMajor = TASK_NODE_MAJORS[0];

/**
 * A suite run once per handler of task.json (Node20_1, Node24), each time on a real Node of
 * that major: every scenario in it runs the task there, and fails unless the task says it ran
 * on exactly that Node.
 */
export function describeOnTaskNodes(title: string, body: (this: Suite, major: TaskNodeMajor) => void): void {
  for (const major of TASK_NODE_MAJORS) {
    describe(`${title} on Node ${major}`, function () {
      before(() => (taskNode = major));
      body.call(this, major);
    });
  }
}

/** The version the task logged (debug) for the Node it runs on. */
export function taskNodeVersion(stdout: string): string | undefined {
  return /^##vso\[task\.debug\]ACR Transfer \S+ on Node (v[\d.]+)$/m.exec(stdout)?.[1];
}

export interface Outcome {
  runner: MockTestRunner;
  imports: string[];
  target: Record<string, Record<string, string>> | undefined;
  outputs: Record<string, string>;
  summary: string | undefined;
  /** The `##vso[task.complete …]` line's result and message. */
  complete: { result: string; message: string } | undefined;
  report(): RunReport;
}

export async function runScenario(scenario: Partial<L0Scenario> & { inputs?: Record<string, string> }): Promise<Outcome> {
  const full: L0Scenario = { registries: { sourceacr: {}, targetacr: {} }, ...scenario, inputs: { ...baseInputs, ...scenario.inputs } };
  process.env['ACR_L0_SCENARIO'] = JSON.stringify(full);
  process.env['AGENT_TEMPDIRECTORY'] = agentTemp;
  // Service connections reach a task as the agent passes them: environment variables task-lib reads.
  const endpointEnv: Record<string, string> = {};
  for (const [id, endpoint] of Object.entries(full.endpoints ?? {})) {
    endpointEnv[`ENDPOINT_URL_${id}`] = endpoint.url;
    endpointEnv[`ENDPOINT_AUTH_${id}`] = JSON.stringify({ scheme: endpoint.scheme, parameters: endpoint.parameters });
    endpointEnv[`ENDPOINT_AUTH_SCHEME_${id}`] = endpoint.scheme;
    for (const [key, value] of Object.entries(endpoint.parameters)) endpointEnv[`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`] = value;
    for (const [key, value] of Object.entries(endpoint.data ?? {})) endpointEnv[`ENDPOINT_DATA_${id}_${key.toUpperCase()}`] = value;
  }
  Object.assign(process.env, endpointEnv);
  const runner = new MockTestRunner(DRIVER, TASK_JSON);
  try {
    await runner.runAsync(taskNode);
  } finally {
    for (const name of Object.keys(endpointEnv)) delete process.env[name];
  }
  const expected = testNode(taskNode).version;
  if (taskNodeVersion(runner.stdout) !== expected) {
    throw new Error(`the task should have run on Node ${expected}, it logged ${taskNodeVersion(runner.stdout) ?? 'no version'}\n${runner.stdout}\n${runner.stderr}`);
  }
  const lines = runner.stdout.split(/\r?\n/);
  const imports = lines.filter((l) => l.startsWith('FAKE_IMPORT ')).map((l) => l.slice('FAKE_IMPORT '.length));
  const targetLine = lines.find((l) => l.startsWith('FAKE_TARGET '));
  const outputs: Record<string, string> = {};
  for (const line of lines) {
    const m = /^##vso\[task\.setvariable variable=([^;]+);isOutput=true;issecret=false;\](.*)$/.exec(line);
    if (m) outputs[m[1]] = m[2];
  }
  const summaryLine = lines.find((l) => l.startsWith('##vso[task.uploadsummary]'));
  const summaryPath = summaryLine?.slice('##vso[task.uploadsummary]'.length);
  const completeMatch = lines.map((l) => /^##vso\[task\.complete result=([^;]+);\](.*)$/.exec(l)).find((m) => m !== null);
  return {
    runner,
    imports,
    target: targetLine ? (JSON.parse(targetLine.slice('FAKE_TARGET '.length)) as Record<string, Record<string, string>>) : undefined,
    outputs,
    summary: summaryPath && existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : undefined,
    complete: completeMatch ? { result: completeMatch[1], message: completeMatch[2] } : undefined,
    report: () => JSON.parse(readFileSync(outputs['reportPath'], 'utf8')) as RunReport,
  };
}

export function explain(o: Outcome): string {
  return `stdout:\n${o.runner.stdout}\nstderr:\n${o.runner.stderr}`;
}
