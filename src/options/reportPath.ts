import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { OptionsError } from './optionsError';

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A report is written after the run, when every import is done: a path that cannot be written
 * would fail the run then, with nothing summed up. So it is checked before the first request —
 * its folder exists and can be written to, and the path itself is a file or nothing yet — and
 * nothing is created: bad input writes nothing (docs/decisions/008-input-rules.md).
 */
export function checkReportPath(label: string, path: string): string {
  const existing = statOf(path);
  if (existing !== undefined && !existing.isFile()) {
    throw new OptionsError('ReportPathNotFile', [label, path], `${label} "${path}" is a folder, a pipe or a device, not a file`);
  }
  const folder = dirname(resolve(path));
  if (!(statOf(folder)?.isDirectory() ?? false)) {
    throw new OptionsError('ReportFolderMissing', [label, path, folder], `${label} "${path}": the folder "${folder}" does not exist`);
  }
  if (!writable(existing !== undefined ? path : folder)) {
    throw new OptionsError('ReportNotWritable', [label, path], `${label} "${path}" cannot be written`);
  }
  return path;
}
