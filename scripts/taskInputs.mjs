// Writes task.json's `inputs` from the option table (src/options/table.ts, compiled by npm run build).
//   node scripts/taskInputs.mjs           write them
//   node scripts/taskInputs.mjs --check   exit 1 if task.json does not hold exactly them
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import process from 'node:process';
import { repoRoot, taskJsonFile } from './lib/paths.mjs';

const require = createRequire(import.meta.url);
const { taskJsonInputs, withInputs } = require(join(repoRoot, 'build', 'src', 'task', 'form.js'));

const current = readFileSync(taskJsonFile, 'utf8');
const expected = withInputs(current, taskJsonInputs());
const where = relative(repoRoot, taskJsonFile);
if (process.argv.includes('--check')) {
  if (current !== expected) {
    process.stderr.write(`${where} inputs differ from the option table: run npm run task-inputs\n`);
    process.exit(1);
  }
  process.stdout.write(`${where} inputs agree with the option table\n`);
} else {
  JSON.parse(expected);
  writeFileSync(taskJsonFile, expected);
  process.stdout.write(`wrote the inputs of ${where}\n`);
}
