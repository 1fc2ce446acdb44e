/**
 * The ACR Transfer pipeline task: inputs → options, connections → credentials, run the engine,
 * publish the results. Everything else lives in the options, the engine and the Azure
 * adapters, shared with the command line.
 */
import * as tl from 'azure-pipelines-task-lib/task';
import { CatalogUnavailable, connect, connectAddressSource, createTransport, type AddressConnection, type Connection, oneLineError, PreflightError, RegistryAddressRefused, RegistryNotFoundError } from '../azure';
import { unlessAborted } from '../engine/abort';
import { runSync } from '../engine/sync';
import { cancelOnSignals } from '../lifecycle/cancellation';
import { boundHeapGrowth } from '../lifecycle/heapGrowth';
import { onUnexpectedError } from '../lifecycle/lastResort';
import { startPhase } from '../lifecycle/startPhase';
import { OptionsError } from '../options/optionsError';
import { parseOptions } from '../options/parse';
import { disposeConnections, resolveConnection, type ResolvedConnection } from './connections';
import { connectionErrorIn } from './connections/connectionError';
import { agentCaPem, agentProxyResolver } from './agentNetwork';
import { readTaskInputs } from './inputs';
import { logDebug, logLine, logWarning, setResult } from './log';
import { optionsMessage, registryNotFoundMessage } from './messages';
import { logReferrers, logRequests, logTargetOnly, taskEvents } from './publish/logGroups';
import { publishOutputs } from './publish/outputs';
import { uploadSummary, writeJsonReport } from './publish/reportFiles';
import { setRunResult } from './publish/result';
import { taskJsonPath } from './taskJson';
import { TASK_VERSION } from './version';

class CloudMismatch extends Error {}

/** How long the process may linger after the run, for output to drain, before it is ended. */
const EXIT_AFTER_MS = 1_000;

function announce(side: 'source' | 'target', connection: ResolvedConnection): void {
  logLine(tl.loc('ConnectionUsed', side, tl.loc(`AuthKind_${connection.authKind}`)));
}

/** The one-line, localised reason a run could not start. */
function failureMessage(error: unknown, cancelled: boolean, budgetSpent: boolean): string {
  if (cancelled) return tl.loc('CancelledBeforeStart');
  if (budgetSpent) return tl.loc('BudgetSpentBeforeStart');
  if (error instanceof CloudMismatch) return tl.loc('CloudsDiffer');
  if (error instanceof OptionsError) return optionsMessage(error);
  if (error instanceof RegistryNotFoundError) return registryNotFoundMessage(error.registryName, error.side);
  if (error instanceof RegistryAddressRefused) return tl.loc('RegistryAddressRefused', error.side, error.registryName, error.host, error.domain);
  if (error instanceof PreflightError) return tl.loc(error.key, ...error.args);
  // The CLI's words name its flags; the task names its inputs.
  if (error instanceof CatalogUnavailable) return tl.loc('CatalogUnavailable', error.host);
  const connectionError = connectionErrorIn(error);
  if (connectionError !== undefined) return tl.loc(connectionError.messageKey, ...connectionError.args);
  return tl.loc('CouldNotStart', oneLineError(error));
}

/**
 * A cancelled job: the agent sends SIGINT, SIGTERM 7.5 s later, then kills. The first signal
 * cancels the run gracefully (what finished is verified and reported, the summary attached);
 * a second one ends the task at once.
 */
function cancelOnAgentSignals(): ReturnType<typeof cancelOnSignals> {
  return cancelOnSignals({
    first: (signal) => logLine(tl.loc('Cancelling', signal)),
    second: (signal) => {
      setResult(tl.TaskResult.Failed, tl.loc('CancelledAtOnce', signal));
      process.exit(1);
    },
  });
}

