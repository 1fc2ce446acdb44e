import { once } from 'node:events';

/** About as much as one write hands the pipe: few system calls, never the whole report as one string. */
const CHUNK = 64 * 1024;

/**
 * Writes a document (the JSON report of `--output json`) to stdout as it comes, a chunk at a
 * time, and waits when the reader is slower than the run (stdout is a pipe to `jq` or a
 * script): the report of a large first sync is tens of megabytes, and the process ends soon
 * after the run, so it resolves only once the last chunk is handed to the system.
 */
export async function writeStdoutDocument(pieces: Iterable<string>): Promise<void> {
  let pending = '';
  for (const piece of pieces) {
    pending += piece;
    if (pending.length < CHUNK) continue;
    if (!process.stdout.write(pending)) await once(process.stdout, 'drain');
    pending = '';
  }
  await new Promise<void>((resolve, reject) => process.stdout.write(pending, (error) => (error ? reject(error) : resolve())));
}
