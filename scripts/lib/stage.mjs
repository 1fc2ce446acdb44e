// The tree tfx packages: a copy of exactly what the manifest names (its files, icon, overview
// and licence), with the identity of this build written into the copied vss-extension.json and
// task.json. The source manifest and task.json are never modified, so a private build leaves
// nothing behind in the working tree.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot, taskFolderPath } from './paths.mjs';
import { resjsonText } from './taskStrings.mjs';

function copyIntoStage(stageDir, relativePath) {
  const from = join(repoRoot, relativePath);
  if (!existsSync(from)) throw new Error(`${relativePath} is named by vss-extension.json but does not exist (run the bundle first?)`);
  mkdirSync(dirname(join(stageDir, relativePath)), { recursive: true });
  cpSync(from, join(stageDir, relativePath), { recursive: true });
}

/** Paths the manifest makes tfx read: `files`, the icons and the content pages. */
function pathsNamedBy(manifest) {
  return [
    ...manifest.files.map((file) => file.path),
    ...Object.values(manifest.icons ?? {}),
    ...Object.values(manifest.content ?? {}).map((page) => page.path),
  ];
}

export function stageExtension({ stageDir, manifest, task, identity, version }) {
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  for (const path of new Set(pathsNamedBy(manifest))) copyIntoStage(stageDir, path);

  const stagedManifest = { ...manifest, publisher: identity.publisher, id: identity.extensionId, name: identity.extensionName, version };
  // A private build must never be listed publicly by accident.
  if (identity.isPrivate) stagedManifest.public = false;
  writeFileSync(join(stageDir, 'vss-extension.json'), `${JSON.stringify(stagedManifest, null, 2)}\n`);

  const stagedTask = { ...task, ...identity.task };
  const taskDir = join(stageDir, taskFolderPath);
  if (identity.isPrivate) writeFileSync(join(taskDir, 'task.json'), `${JSON.stringify(stagedTask, null, 2)}\n`);
  // The packaged strings are generated from the packaged task.json, so they can be neither
  // stale nor out of step with a private build's friendlyName.
  const resjson = join(taskDir, 'Strings', 'resources.resjson', 'en-US', 'resources.resjson');
  mkdirSync(dirname(resjson), { recursive: true });
  writeFileSync(resjson, resjsonText(stagedTask));
  return { stageDir, manifest: stagedManifest, task: stagedTask };
}
