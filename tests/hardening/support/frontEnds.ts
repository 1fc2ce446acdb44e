/**
 * Runs a sync through either front end against the emulator, from one neutral description of
 * the options: the command line (flags, one service principal in the environment) or the
 * packaged task (built .vsix, unpacked, `node dist/index.js` with the agent's INPUT_*,
 * ENDPOINT_* and SYSTEM_* variables; one connection per side). Both write a JSON report, which
 * is read back; the task's summary file too.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../../testkit/emulator/api';
import type { RunReport } from '../../../src/engine/report';
import { packagedTaskEntry } from '../../package/support/packaged';
import { runGuarded, type ChildRun } from '../../support/runGuarded';
import { connectionEnv, secretConnection, type ConnectionSpec } from '../../task/connections/support/agentEnv';
import { CONNECTIONS, SECRETS, SOURCE, SOURCE_APP, SUB_SOURCE, SUB_TARGET, TARGET, TARGET_APP, TENANT } from './world';

export type FrontEnd = 'cli' | 'task';
export const FRONT_ENDS: readonly FrontEnd[] = ['cli', 'task'];

export interface SyncSettings {
  repository?: string;
  letters?: string;
  ignorePatterns?: string[];
  maxRepositories?: string;
  delaySeconds?: string;
  maxConcurrency?: string;
  timeBudgetMinutes?: string;
  importTimeoutMinutes?: string;
  dryRun?: boolean;
  force?: boolean;
  requestTimeoutSeconds?: string;
  maxReadsPerSecond?: string;
  ignoreConfig?: string;
  /** Registry names as typed (bad input tests). */
  sourceRegistry?: string;
  targetRegistry?: string;
  /** The JSON report's path (default: report.json in the run's work folder). */
  reportPath?: string;
  /** The registry token audience (CLI --acr-audience, task registryAudience). */
  acrAudience?: string;
  /** The domain registry addresses must be under (default: the emulator's, 127.0.0.1). */
  registryDomain?: string;
}

export interface RunControl {
  /** Extra environment (e.g. a federated token file). */
  env?: Record<string, string>;
  /** The command line's credential: a client secret (default) or a federated token file. */
  cliCredential?: { clientId: string; secret?: string; federatedTokenFile?: string };
  /** The task's connections, when not the two service principals with secrets. */
  taskConnections?: ConnectionSpec[];
  onSpawn?: (child: ChildProcess) => void;
  /** Modules the front end's process loads first (a fault planted in the process itself). */
  preload?: string[];
}

export type Outcome = 'succeeded' | 'succeededWithIssues' | 'failed' | 'badInput';

export interface SyncRun extends ChildRun {
  frontEnd: FrontEnd;
  outcome: Outcome;
  /** The one-line reason (task) or the last stderr line (command line). */
  reason: string;
  report?: RunReport;
  /** Everything the run printed or wrote: stdout, stderr, report, summary. */
  everything: string;
}

const CLI = join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

const FLAG: Record<keyof SyncSettings, string> = {
  repository: '--repository',
  letters: '--letters',
  ignorePatterns: '--ignore-pattern',
  maxRepositories: '--max-repositories',
  delaySeconds: '--delay-seconds',
  maxConcurrency: '--max-concurrency',
  timeBudgetMinutes: '--time-budget-minutes',
  importTimeoutMinutes: '--import-timeout-minutes',
  requestTimeoutSeconds: '--request-timeout-seconds',
  maxReadsPerSecond: '--max-reads-per-second',
  ignoreConfig: '--ignore-config',
  dryRun: '--dry-run',
  force: '--force',
  sourceRegistry: '--source-registry-name',
  targetRegistry: '--target-registry-name',
  reportPath: '--report-json',
  acrAudience: '--acr-audience',
  registryDomain: '--registry-domain',
};

/** Task inputs whose name is not the setting's. */
const INPUT_NAME: Partial<Record<keyof SyncSettings, string>> = { acrAudience: 'registryAudience' };

type SettingValue = string | boolean | string[] | undefined;

function cliFlags(settings: SyncSettings): string[] {
  const flags: string[] = [];
  for (const [key, value] of Object.entries(settings) as [keyof SyncSettings, SettingValue][]) {
    if (value === undefined || value === false) continue;
    if (value === true) flags.push(FLAG[key]);
    else if (Array.isArray(value)) for (const v of value) flags.push(FLAG[key], v);
    else flags.push(FLAG[key], value);
  }
  return flags;
}

function taskInputs(settings: SyncSettings): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings) as [keyof SyncSettings, SettingValue][]) {
    if (value === undefined) continue;
    inputs[`INPUT_${(INPUT_NAME[key] ?? key).toUpperCase()}`] = Array.isArray(value) ? value.join('\n') : String(value);
  }
  return inputs;
}

/** A file's text, or nothing when there is no such file (a bad report path may name a folder). */
function readIfThere(path: string | undefined): string {
  return path !== undefined && existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : '';
}

