/**
 * The ACR Transfer pipeline task: inputs → options, connections → credentials, run the engine,
 * publish the results. Everything else lives in the engine and the Azure adapters, shared with
 * the command line.
 */
import * as tl from 'azure-pipelines-task-lib/task';
import { connect, createTransport, oneLineError, RegistryNotFoundError } from '../azure';
import { validateOptions } from '../engine/options';
import { OptionsError } from '../engine/optionsError';
import { runSync } from '../engine/sync';
import { disposeConnections, resolveConnection, type ResolvedConnection } from './connections';
import { agentCaPem } from './agentTrust';
import { readTaskInputs } from './inputs';
import { optionsMessage, registryNotFoundMessage } from './messages';
import { taskEvents } from './publish/logGroups';
import { publishOutputs } from './publish/outputs';
import { uploadSummary, writeJsonReport } from './publish/reportFiles';
import { setRunResult } from './publish/result';
import { taskJsonPath } from './taskJson';
import { TASK_VERSION } from './version';

class CloudMismatch extends Error {}

function announce(side: 'source' | 'target', connection: ResolvedConnection): void {
  console.log(tl.loc('ConnectionUsed', side, connection.displayName, tl.loc(`AuthKind_${connection.authKind}`)));
}

export async function run(): Promise<void> {
  tl.setResourcePath(taskJsonPath());
  try {
    const inputs = readTaskInputs();
    const transport = createTransport({ version: TASK_VERSION, caPem: agentCaPem() });
    // Bad values fail here, before any connection is used or any request is sent.
    validateOptions(inputs.sync);
    const source = await resolveConnection(inputs.sourceConnection, { transport, acrAudience: inputs.registryAudience });
    const target = await resolveConnection(inputs.targetConnection, { transport, acrAudience: inputs.registryAudience });
    announce('source', source);
    announce('target', target);
    // importImage copies within one cloud; both registries must be reached through the same one.
    if (source.cloud.armEndpoint !== target.cloud.armEndpoint) throw new CloudMismatch();
    const options = validateOptions({ ...inputs.sync, sourceSubscriptionId: source.subscriptionId, targetSubscriptionId: target.subscriptionId });

    const connection = await connect(
      { registryName: options.sourceRegistry, subscriptionId: source.subscriptionId, credential: source.credential },
      { registryName: options.targetRegistry, subscriptionId: target.subscriptionId, credential: target.credential },
      { cloud: target.cloud, transport },
    );
    console.log(tl.loc('Syncing', connection.source.name, connection.target.name));
    const report = await runSync(
      options,
      { source: connection.sourceReader, target: connection.targetReader, importer: connection.importer },
      { toolVersion: TASK_VERSION, events: taskEvents(options.dryRun) },
    );

    const reportPath = writeJsonReport(report, inputs.reportPath);
    uploadSummary(report);
    publishOutputs(report, reportPath);
    setRunResult(report);
  } catch (error) {
    if (error instanceof CloudMismatch) tl.setResult(tl.TaskResult.Failed, tl.loc('CloudsDiffer'));
    else if (error instanceof OptionsError) tl.setResult(tl.TaskResult.Failed, optionsMessage(error));
    else if (error instanceof RegistryNotFoundError) tl.setResult(tl.TaskResult.Failed, registryNotFoundMessage(error.registryName, error.side));
    else tl.setResult(tl.TaskResult.Failed, tl.loc('CouldNotStart', oneLineError(error)));
  } finally {
    disposeConnections();
  }
}

void run();
