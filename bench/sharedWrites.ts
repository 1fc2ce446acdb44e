/**
 * A pacing run whose subscription write budget is shared (issue 15's throttling target): another
 * client has spent most of ARM's burst and takes half its refill, so the tool, which paces
 * itself under ARM's documented bucket and never meets a 429 there, is refused, must wait what
 * each 429 asks, and adapt. Its retries are what bench/retryWindows.ts measures on the ARM side
 * (the read-limit runs measure the data plane's).
 */
import type { ScenarioSpec } from './scenario';

/** What this run's subscription has left: 50 writes of burst, +5 a second (ARM's own: 200, +10/s). */
export const SHARED_WRITE_BUCKET = { capacity: 50, refillPerSecond: 5 } as const;
/** Imports of the run: enough to spend the burst many times over, about two minutes at 5 a second. */
export const SHARED_WRITES_IMPORTS = 600;

type Base = Pick<ScenarioSpec, 'latencyMs' | 'importConcurrency' | 'importRetryAfterSeconds'>;

export function sharedWritesRun<B extends Base>(base: B, repositories: number): B & Pick<ScenarioSpec, 'scenario' | 'repositories' | 'armWriteThrottling' | 'armWriteBucket'> & { label: string } {
  return { ...base, label: 'pacing, shared writes', scenario: 'pacing', repositories, armWriteThrottling: true, armWriteBucket: { ...SHARED_WRITE_BUCKET } };
}
