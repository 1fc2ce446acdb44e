// Regenerates the task's Strings/resources.resjson/en-US/resources.resjson from task.json.
//   node scripts/strings.mjs           write it
//   node scripts/strings.mjs --check   exit 1 if it is out of date (task.json changed since)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import process from 'node:process';
import { repoRoot, resjsonFile } from './lib/paths.mjs';
import { readTaskJson, resjsonText } from './lib/taskStrings.mjs';

const expected = resjsonText(readTaskJson());
const where = relative(repoRoot, resjsonFile);
if (process.argv.includes('--check')) {
  const current = existsSync(resjsonFile) ? readFileSync(resjsonFile, 'utf8') : '';
  if (current !== expected) {
    process.stderr.write(`${where} is out of date: run npm run strings\n`);
    process.exit(1);
  }
  process.stdout.write(`${where} is up to date\n`);
} else {
  mkdirSync(dirname(resjsonFile), { recursive: true });
  writeFileSync(resjsonFile, expected);
  process.stdout.write(`wrote ${where}\n`);
}
