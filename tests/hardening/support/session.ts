/**
 * The set-up every fault-scenario file shares: a fresh emulator over the fault world for each
 * test (fast imports: done as accepted, found so by the first poll; Retry-After 1 s, unless a
 * test says otherwise), stopped
 * after it, and the suite's figures written after the file.
 */
import { startEmulator } from '../../../testkit/emulator';
import type { Emulator, EmulatorOptions, Fixture } from '../../../testkit/emulator/api';
import { writeFigures } from './figures';
import { faultWorld } from './world';

export type StartEmulator = (options?: Partial<EmulatorOptions>, fixture?: Fixture) => Promise<Emulator>;

/** Call inside a `describe`: registers its hooks and returns how a test starts its emulator. */
export function faultEmulators(): StartEmulator {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });
  after(writeFigures);
  return async (options = {}, fixture = faultWorld()) => {
    emulator = await startEmulator({ fixture, importRetryAfterSeconds: 1, importDurationMs: 0, ...options });
    return emulator;
  };
}
