/**
 * Everything the task says to the agent goes through here. The agent reads the task's output
 * line by line and runs every `##vso[…]` it finds anywhere in a line (and formats lines that
 * start with `##[`), so a value that came from a registry — a repository named
 * `x\n##vso[task.setvariable …]` — must not become a command. Each text handed out is made a
 * value, whatever it holds: control characters are shown, not sent (no line break inside a
 * value), and `##` is broken as `#\#`, so neither `##vso[` nor `##[` can appear. The task's own
 * commands are written by task-lib or with a fixed prefix here. task-lib's own escaping of
 * `tl.warning`/`tl.error`/`tl.setResult` messages covers `\r`, `\n` and `%` only.
 */
import * as tl from 'azure-pipelines-task-lib/task';
import { escapeControlCharacters } from '../reporting/printable';

export function pipelineText(text: string): string {
  return escapeControlCharacters(text).replace(/#(?=#)/g, '#\\');
}

/** One plain line of the log. */
export function logLine(text: string): void {
  process.stdout.write(`${pipelineText(text)}\n`);
}

/** A collapsible group of lines (the agent's `##[group]` format; task-lib has no helper). */
export function logGroup(title: string): void {
  process.stdout.write(`##[group]${pipelineText(title)}\n`);
}

export function logGroupEnd(): void {
  process.stdout.write('##[endgroup]\n');
}

export function logWarning(text: string): void {
  tl.warning(pipelineText(text));
}

export function logError(text: string): void {
  tl.error(pipelineText(text));
}

export function logDebug(text: string): void {
  tl.debug(pipelineText(text));
}

export function setProgress(percent: number, text: string): void {
  tl.setProgress(percent, pipelineText(text));
}

export function setResult(result: tl.TaskResult, message: string): void {
  tl.setResult(result, pipelineText(message));
}
