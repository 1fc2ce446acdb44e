import { writeFileSync } from 'node:fs';
import { AzurePublicCloud, CatalogUnavailable, cloudByName, connect, connectAddressSource, createTransport, type AddressConnection, type Connection, customizeCloud, envProxyResolver, oneLineError, RegistryNotFoundError, type AzureCloud } from '../azure';
import { unlessAborted } from '../engine/abort';
import { systemClock } from '../engine/clock';
import type { RequestStats } from '../engine/ports';
import type { RunReport } from '../engine/report';
import { runSync } from '../engine/sync';
import { startPhase } from '../lifecycle/startPhase';
import { OptionsError } from '../options/optionsError';
import { parseOptions, type ConnectionOptions, type OutputOptions, type ReportOptions, type RunOptions } from '../options/parse';
import { writeInPieces } from '../lifecycle/writeInPieces';
import { reportJsonPieces } from '../reporting/jsonReport';
import { renderReportMarkdown } from '../reporting/markdown';
import { minutesText } from '../reporting/texts';
import { parseCliArguments } from './args';
import { ExitCode } from './exitCodes';
import { printable } from './output';
import { ProgressReporter, type Screen } from './progress';
import { progressEvents, renderPlan, renderSummary, type Print } from './render';
import { selectCliCredential } from './signIn';
import { USAGE } from './usage';
import { TOOL_VERSION } from './version';

export interface CliIo {
  out: Print;
  err: Print;
  /**
   * Writes a document to stdout as it is (the JSON report of `--output json`): no escaping, no
   * masking, no line added. Absent (a caller that collects lines): `out` gets it as one line.
   */
  document?: (pieces: Iterable<string>) => Promise<void>;
  /**
   * The two streams as screens for the progress line (progress.ts): written as they are, `tty`
   * when a terminal shows them (without one, progress comes as plain lines through `out` /
   * `err`). Absent (an in-process caller: tests, the bench, which times the run's phases by the
   * lines it gets): no progress at all, so those lines are as they were.
   */
  screens?: { out: Screen; err: Screen };
}

/**
 * Where the lines for a person go: stderr when stdout carries the report (`--output json`).
 * `warn` is what `--quiet` keeps (warnings, errors, the result line); `say` is everything else.
 */
interface PersonLines {
  say: Print;
  warn: Print;
}

function personLines(output: OutputOptions, io: CliIo): PersonLines {
  const lines = output.format === 'json' ? io.err : io.out;
  return { warn: lines, say: output.quiet ? () => undefined : lines };
}

/**
 * The progress line goes where a person's lines go (stdout, or stderr with `--output json`,
 * whose stdout is only the report), so the two never interleave on one screen; `--quiet` has none,
 * and neither has an in-process caller that gives no screens.
 */
function progressScreen(output: OutputOptions, terminal: CliIo): Screen | undefined {
  if (output.quiet) return undefined;
  return output.format === 'json' ? terminal.screens?.err : terminal.screens?.out;
}

/** The report on stdout, exactly the text `--report-json` writes to its file. */
async function printReportJson(report: RunReport, terminal: CliIo): Promise<void> {
  if (terminal.document !== undefined) await terminal.document(reportJsonPieces(report));
  else terminal.out([...reportJsonPieces(report)].join('').replace(/\n$/, ''));
}

/** How the process drives the run: a cancellation (SIGINT / SIGTERM), and when it started. */
export interface CliControl {
  stop?: AbortSignal;
  /** When the time budget starts counting (default: when runCli is called). */
  startedAt?: number;
}

/** Bad input found by the command line itself, once the options are checked. */
class UsageError extends Error {}

/** The cloud by name (checked against the table's list already), with any endpoint overridden. */
function cloudOf(connection: ConnectionOptions): AzureCloud {
  const base = (connection.cloud === undefined ? undefined : cloudByName(connection.cloud)) ?? AzurePublicCloud;
  return customizeCloud(base, {
    armEndpoint: connection.armEndpoint,
    armAudience: connection.armAudience,
    authorityHost: connection.authorityHost,
    acrAudience: connection.acrAudience,
    registryDomain: connection.registryDomain,
  });
}

function subscriptionsOf(connection: ConnectionOptions): { source: string; target: string } {
  if (connection.sourceSubscriptionId === undefined) {
    // A source named by address has no subscription: the target's is the one needed.
    if (connection.sourceRegistryUri !== undefined && connection.targetSubscriptionId !== undefined) {
      return { source: connection.targetSubscriptionId, target: connection.targetSubscriptionId };
    }
    const flag = connection.sourceRegistryUri !== undefined ? '--target-subscription-id' : '--source-subscription-id';
    throw new UsageError(`${connection.sourceRegistryUri !== undefined ? 'target' : 'source'} subscription id is required: pass ${flag} or set AZURE_SUBSCRIPTION_ID`);
  }
  return { source: connection.sourceSubscriptionId, target: connection.targetSubscriptionId ?? connection.sourceSubscriptionId };
}

function writeReports(reports: ReportOptions, report: RunReport, say: Print): void {
  if (reports.json !== undefined) {
    writeInPieces(reports.json, reportJsonPieces(report));
    say(`Report written to ${reports.json}`);
  }
  if (reports.markdown !== undefined) {
    writeFileSync(reports.markdown, renderReportMarkdown(report, { complete: true }));
    say(`Markdown report written to ${reports.markdown}`);
  }
}

