/**
 * Writes a file from pieces of text as they come (the JSON report, reporting/jsonReport.ts),
 * gathered into chunks of about 64 KiB: few system calls, and never the whole text in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const CHUNK = 64 * 1024;

export function writeInPieces(path: string, pieces: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    let pending = '';
    for (const piece of pieces) {
      pending += piece;
      if (pending.length < CHUNK) continue;
      writeSync(fd, pending);
      pending = '';
    }
    if (pending !== '') writeSync(fd, pending);
  } finally {
    closeSync(fd);
  }
}
