/**
 * Runs a Node script as a child process with the loopback guard preloaded and collects its
 * output. A child that tried to reach anything but 127.0.0.1 fails the calling test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const LOOPBACK_GUARD = join(__dirname, '..', '..', 'testkit', 'loopbackGuard.js');

export interface ChildRun {
  /** -1 when the child was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
  signal?: NodeJS.Signals;
}

/**
 * `env` is the child's whole environment, plus PATH and the guard in NODE_OPTIONS. `onSpawn`
 * gets the child, e.g. for a test that kills it half-way.
 */
export function runGuarded(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  onSpawn?: (child: ChildProcess) => void,
  /** Modules the child loads before the script, after the guard (e.g. a fault planted in the process). */
  preload: readonly string[] = [],
  /** The Node binary to run the script with (e.g. a test Node of another major). */
  node: string = process.execPath,
): Promise<ChildRun> {
  const requires = [LOOPBACK_GUARD, ...preload].map((module) => `--require ${module}`).join(' ');
  const childEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env, NODE_OPTIONS: requires };
  return new Promise((resolve, reject) => {
    const child = spawn(node, [script, ...args], { env: childEnv });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== null) {
        resolve({ code: -1, stdout, stderr, signal });
        return;
      }
      if (stderr.includes('LOOPBACK GUARD')) reject(new Error(`${script} tried to leave 127.0.0.1:\n${stderr}`));
      else resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
