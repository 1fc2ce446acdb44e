// npm run package, step by step: compile, bundle the task, stage what the manifest names under
// this build's identity (with strings generated from the staged task.json), and let tfx make
// the .vsix. The working tree's resource file is refreshed by scripts/strings.mjs, which the
// npm script runs first; packaging itself writes only dist/ and the output folder.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { bundleTask } from './bundle.mjs';
import { packageIdentity } from './identity.mjs';
import { defaultEntry, defaultOutDir, manifestFile, packageJsonFile, repoRoot } from './paths.mjs';
import { stageExtension } from './stage.mjs';
import { readTaskJson } from './taskStrings.mjs';
import { createVsix } from './tfx.mjs';

const require = createRequire(import.meta.url);

function compile() {
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: repoRoot, stdio: 'inherit' });
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * @param {object} options
 * @param {string} [options.publisher]    defaults to vss-extension.json's
 * @param {string} [options.extensionId]  defaults to vss-extension.json's
 * @param {string} [options.outDir]       where the .vsix goes (default out/)
 * @param {boolean} [options.build]       run tsc first (default true)
 * @param {string} [options.entry]        compiled entry to bundle (default build/src/task/main.js)
 * @param {boolean} [options.vsix]        make the .vsix (default true; false stops after the bundle)
 * @param {(line: string) => void} [options.log]
 */
export async function packageExtension({ publisher, extensionId, outDir = defaultOutDir, build = true, entry = defaultEntry, vsix: makeVsix = true, log = () => {} } = {}) {
  const task = readTaskJson();
  const manifest = readJson(manifestFile);
  const { version } = readJson(packageJsonFile);
  // Refuse a bad publisher or extension id before spending time on the build.
  const identity = packageIdentity(manifest, task, { publisher, extensionId });
  if (build) {
    log('compiling (tsc)');
    compile();
  }
  log('bundling the task');
  const { outfile, packages } = await bundleTask({ entry });
  log(`bundled ${packages.length} packages into ${outfile} (${statSync(outfile).size} bytes)`);
  if (!makeVsix) return { bundleSize: statSync(outfile).size };

  const stageDir = join(outDir, 'stage', `${identity.publisher}.${identity.extensionId}`);
  stageExtension({ stageDir, manifest, task, identity, version });
  const vsix = await createVsix({ stageDir, outDir });
  const size = statSync(vsix.vsixPath).size;
  log(`wrote ${vsix.vsixPath} (${size} bytes); task ${identity.task.name} ${identity.task.id}`);
  return { ...vsix, size, identity, bundleSize: statSync(outfile).size };
}
