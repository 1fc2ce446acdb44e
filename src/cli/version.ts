import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package version, read once from package.json (two levels above build/src/cli). */
function readVersion(): string {
  for (const candidate of [join(__dirname, '..', '..', '..', 'package.json'), join(__dirname, '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'acr-transfer' && pkg.version !== undefined) return pkg.version;
    } catch {
      // try the next layout
    }
  }
  return 'dev';
}

export const TOOL_VERSION = readVersion();
