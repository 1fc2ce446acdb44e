/**
 * Runs the driver (driver.ts) as a child process with exactly the environment given — the
 * agent's variables for the connections and the job — plus the loopback guard, the
 * emulator's CA and a fresh Agent.TempDirectory. Nothing of the test process's own
 * environment leaks in (no AZURE_*, no real ENDPOINT_* or SYSTEM_*, no proxy).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGuarded } from '../../../support/runGuarded';
import type { DriverPlan, DriverResolved, DriverResult } from './driver';

const DRIVER = join(__dirname, 'driver.js');

export interface DriverRun {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
  resolved: DriverResolved[];
  result?: DriverResult;
  /** The one-line error the driver printed, if any. */
  error?: string;
  /** Values registered with `##vso[task.setsecret]`. */
  maskedValues: string[];
  tempDir: string;
}

export async function runDriver(plan: DriverPlan, env: Record<string, string>, caFile: string): Promise<DriverRun> {
  const tempDir = await mkdtemp(join(tmpdir(), 'acr-task-agent-temp-'));
  try {
    // runGuarded preloads the loopback guard and fails the test if the driver tried to leave 127.0.0.1.
    const { code, stdout, stderr } = await runGuarded(DRIVER, [JSON.stringify(plan)], {
      PATH: '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      NODE_EXTRA_CA_CERTS: caFile,
      AGENT_TEMPDIRECTORY: tempDir,
      ...env,
    });
    const lines = stdout.split(/\r?\n/).filter((l) => l !== '');
    const payload = (prefix: string): string[] => lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
    const result = payload('DRIVER_RESULT ')[0];
    return {
      code,
      stdout,
      stderr,
      lines,
      resolved: payload('DRIVER_RESOLVED ').map((l) => JSON.parse(l) as DriverResolved),
      ...(result ? { result: JSON.parse(result) as DriverResult } : {}),
      ...(payload('DRIVER_ERROR ')[0] !== undefined ? { error: payload('DRIVER_ERROR ')[0] } : {}),
      maskedValues: payload('##vso[task.setsecret]'),
      tempDir,
    };
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}
