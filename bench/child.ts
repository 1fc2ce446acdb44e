/**
 * Starts a benchmark child process (a compiled script of bench/) with the loopback guard
 * preloaded, and reads the `BENCH_RESULT {json}` line it ends with.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const LOOPBACK_GUARD = join(__dirname, '..', 'testkit', 'loopbackGuard.js');

export interface ChildOutcome<T> {
  code: number;
  result?: T;
  stderr: string;
  /** Wall time from spawn to exit, ms (Node start and module loading included). */
  wallMs: number;
}

export function runChild<T>(script: string, args: readonly string[], env: Record<string, string>, nodeFlags: readonly string[] = []): Promise<ChildOutcome<T>> {
  const childEnv: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    ...env,
    NODE_OPTIONS: `--require ${LOOPBACK_GUARD}`,
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Diagnosis: BENCH_NODE_FLAGS (e.g. `--max-semi-space-size=8`) adds Node flags to every child.
    const extra = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
    const child = spawn(process.execPath, [...extra, ...nodeFlags, join(__dirname, script), ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 100_000) stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (stderr.includes('LOOPBACK GUARD')) {
        reject(new Error(`${script} tried to leave 127.0.0.1:\n${stderr}`));
        return;
      }
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      resolve({
        code: code ?? -1,
        ...(line !== undefined ? { result: JSON.parse(line.slice('BENCH_RESULT '.length)) as T } : {}),
        stderr,
        wallMs: Date.now() - started,
      });
    });
  });
}