export async function run(): Promise<void> {
  // The time budget counts from here: signing in and finding the registries spend it too.
  const startedAt = Date.now();
  // Which Node the agent chose (Node20_1 or Node24 handler, its knobs and fallbacks decide).
  logDebug(`ACR Transfer ${TASK_VERSION} on Node ${process.version}`);
  boundHeapGrowth();
  tl.setResourcePath(taskJsonPath());
  onUnexpectedError(
    (error) => {
      setResult(tl.TaskResult.Failed, tl.loc('Unexpected', oneLineError(error)));
      process.exit(1);
    },
    { replaceExisting: true },
  );
  const cancellation = cancelOnAgentSignals();
  let start: ReturnType<typeof startPhase> | undefined;
  try {
    // Bad values fail here, before any connection is used or any request is sent.
    const options = parseOptions(readTaskInputs());
    start = startPhase(options.sync.timeBudgetMinutes, startedAt, cancellation.signal);
    const transport = createTransport({ version: TASK_VERSION, caPem: agentCaPem(), proxyFor: agentProxyResolver(), ...options.http });
    const resolve = { transport, acrAudience: options.connection.acrAudience, registryDomain: options.connection.registryDomain };
    const { sourceRegistryUri, sourceCredentials } = options.connection;
    // Any registry comes through a Docker Registry connection: no Azure identity reads it.
    const source = sourceRegistryUri === undefined ? await resolveConnection(options.connection.sourceConnection ?? '', { ...resolve, side: 'source' }) : undefined;
    const target = await resolveConnection(options.connection.targetConnection ?? '', { ...resolve, side: 'target' });
    if (source !== undefined) announce('source', source);
    announce('target', target);
    // importImage copies within one cloud; both registries must be reached through the same one.
    if (source !== undefined && source.cloud.armEndpoint !== target.cloud.armEndpoint) throw new CloudMismatch();
    const targetEndpoint = { registryName: options.connection.targetRegistry, subscriptionId: target.subscriptionId, credential: target.credential };
    // Connections of two tenants: the target's identity cannot read the source by resource id.
    const crossTenant = source !== undefined && source.tenantId.toLowerCase() !== target.tenantId.toLowerCase();
    if (crossTenant) logLine(tl.loc('CrossTenantSource'));
    const connectOptions = { cloud: target.cloud, transport, connectionsAhead: options.sync.listConcurrency, signal: start.signal, ...(crossTenant ? { crossTenant } : {}) };
    const connecting: Promise<Connection | AddressConnection> =
      source === undefined
        ? connectAddressSource({ host: sourceRegistryUri ?? '', ...(sourceCredentials !== undefined ? { credentials: sourceCredentials } : {}) }, targetEndpoint, connectOptions)
        : connect({ registryName: options.connection.sourceRegistry ?? '', subscriptionId: source.subscriptionId, credential: source.credential }, targetEndpoint, connectOptions);
    // Raced, not only signalled: a token request of @azure/identity may not honour the signal.
    const connection = await unlessAborted(connecting, start.signal);
    for (const skipped of connection.preflight.skipped) logWarning(tl.loc('PreflightSkipped', skipped.message));
    logLine(tl.loc('Syncing', connection.source.name, connection.target.name));
    const report = await runSync(options.sync, connection.ports, {
      toolVersion: TASK_VERSION,
      events: taskEvents(options.sync.dryRun),
      stop: cancellation.signal,
      startedAt,
    });

    // Docker Hub says how many pulls are left, asked after the imports, which spent some of them.
    const rateLimit = 'sourceAllowance' in connection ? await connection.sourceAllowance(cancellation.signal) : undefined;
    if (rateLimit !== undefined) report.source.rateLimit = rateLimit;
    const reportPath = writeJsonReport(report, options.reports.json);
    logReferrers(report);
    logRequests(report);
    logTargetOnly(report);
    uploadSummary(report);
    publishOutputs(report, reportPath);
    setRunResult(report);
  } catch (error) {
    setResult(tl.TaskResult.Failed, failureMessage(error, cancellation.signal.aborted, start?.budgetSpent() === true));
  } finally {
    cancellation.dispose();
    disposeConnections();
  }
}

void run().finally(() => {
  // A request abandoned by a cancellation or the time budget may still hold a socket open; the
  // result is set, so it must not hold the step too.
  setTimeout(() => process.exit(), EXIT_AFTER_MS).unref();
});
