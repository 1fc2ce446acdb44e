/**
 * The architecture's boundaries are ESLint rules (eslint.config.mjs), so `npm test` fails on a
 * violation. These tests plant violations in memory, at paths inside each part of src/, and
 * check that the project's own configuration refuses them and lets the allowed imports pass.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const repoRoot = join(__dirname, '..', '..', '..');

/** The project's config, with only the import rules that matter here (no type information needed). */
function linter(): ESLint {
  return new ESLint({
    cwd: repoRoot,
    overrideConfig: [{ languageOptions: { parserOptions: { projectService: false, project: null } } }],
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  });
}

async function refusals(path: string, code: string): Promise<string[]> {
  const [result] = await linter().lintText(code, { filePath: join(repoRoot, path) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('architecture boundaries (ESLint no-restricted-imports)', function () {
  this.timeout(60_000);

  const refused: Array<[string, string, string]> = [
    ['the engine reads no files', 'src/engine/planted.ts', "import { readFileSync } from 'node:fs';"],
    ['the engine knows no Azure SDK', 'src/engine/planted.ts', "import type { TokenCredential } from '@azure/core-auth';"],
    ['the engine knows no task-lib', 'src/engine/planted.ts', "import * as tl from 'azure-pipelines-task-lib/task';"],
    ['the engine knows no adapter', 'src/engine/planted.ts', "import { connect } from '../azure';"],
    ['the engine knows no options parsing', 'src/engine/planted.ts', "import { parseOptions } from '../options/parse';"],
    ['the reporting reads no files', 'src/reporting/planted.ts', "import { writeFileSync } from 'node:fs';"],
    ['the options know no Azure SDK', 'src/options/planted.ts', "import { RestError } from '@azure/core-rest-pipeline';"],
    ['the adapters know no front end', 'src/azure/dataplane/planted.ts', "import { USAGE } from '../../cli/usage';"],
    ['how a run starts and stops knows no task-lib', 'src/lifecycle/planted.ts', "import * as tl from 'azure-pipelines-task-lib/task';"],
    ['the command line never imports the task', 'src/cli/planted.ts', "import { readTaskInputs } from '../task/inputs';"],
    ['the command line never imports task-lib', 'src/cli/planted.ts', "import * as tl from 'azure-pipelines-task-lib/task';"],
    ['the task never imports the command line', 'src/task/publish/planted.ts', "import { USAGE } from '../../cli/usage';"],
    ['shipped code never imports the emulator', 'src/task/planted.ts', "import { startEmulator } from '../../testkit/emulator';"],
    ['shipped code never imports the tests', 'src/azure/planted.ts', "import { D } from '../../tests/engine/memoryRegistry';"],
  ];
  for (const [what, path, code] of refused) {
    it(`refuses: ${what}`, async () => {
      const messages = await refusals(path, `${code}\n`);
      assert.equal(messages.length, 1, `${path}: ${code}`);
    });
  }

  const allowed: Array<[string, string, string]> = [
    ['the engine uses its own parts', 'src/engine/planted.ts', "import { Pacer } from './pacer';"],
    ['the options build the engine\'s types', 'src/options/planted.ts', "import type { SyncOptions } from '../engine/syncOptions';"],
    ['the adapters implement the engine\'s ports', 'src/azure/planted.ts', "import type { SyncPorts } from '../engine/ports';"],
    ['the task uses task-lib and the adapters', 'src/task/planted.ts', "import * as tl from 'azure-pipelines-task-lib/task';\nimport { connect } from '../azure';"],
    ['the test kit uses shipped code', 'testkit/planted.ts', "import { parseOptions } from '../src/options/parse';"],
  ];
  for (const [what, path, code] of allowed) {
    it(`allows: ${what}`, async () => {
      assert.deepEqual(await refusals(path, `${code}\n`), []);
    });
  }
});
