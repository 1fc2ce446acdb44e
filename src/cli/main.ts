#!/usr/bin/env node
import { oneLineError } from '../azure';
import { cancelOnSignals } from '../lifecycle/cancellation';
import { boundHeapGrowth } from '../lifecycle/heapGrowth';
import { onUnexpectedError } from '../lifecycle/lastResort';
import { escapeControlCharacters } from '../reporting/printable';
import { ExitCode } from './exitCodes';
import type { Screen } from './progress';
import { runCli } from './run';
import { writeStdoutDocument } from './stdoutDocument';

boundHeapGrowth();
// The time budget counts from here: signing in and finding the registries spend it too.
const startedAt = Date.now();
const out = (line: string): void => void process.stdout.write(`${line}\n`);
// The process's own lines may quote an error from a service: shown, not sent, like every line.
const err = (line: string): void => void process.stderr.write(`${escapeControlCharacters(line)}\n`);

onUnexpectedError((error) => {
  lineOverProgress(`acr-transfer: unexpected error: ${oneLineError(error)}`);
  process.exit(ExitCode.CouldNotRun);
});

/** A terminal that can rewrite a line in place: TERM=dumb cannot (no ESC[2K). */
function screenOf(stream: NodeJS.WriteStream): Screen {
  const tty = stream.isTTY === true && process.env.TERM !== 'dumb';
  return { tty, ...(tty && stream.columns > 0 ? { columns: stream.columns } : {}), write: (text) => void stream.write(text) };
}
const screens = { out: screenOf(process.stdout), err: screenOf(process.stderr) };
/** A line the run did not print (a signal, an unexpected error) may come while the progress line is drawn: it clears that row first. */
const lineOverProgress = (line: string): void => {
  if (screens.err.tty) process.stderr.write('\r\x1b[2K');
  err(line);
};

const cancellation = cancelOnSignals({
  first: (signal) => lineOverProgress(`acr-transfer: ${signal}: cancelling; no new work starts, imports in flight get a few seconds to finish (again to stop at once)`),
  second: (signal) => {
    lineOverProgress(`acr-transfer: ${signal} again: stopped at once; imports in flight may still finish in Azure, the next run checks them`);
    process.exit(ExitCode.Cancelled);
  },
});

runCli(process.argv.slice(2), process.env, { out, err, document: writeStdoutDocument, screens }, { stop: cancellation.signal, startedAt }).then(
  (code) => {
    cancellation.dispose();
    process.exitCode = code;
    // A request abandoned by a cancellation or the time budget may still hold a socket open;
    // the run is over, so it must not hold the process (an unref'd timer fires only if it does).
    setTimeout(() => process.exit(code), 1_000).unref();
  },
  (error: unknown) => {
    err(`acr-transfer: unexpected error: ${oneLineError(error)}`);
    process.exitCode = ExitCode.CouldNotRun;
  },
);