/**
 * The command line from argv to exit code. Everything is checked before the first request:
 * flags, options, cloud URLs, CA file, credentials; then both registries are resolved
 * before the first write.
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, terminal: CliIo, control: CliControl = {}): Promise<ExitCode> {
  const startedAt = control.startedAt ?? Date.now();
  const io: CliIo = { out: printable(terminal.out), err: printable(terminal.err) };
  let options: RunOptions;
  try {
    const args = parseCliArguments(argv, env);
    if (args.help) {
      for (const line of USAGE.split('\n')) io.out(line);
      return ExitCode.Done;
    }
    if (args.version) {
      io.out(TOOL_VERSION);
      return ExitCode.Done;
    }
    options = parseOptions(args.options);
  } catch (error) {
    if (error instanceof OptionsError) {
      io.err(`acr-transfer: ${error.message}`);
      return ExitCode.BadInput;
    }
    throw error;
  }

  const lines = personLines(options.output, io);
  const screen = progressScreen(options.output, terminal);
  let requests: (() => RequestStats) | undefined;
  const progress = screen === undefined ? undefined : new ProgressReporter({ screen, print: lines.say, clock: systemClock, requests: () => requests?.() });
  const say = progress?.around(lines.say) ?? lines.say;
  const warn = progress?.around(lines.warn) ?? lines.warn;
  const start = startPhase(options.sync.timeBudgetMinutes, startedAt, control.stop);
  try {
    const subscriptions = subscriptionsOf(options.connection);
    const cloud = cloudOf(options.connection);
    const transport = createTransport({ version: TOOL_VERSION, proxyFor: envProxyResolver(env), ...options.http });
    const signIn = selectCliCredential(env, cloud, transport);
    say(`Signing in with ${signIn.description}.`);
    const target = { registryName: options.connection.targetRegistry, subscriptionId: subscriptions.target, credential: signIn.credential };
    const { sourceRegistry, sourceRegistryUri, sourceCredentials } = options.connection;
    const connectOptions = { cloud, transport, connectionsAhead: options.sync.listConcurrency, signal: start.signal };
    // Raced, not only signalled: a token request of @azure/identity may not honour the signal.
    const connection = await unlessAborted<Connection | AddressConnection>(
      sourceRegistryUri !== undefined
        ? connectAddressSource({ host: sourceRegistryUri, ...(sourceCredentials !== undefined ? { credentials: sourceCredentials } : {}) }, target, connectOptions)
        : connect({ registryName: sourceRegistry ?? '', subscriptionId: subscriptions.source, credential: signIn.credential }, target, connectOptions),
      start.signal,
    );
    for (const skipped of connection.preflight.skipped) warn(`warning: ${skipped.message}`);
    const { dryRun } = options.sync;
    say(`${options.sync.check !== undefined ? 'Check: ' : dryRun ? 'Dry run: ' : ''}${connection.source.name} → ${connection.target.name}`);
    requests = connection.ports.requestStats;
    const lineEvents = progressEvents(say);
    const moving = progress?.events();
    let report: RunReport;
    try {
      report = await runSync(options.sync, connection.ports, {
        toolVersion: TOOL_VERSION,
        startedAt,
        ...(control.stop ? { stop: control.stop } : {}),
        events: {
          ...moving,
          ...lineEvents,
          planned: (p) => {
            // The listing's progress ends before the plan is printed under it.
            moving?.planned(p);
            lineEvents.planned?.(p);
            renderPlan(p, dryRun, say, options.output.plan);
          },
          importFinished: (group, error) => {
            lineEvents.importFinished?.(group, error);
            moving?.importFinished(group, error);
          },
        },
      });
    } finally {
      progress?.finish();
    }
    // Docker Hub says how many pulls are left, asked after the imports, which spent some of them.
    const rateLimit = 'sourceAllowance' in connection ? await connection.sourceAllowance(control.stop) : undefined;
    if (rateLimit !== undefined) report.source.rateLimit = rateLimit;
    writeReports(options.reports, report, say);
    renderSummary(report, warn, options.output.quiet);
    if (options.output.format === 'json') await printReportJson(report, terminal);
    if (report.stoppedBy === 'cancelled') return ExitCode.Cancelled;
    // A failure wins over drift: the check could not see everything.
    if (report.totals.repositories.failed > 0 || report.totals.tags.failed > 0) return ExitCode.Failed;
    if (report.check?.outOfSync === true) return ExitCode.OutOfSync;
    return report.result === 'failed' ? ExitCode.Failed : ExitCode.Done;
  } catch (error) {
    if (control.stop?.aborted === true) {
      io.err('acr-transfer: cancelled before the run started; nothing was written');
      return ExitCode.Cancelled;
    }
    if (start.budgetSpent()) {
      io.err(`acr-transfer: the time budget of ${minutesText(options.sync.timeBudgetMinutes ?? 0)} ran out before the run could start (signing in, finding the registries); nothing was written`);
      return ExitCode.CouldNotRun;
    }
    // A registry without a catalog for these credentials (Docker Hub, an ACR token) needs the
    // repositories named: the input is what must change, as for a registry that is not found.
    if (error instanceof UsageError || error instanceof RegistryNotFoundError || error instanceof CatalogUnavailable) {
      io.err(`acr-transfer: ${error.message}`);
      return ExitCode.BadInput;
    }
    // Everything else, a failed preflight check and a sign-in with nothing to sign in with
    // included (their messages already are one sentence), is one redacted line.
    io.err(`acr-transfer: ${oneLineError(error)}`);
    return ExitCode.CouldNotRun;
  }
}

