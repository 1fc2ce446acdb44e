import { once } from 'node:events';
import { inChunks } from '../lifecycle/writeInPieces';

/**
 * Writes a document (the JSON report of `--output json`) to stdout as it comes, a chunk at a
 * time, and waits when the reader is slower than the run (stdout is a pipe to `jq` or a
 * script): the report of a large first sync is tens of megabytes, and the process ends soon
 * after the run, so it resolves only once the last chunk is handed to the system.
 */
export async function writeStdoutDocument(pieces: Iterable<string>): Promise<void> {
  for (const chunk of inChunks(pieces)) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
  // Handed to the system: the callback of an empty write comes after every write before it.
  await new Promise<void>((resolve, reject) => process.stdout.write('', (error) => (error ? reject(error) : resolve())));
}
