import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { OptionsError } from './optionsError';

/** What reading an input file found: its bytes, or why there are none. */
export type FileRead = { bytes: Buffer } | { problem: 'missing' | 'notRegular' } | { problem: 'unreadable'; code: string };

/**
 * Opening a FIFO for reading waits for a writer: a `--ignore-config` naming one would hang the
 * run before any check. Opened without blocking, the file is then checked to be a regular file
 * (not a folder, a pipe or a device) on the same descriptor, before a byte is read. Windows has
 * no O_NONBLOCK (nor FIFOs at a path).
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function codeOf(error: unknown): string {
  return String((error as NodeJS.ErrnoException).code ?? 'EIO');
}

export function readRegularFile(path: string): FileRead {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT') return { problem: 'missing' };
    if (code === 'EISDIR') return { problem: 'notRegular' };
    return { problem: 'unreadable', code };
  }
  try {
    if (!fstatSync(fd).isFile()) return { problem: 'notRegular' };
    return { bytes: readFileSync(fd) };
  } catch (error) {
    return { problem: 'unreadable', code: codeOf(error) };
  } finally {
    closeSync(fd);
  }
}

/**
 * An input file's bytes, or bad input naming it: not a regular file (refused unread), or not
 * readable. The option files read now (CA, password, repository list) share these words.
 */
export function readInputFile(label: string, path: string): Buffer {
  const read = readRegularFile(path);
  if ('bytes' in read) return read.bytes;
  if (read.problem === 'notRegular') throw new OptionsError('FileNotRegular', [label, path], `${label} "${path}" is not a file (a folder, a pipe or a device)`);
  throw new OptionsError('FileUnreadable', [label, path], `${label} "${path}" cannot be read`);
}
