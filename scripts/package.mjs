// npm run package [-- --publisher NAME] [--extension-id ID] [--out-dir DIR] [--skip-build]
// npm run bundle  (the task's dist/ only, no .vsix: --bundle-only)
//
// Builds out/<publisher>.<extension-id>-<version>.vsix. Another publisher or extension id
// (flags, or ACR_TRANSFER_PUBLISHER / ACR_TRANSFER_EXTENSION_ID) makes a private build that
// can sit beside the public one in one organisation: its task gets a derived id and name
// (see lib/identity.mjs). --skip-build reuses build/ when tsc has just run (npm test does).
// --entry FILE bundles another compiled entry instead of build/src/task/main.js.
import { resolve } from 'node:path';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { packageExtension } from './lib/packageExtension.mjs';

const { values } = parseArgs({
  options: {
    publisher: { type: 'string' },
    'extension-id': { type: 'string' },
    'out-dir': { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    entry: { type: 'string' },
    'bundle-only': { type: 'boolean', default: false },
  },
});

try {
  await packageExtension({
    publisher: values.publisher ?? (process.env.ACR_TRANSFER_PUBLISHER || undefined),
    extensionId: values['extension-id'] ?? (process.env.ACR_TRANSFER_EXTENSION_ID || undefined),
    outDir: values['out-dir'] ? resolve(values['out-dir']) : undefined,
    build: !values['skip-build'],
    entry: values.entry ? resolve(values.entry) : undefined,
    vsix: !values['bundle-only'],
    log: (line) => process.stdout.write(`${line}\n`),
  });
} catch (error) {
  process.stderr.write(`package failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