function parseReport(text: string): RunReport | undefined {
  return text === '' ? undefined : (JSON.parse(text) as RunReport);
}

async function runCliFrontEnd(emulator: Emulator, settings: SyncSettings, work: string, control: RunControl): Promise<SyncRun> {
  const reportPath = settings.reportPath ?? join(work, 'report.json');
  const flags = [
    '--source-registry-name', settings.sourceRegistry ?? SOURCE,
    '--target-registry-name', settings.targetRegistry ?? TARGET,
    '--source-subscription-id', SUB_SOURCE,
    '--target-subscription-id', SUB_TARGET,
    '--arm-endpoint', emulator.armEndpoint,
    '--authority-host', emulator.authorityHost,
    '--registry-domain', settings.registryDomain ?? emulator.registryDomain,
    '--ca-file', emulator.caFile,
    '--report-json', reportPath,
    ...cliFlags({ ...settings, sourceRegistry: undefined, targetRegistry: undefined, reportPath: undefined, registryDomain: undefined }),
  ];
  const credential = control.cliCredential ?? { clientId: TARGET_APP, secret: SECRETS.target };
  const run = await runGuarded(
    CLI,
    flags,
    {
      HOME: work,
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: credential.clientId,
      ...(credential.secret !== undefined ? { AZURE_CLIENT_SECRET: credential.secret } : {}),
      ...(credential.federatedTokenFile !== undefined ? { AZURE_FEDERATED_TOKEN_FILE: credential.federatedTokenFile } : {}),
      ...control.env,
    },
    control.onSpawn,
    control.preload,
  );
  const reportText = readIfThere(reportPath);
  const outcome: Outcome = run.code === 2 ? 'badInput' : run.code === 0 ? (parseReport(reportText)?.result ?? 'succeeded') : 'failed';
  // 130: cancelled (SIGINT/SIGTERM), reported as a failed run with `stoppedBy: cancelled`.
  const lines = run.stderr.trim().split('\n');
  return { ...run, frontEnd: 'cli', outcome, reason: lines[lines.length - 1] ?? '', report: parseReport(reportText), everything: run.stdout + run.stderr + reportText };
}

async function runTaskFrontEnd(emulator: Emulator, settings: SyncSettings, work: string, control: RunControl): Promise<SyncRun> {
  const entry = await packagedTaskEntry();
  const reportPath = settings.reportPath ?? join(work, 'report.json');
  const basics = (id: string, subscriptionId: string) => ({ id, tenantId: TENANT, subscriptionId });
  const connections = control.taskConnections ?? [
    secretConnection(emulator, { ...basics(CONNECTIONS.source, SUB_SOURCE), clientId: SOURCE_APP, secret: SECRETS.source }),
    secretConnection(emulator, { ...basics(CONNECTIONS.target, SUB_TARGET), clientId: TARGET_APP, secret: SECRETS.target }),
  ];
  const run = await runGuarded(entry, [], {
    ...taskInputs({ ...settings, sourceRegistry: settings.sourceRegistry ?? SOURCE, targetRegistry: settings.targetRegistry ?? TARGET, reportPath: undefined, registryDomain: undefined }),
    INPUT_SOURCECONNECTION: CONNECTIONS.source,
    INPUT_TARGETCONNECTION: CONNECTIONS.target,
    INPUT_REPORTPATH: reportPath,
    INPUT_REGISTRYDOMAIN: settings.registryDomain ?? emulator.registryDomain,
    AGENT_TEMPDIRECTORY: work,
    AGENT_CAINFO: emulator.caFile,
    SYSTEM_DEFAULTWORKINGDIRECTORY: work,
    ...Object.fromEntries(connections.flatMap((c) => Object.entries(connectionEnv(c)))),
    ...control.env,
  }, control.onSpawn, control.preload);
  const complete = /^##vso\[task\.complete result=(\w+);\](.*)$/m.exec(run.stdout);
  const reportText = readIfThere(reportPath);
  const summaryPath = /^##vso\[task\.uploadsummary\](.*)$/m.exec(run.stdout)?.[1];
  const report = parseReport(reportText);
  const result = complete?.[1];
  const outcome: Outcome =
    result === 'Succeeded' ? 'succeeded' : result === 'SucceededWithIssues' ? 'succeededWithIssues' : report === undefined ? 'badInput' : 'failed';
  // The agent hides what a task registered as secret; the lines that register them are the
  // agent's business, not output.
  const printed = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('##vso[task.setsecret]'))
    .join('\n');
  return { ...run, frontEnd: 'task', outcome, reason: complete?.[2] ?? '', report, everything: printed + run.stderr + reportText + readIfThere(summaryPath) };
}

export async function runFrontEnd(frontEnd: FrontEnd, emulator: Emulator, settings: SyncSettings = {}, control: RunControl = {}): Promise<SyncRun> {
  const work = mkdtempSync(join(tmpdir(), `hardening-${frontEnd}-`));
  return frontEnd === 'cli' ? runCliFrontEnd(emulator, settings, work, control) : runTaskFrontEnd(emulator, settings, work, control);
}
