import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where task.json is: beside the bundle's folder once packaged (dist/index.js → ../task.json),
 * or in the source tree when the compiled, unbundled task runs in tests.
 */
export function taskJsonPath(): string {
  const packaged = join(__dirname, '..', 'task.json');
  if (existsSync(packaged)) return packaged;
  return join(__dirname, '..', '..', '..', 'tasks', 'AcrTransfer', 'AcrTransferV1', 'task.json');
}
