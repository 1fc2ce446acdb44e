/**
 * The ACR Transfer pipeline task: inputs → options, connections → credentials, run the engine,
 * publish the results. Everything else lives in the options, the engine and the Azure
 * adapters, shared with the command line.
 */
import * as tl from 'azure-pipelines-task-lib/task';
import { connect, createTransport, oneLineError, PreflightError, RegistryNotFoundError } from '../azure';
import { runSync } from '../engine/sync';
import { OptionsError } from '../options/optionsError';
import { parseOptions } from '../options/parse';
import { connectionErrorIn, disposeConnections, resolveConnection, type ResolvedConnection } from './connections';
import { agentCaPem, agentProxy } from './agentNetwork';
import { readTaskInputs } from './inputs';
import { logLine, logWarning, setResult } from './log';
import { optionsMessage, registryNotFoundMessage } from './messages';
import { logRequests, taskEvents } from './publish/logGroups';
import { publishOutputs } from './publish/outputs';
import { uploadSummary, writeJsonReport } from './publish/reportFiles';
import { setRunResult } from './publish/result';
import { taskJsonPath } from './taskJson';
import { TASK_VERSION } from './version';

class CloudMismatch extends Error {}

function announce(side: 'source' | 'target', connection: ResolvedConnection): void {
  logLine(tl.loc('ConnectionUsed', side, tl.loc(`AuthKind_${connection.authKind}`)));
}

/** The one-line, localised reason a run could not start. */
function failureMessage(error: unknown): string {
  if (error instanceof CloudMismatch) return tl.loc('CloudsDiffer');
  if (error instanceof OptionsError) return optionsMessage(error);
  if (error instanceof RegistryNotFoundError) return registryNotFoundMessage(error.registryName, error.side);
  if (error instanceof PreflightError) return tl.loc(error.key, ...error.args);
  const connectionError = connectionErrorIn(error);
  if (connectionError !== undefined) return tl.loc(connectionError.messageKey, ...connectionError.args);
  return tl.loc('CouldNotStart', oneLineError(error));
}

export async function run(): Promise<void> {
  tl.setResourcePath(taskJsonPath());
  try {
    // Bad values fail here, before any connection is used or any request is sent.
    const options = parseOptions(readTaskInputs());
    const transport = createTransport({ version: TASK_VERSION, caPem: agentCaPem(), proxy: agentProxy(), ...options.http });
    const resolve = { transport, acrAudience: options.connection.acrAudience };
    const source = await resolveConnection(options.connection.sourceConnection ?? '', { ...resolve, side: 'source' });
    const target = await resolveConnection(options.connection.targetConnection ?? '', { ...resolve, side: 'target' });
    announce('source', source);
    announce('target', target);
    // importImage copies within one cloud; both registries must be reached through the same one.
    if (source.cloud.armEndpoint !== target.cloud.armEndpoint) throw new CloudMismatch();

    const connection = await connect(
      { registryName: options.connection.sourceRegistry, subscriptionId: source.subscriptionId, credential: source.credential },
      { registryName: options.connection.targetRegistry, subscriptionId: target.subscriptionId, credential: target.credential },
      { cloud: target.cloud, transport },
    );
    for (const skipped of connection.preflight.skipped) logWarning(tl.loc('PreflightSkipped', skipped.message));
    logLine(tl.loc('Syncing', connection.source.name, connection.target.name));
    const report = await runSync(options.sync, connection.ports, { toolVersion: TASK_VERSION, events: taskEvents(options.sync.dryRun) });

    const reportPath = writeJsonReport(report, options.reports.json);
    logRequests(report);
    uploadSummary(report);
    publishOutputs(report, reportPath);
    setRunResult(report);
  } catch (error) {
    setResult(tl.TaskResult.Failed, failureMessage(error));
  } finally {
    disposeConnections();
  }
}

void run();
