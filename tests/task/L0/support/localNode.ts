/**
 * task-lib's MockTestRunner runs the test script with a Node it downloads from nodejs.org into
 * `$HOME/azure-pipelines-task-lib/_download/node<major>/`. There is no internet here, so the
 * tests point HOME at a temporary folder where that cache already holds the local Node (a
 * symlink plus the `.completed` marker) for every major the runner may ask for. mock-test reads
 * HOME when it loads, so this module does its work on import and must be imported before it.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNNER_VERSIONS: Record<number, string> = { 20: 'v20.13.1', 24: 'v24.10.0' };

function seedMockRunnerNode(): string {
  const home = mkdtempSync(join(tmpdir(), 'l0-home-'));
  for (const [major, version] of Object.entries(RUNNER_VERSIONS)) {
    const destination = join(home, 'azure-pipelines-task-lib', '_download', `node${major}`);
    const bin = join(destination, `node-${version}-linux-x64`, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    writeFileSync(`${destination}.completed`, '');
  }
  process.env['HOME'] = home;
  return home;
}

export const mockRunnerHome = seedMockRunnerNode();
