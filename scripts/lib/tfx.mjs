// Runs tfx-cli's `extension create` on a staged tree. tfx only warns about a bad task.json
// (a missing execution target, a bad id …: "In the future, this warning will be treated as an
// error"), so any warning fails the packaging here rather than shipping a task that cannot run.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
const tfxPackage = require.resolve('tfx-cli/package.json');
const tfxCli = join(dirname(tfxPackage), require(tfxPackage).bin.tfx);

export async function createVsix({ stageDir, outDir }) {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [tfxCli, 'extension', 'create', '--root', stageDir, '--manifest-globs', 'vss-extension.json', '--output-path', outDir, '--no-prompt', '--json'],
    { cwd: stageDir, maxBuffer: 16 * 1024 * 1024 },
  );
  // tfx colours its warnings whatever the environment says; strip the escapes for the message.
  // eslint-disable-next-line no-control-regex
  const plain = `${stdout}\n${stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  const warnings = plain.split('\n').filter((line) => /^\s*warning/i.test(line));
  if (warnings.length > 0) throw new Error(`tfx reported warnings:\n${warnings.join('\n')}`);
  const jsonStart = stdout.search(/^\{/m);
  if (jsonStart < 0) throw new Error(`tfx printed no result:\n${stdout}\n${stderr}`);
  const result = JSON.parse(stdout.slice(jsonStart));
  return { vsixPath: result.path, extensionId: result.extensionId, publisher: result.publisher, version: result.version };
}
