import { readFileSync, writeFileSync } from 'node:fs';
import {
  AzurePublicCloud,
  cloudByName,
  connect,
  createTransport,
  customizeCloud,
  oneLineError,
  RegistryNotFoundError,
  selectCliCredential,
  type AzureCloud,
} from '../azure';
import type { RunPlan } from '../engine/events';
import { validateOptions, type SyncOptions } from '../engine/options';
import { OptionsError } from '../engine/optionsError';
import type { RunReport } from '../engine/report';
import { renderReportMarkdown } from '../engine/reportMarkdown';
import { runSync } from '../engine/sync';
import { parseCliArguments, USAGE, type CliArguments } from './args';
import { ExitCode } from './exitCodes';
import { progressEvents, renderPlan, renderSummary, type Print } from './render';
import { TOOL_VERSION } from './version';
import { transportSettings } from '../engine/transportSettings';

export interface CliIo {
  out: Print;
  err: Print;
}

/** Bad input found by the command line itself (before the engine's own validation). */
class UsageError extends Error {}

function cloudOf(args: CliArguments): AzureCloud {
  const base = args.cloud === undefined ? AzurePublicCloud : cloudByName(args.cloud);
  if (base === undefined) throw new UsageError(`cloud "${args.cloud}" is not known: use AzureCloud, AzureUSGovernment or AzureChinaCloud`);
  const overrides = { armEndpoint: args.armEndpoint, authorityHost: args.authorityHost, acrAudience: args.acrAudience };
  for (const [flag, value] of Object.entries({ '--arm-endpoint': args.armEndpoint, '--authority-host': args.authorityHost, '--acr-audience': args.acrAudience })) {
    if (value !== undefined && !/^https:\/\/[^\s/]+/.test(value)) throw new UsageError(`${flag} "${value}" is not an https URL`);
  }
  return customizeCloud(base, overrides);
}

function readCaFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`CA file "${path}" cannot be read`);
  }
}

function subscriptionsOf(options: SyncOptions): { source: string; target: string } {
  if (options.sourceSubscriptionId === undefined) {
    throw new UsageError('source subscription id is required: pass --source-subscription-id or set AZURE_SUBSCRIPTION_ID');
  }
  return { source: options.sourceSubscriptionId, target: options.targetSubscriptionId ?? options.sourceSubscriptionId };
}

function writeReports(args: CliArguments, report: RunReport, io: CliIo): void {
  if (args.reportJson !== undefined) {
    writeFileSync(args.reportJson, `${JSON.stringify(report, null, 2)}\n`);
    io.out(`Report written to ${args.reportJson}`);
  }
  if (args.reportMarkdown !== undefined) {
    writeFileSync(args.reportMarkdown, renderReportMarkdown(report));
    io.out(`Markdown report written to ${args.reportMarkdown}`);
  }
}

/**
 * The command line from argv to exit code. Everything is checked before the first request:
 * flags, options, cloud URLs, CA file, credentials; then both registries are resolved
 * before the first write.
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<ExitCode> {
  let args: CliArguments;
  let options: SyncOptions;
  let cloud: AzureCloud;
  let caPem: string | undefined;
  try {
    args = parseCliArguments(argv);
    if (args.help) {
      io.out(USAGE);
      return ExitCode.Done;
    }
    if (args.version) {
      io.out(TOOL_VERSION);
      return ExitCode.Done;
    }
    options = validateOptions({ ...args.sync, sourceSubscriptionId: args.sync.sourceSubscriptionId ?? env['AZURE_SUBSCRIPTION_ID'] });
    cloud = cloudOf(args);
    caPem = readCaFile(args.caFile);
  } catch (error) {
    if (error instanceof OptionsError || error instanceof UsageError) {
      io.err(`acr-transfer: ${error.message}`);
      return ExitCode.BadInput;
    }
    throw error;
  }

  let plan: RunPlan | undefined;
  try {
    const subscriptions = subscriptionsOf(options);
    const transport = createTransport({ version: TOOL_VERSION, caPem, ...transportSettings(options) });
    const signIn = selectCliCredential(env, cloud, transport);
    io.out(`Signing in with ${signIn.description}.`);
    const connection = await connect(
      { registryName: options.sourceRegistry, subscriptionId: subscriptions.source, credential: signIn.credential },
      { registryName: options.targetRegistry, subscriptionId: subscriptions.target, credential: signIn.credential },
      { cloud, transport },
    );
    for (const skipped of connection.preflight.skipped) io.out(`warning: ${skipped.message}`);
    io.out(`${options.dryRun ? 'Dry run: ' : ''}${connection.source.name} → ${connection.target.name}`);
    const report = await runSync(
      options,
      { source: connection.sourceReader, target: connection.targetReader, importer: connection.importer, requestStats: () => connection.requestStats() },
      {
        toolVersion: TOOL_VERSION,
        events: {
          planned: (p) => {
            plan = p;
            renderPlan(p, options.dryRun, io.out);
          },
          ...progressEvents(() => plan, io.out),
        },
      },
    );
    writeReports(args, report, io);
    renderSummary(report, io.out);
    return report.result === 'failed' ? ExitCode.Failed : ExitCode.Done;
  } catch (error) {
    if (error instanceof UsageError || error instanceof RegistryNotFoundError) {
      io.err(`acr-transfer: ${error.message}`);
      return ExitCode.BadInput;
    }
    // Everything else, a failed preflight check included (its message already is one sentence
    // of registry and role names), is one redacted line.
    io.err(`acr-transfer: ${oneLineError(error)}`);
    return ExitCode.CouldNotRun;
  }
}
