/**
 * Builds the .vsix once per test run, the way `npm run package` does but without recompiling
 * (npm test has just run tsc) and into a temporary folder, so the tests never touch out/.
 * Every test file that needs a package awaits the same promise.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loopbackGuard, repoRoot, taskFolder } from './paths';
import { readJson, type TaskJson } from './taskJson';
import { unpack } from './unpack';
import { readZip } from './zip';

export interface Packaged {
  vsixPath: string;
  size: number;
  log: string;
}

async function runPackage(outDir: string, extra: string[]): Promise<Packaged> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--skip-build', '--out-dir', outDir, ...extra], {
    cwd: repoRoot,
    // tfx and esbuild run under the loopback guard too: packaging must work offline.
    env: { ...process.env, NODE_OPTIONS: `--require ${loopbackGuard}`, ACR_TRANSFER_PUBLISHER: '', ACR_TRANSFER_EXTENSION_ID: '' },
  });
  const vsix = readdirSync(outDir).filter((name) => name.endsWith('.vsix'));
  if (vsix.length !== 1) throw new Error(`expected one .vsix in ${outDir}, found ${vsix.join(', ') || 'none'}`);
  const vsixPath = join(outDir, vsix[0]);
  return { vsixPath, size: statSync(vsixPath).size, log: stdout };
}

export const PRIVATE_PUBLISHER = 'acr-transfer-tests';
export const PRIVATE_EXTENSION_ID = 'acr-transfer-dev';

export interface Builds {
  /** The temporary folder holding both; remove it when done. */
  root: string;
  public: Packaged;
  private: Packaged;
}

let builds: Promise<Builds> | undefined;

/** The public build and a private one (other publisher and extension id), built in sequence. */
export function packagedBuilds(): Promise<Builds> {
  builds ??= (async () => {
    const root = mkdtempSync(join(tmpdir(), 'acr-transfer-package-'));
    // Several test files (the .vsix checks, the end-to-end run of the packaged task) share the
    // builds, so they are removed when the test process ends rather than after one file.
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    const publicBuild = await runPackage(join(root, 'public'), []);
    const privateBuild = await runPackage(join(root, 'private'), ['--publisher', PRIVATE_PUBLISHER, '--extension-id', PRIVATE_EXTENSION_ID]);
    return { root, public: publicBuild, private: privateBuild };
  })();
  return builds;
}

let taskEntry: Promise<string> | undefined;

/**
 * The public build's task folder, unpacked as the agent unzips it, and the path of its Node
 * entry; unpacked once per test process for every file that runs the packaged task.
 */
export function packagedTaskEntry(): Promise<string> {
  taskEntry ??= (async () => {
    const dir = unpack(readZip((await packagedBuilds()).public.vsixPath), `${taskFolder}/`);
    return join(dir, readJson<TaskJson>(join(dir, 'task.json')).execution.Node20_1.target);
  })();
  return taskEntry;
}
