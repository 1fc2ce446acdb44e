/**
 * Writes text that comes in pieces (the JSON report, reporting/jsonReport.ts) gathered into
 * chunks of about 64 KiB: few system calls, and never the whole text in memory. The file
 * writer is here; the command line's stdout writer (cli/stdoutDocument.ts) uses the same chunks.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const CHUNK = 64 * 1024;

/** The pieces joined into chunks of at least CHUNK characters (the last one shorter, never empty). */
export function* inChunks(pieces: Iterable<string>): Generator<string> {
  let pending = '';
  for (const piece of pieces) {
    pending += piece;
    if (pending.length < CHUNK) continue;
    yield pending;
    pending = '';
  }
  if (pending !== '') yield pending;
}

export function writeInPieces(path: string, pieces: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const chunk of inChunks(pieces)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}
