/**
 * What the packaged task leaves behind, read back by the e2e tests: its output variables and
 * summary from the logging commands on stdout, and the tags the emulator's registries hold.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import type { Emulator } from '../../../../testkit/emulator/api';
import type { ChildRun } from '../../../support/runGuarded';

/** `isOutput=true` variables as the task publishes them. */
export function outputVariables(stdout: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of stdout.matchAll(/^##vso\[task\.setvariable variable=([^;]+);isOutput=true;issecret=false;\](.*)$/gm)) vars[m[1]] = m[2];
  return vars;
}

/** repository → tag → digest of one emulated registry, sorted so that two can be compared. */
export function tagsOf(emulator: Emulator, registry: string): Record<string, Record<string, string>> {
  const r = emulator.registry(registry);
  return Object.fromEntries(r.repositories().sort().map((repo) => [repo, Object.fromEntries([...r.tags(repo)].sort())]));
}

/** The Markdown summary the run uploaded (asserted to exist). */
export function summaryOf(run: ChildRun): string {
  const path = /^##vso\[task\.uploadsummary\](.*)$/m.exec(run.stdout)?.[1];
  assert.ok(path !== undefined && existsSync(path), run.stdout);
  return readFileSync(path, 'utf8');
}

/**
 * What the agent sets for a task run against the emulator: its temp folder (also the working
 * directory) and, as for an agent behind a TLS-inspecting proxy, the CA to trust.
 */
export function agentEnv(emulator: Emulator, agentTemp: string): Record<string, string> {
  return { AGENT_TEMPDIRECTORY: agentTemp, AGENT_CAINFO: emulator.caFile, SYSTEM_DEFAULTWORKINGDIRECTORY: agentTemp };
}
