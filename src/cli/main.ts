#!/usr/bin/env node
import { oneLineError } from '../azure';
import { escapeControlCharacters } from '../reporting/printable';
import { runCli } from './run';

runCli(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`acr-transfer: unexpected error: ${escapeControlCharacters(oneLineError(error))}\n`);
    process.exitCode = 3;
  },
);
