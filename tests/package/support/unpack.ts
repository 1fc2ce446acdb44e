/** Writes a .vsix's entries under `prefix` to a fresh temporary folder, as the agent unzips a task. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ZipEntry } from './zip';

export function unpack(entries: Map<string, ZipEntry>, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'acr-transfer-task-'));
  for (const [name, entry] of entries) {
    if (!name.startsWith(prefix) || name.endsWith('/')) continue;
    const file = join(dir, name.slice(prefix.length));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, entry.data());
  }
  return dir;
}
