// npm run test-nodes
//
// Puts the official Node.js binaries the task tests run on (scripts/test-nodes.json) into
// node_modules/.cache/acr-transfer-nodes/<version>/node, so the L0 tests and the packaged-task
// run execute the task on a real Node 20 and a real Node 24 whatever Node runs the tests. The
// major of the Node running this script is skipped: the tests use that Node for it. Fetched with
// `npm pack` (the npm cache answers a second time), checked against the pinned integrity, and
// only bin/node is unpacked. Nothing is installed and no install script runs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { repoRoot } from './lib/paths.mjs';

const pins = JSON.parse(readFileSync(join(repoRoot, 'scripts', 'test-nodes.json'), 'utf8'));
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'acr-transfer-nodes');
const runningMajor = process.versions.node.split('.')[0];

function versionOf(binary) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function fetchNode(version, integrity) {
  const binary = join(cacheDir, version, 'node');
  if (versionOf(binary) === `v${version}`) return `${binary} (already there)`;
  const work = mkdtempSync(join(tmpdir(), 'acr-transfer-node-'));
  try {
    const spec = `${pins.package}@${version}`;
    // --ignore-scripts: pack runs no lifecycle script of its own for a registry spec, but say so.
    const [packed] = JSON.parse(execFileSync('npm', ['pack', spec, '--json', '--ignore-scripts', '--pack-destination', work], { encoding: 'utf8', cwd: work }));
    if (packed.integrity !== integrity) throw new Error(`${spec}: integrity ${packed.integrity} is not the pinned ${integrity}`);
    execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', work, 'package/bin/node']);
    const unpacked = join(work, 'package', 'bin', 'node');
    if (versionOf(unpacked) !== `v${version}`) throw new Error(`${spec}: package/bin/node does not report v${version}`);
    mkdirSync(join(cacheDir, version), { recursive: true });
    renameSync(unpacked, binary);
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  for (const [major, { version, integrity }] of Object.entries(pins.nodes)) {
    if (major === runningMajor) {
      process.stdout.write(`Node ${major}: the running ${process.version} (${process.execPath})\n`);
      continue;
    }
    process.stdout.write(`Node ${major}: ${fetchNode(version, integrity)}\n`);
  }
} catch (error) {
  process.stderr.write(`test-nodes failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
