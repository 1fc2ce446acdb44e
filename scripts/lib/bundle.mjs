// Bundles the task into one CommonJS file, tasks/…/AcrTransferV1/dist/index.js, and puts
// beside it the files the bundled code reads at run time relative to its own __dirname. The
// agent never runs npm install, so the task folder must carry everything it needs.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { msalRequirePlugin } from './msalRequirePlugin.mjs';
import { defaultEntry, distDir, repoRoot } from './paths.mjs';
import { packagesInBundle, renderNotices } from './thirdPartyNotices.mjs';

const armRest = join(repoRoot, 'node_modules', 'azure-pipelines-tasks-azure-arm-rest');

/**
 * Files read with `path.join(__dirname, …)` by bundled packages; in the bundle __dirname is
 * dist/, so they go there. azure-arm-rest calls `tl.setResourcePath(__dirname/module.json)` when
 * it loads (task-lib throws if the file is missing) and reads Strings/ beside it for
 * System.Culture. task-lib itself needs nothing: the 5.281 this project uses compiles its own
 * strings into lib-resource.js and never reads lib.json, so lib.json is not carried; the
 * packaging test checks that task-lib's messages resolve from the bundle, and would catch a
 * task-lib that reads lib.json from __dirname again.
 */
const runtimeResources = [
  { from: join(armRest, 'module.json'), to: 'module.json' },
  { from: join(armRest, 'Strings'), to: 'Strings' },
];

export async function bundleTask({ entry = defaultEntry, outDir = distDir } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'index.js');
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs', // the agent runs the target with plain `node`, no package.json "type" beside it
    target: 'node20', // the oldest handler (Node20_1); the same file runs on Node24
    // Not minified: the zipped task grows by about 0.2 MB, and in exchange a stack trace from a
    // customer's log points at a readable line of dist/index.js on their agent.
    minify: false,
    keepNames: true, // bundling renames clashing identifiers; keep the names errors report
    legalComments: 'external',
    metafile: true,
    write: false,
    absWorkingDir: repoRoot,
    logLevel: 'silent',
    plugins: [msalRequirePlugin],
    // node-fetch 2 (azure-arm-rest's) loads whatwg-url 5 and tr46 0.0.3, which require Node's
    // built-in `punycode`; Node 21+ warns on it (DEP0040) on stderr, which agents show on every
    // run. The userland package of the same API (what newer whatwg-url and tr46 ask for with
    // `punycode/`) is bundled instead, and the built-in is never loaded.
    alias: { punycode: 'punycode/' },
  });
  // Every warning is an error here: a dynamic require or a missing file esbuild could not
  // resolve would only fail on the agent.
  if (result.warnings.length > 0) {
    throw new Error(`esbuild warnings:\n${result.warnings.map((w) => `${w.location?.file ?? ''}: ${w.text}`).join('\n')}`);
  }
  let legal = '';
  for (const file of result.outputFiles) {
    if (file.path === outfile) writeFileSync(outfile, file.contents);
    else if (basename(file.path) === 'index.js.LEGAL.txt') legal = file.text;
    else throw new Error(`unexpected esbuild output ${file.path}`);
  }
  for (const { from, to } of runtimeResources) cpSync(from, join(outDir, to), { recursive: true });
  const packages = packagesInBundle(result.metafile, repoRoot);
  // task-lib keeps the task's state (inputs and secrets moved into its vault, the resource
  // files, the result) in module variables: two copies in one bundle would split that state.
  const taskLibs = packages.filter((p) => p.name === 'azure-pipelines-task-lib');
  if (taskLibs.length !== 1) {
    throw new Error(`the bundle must hold exactly one azure-pipelines-task-lib, it holds ${taskLibs.map((p) => `${p.version} (${p.dir})`).join(', ') || 'none'}: dedupe node_modules`);
  }
  writeFileSync(join(outDir, 'THIRD-PARTY-NOTICES.txt'), renderNotices(packages, legal));
  return { outfile, packages };
}
