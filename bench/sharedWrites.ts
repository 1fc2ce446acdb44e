/**
 * A pacing run whose subscription write budget is shared (issue 15's throttling target): another
 * client has spent most of ARM's burst and takes half its refill. The tool paces itself by the
 * remaining-writes header ARM answers, so a smaller bucket alone never refuses it (measured: 0
 * of 600 writes); what does is the other client spending tokens between two of the tool's
 * requests — here scripted as bursts of 429 `SubscriptionRequestsThrottled` with Retry-After
 * (1, 2, 4 and 8 refusals in a row, with 32 imports in flight: concurrent ones). Their retries
 * are what bench/retryWindows.ts measures on the ARM side (the read-limit runs measure the data plane's).
 */
import type { FaultRule } from '../testkit/emulator/api';
import type { ScenarioSpec } from './scenario';

/** What this run's subscription has left: 50 writes of burst, +5 a second (ARM's own: 200, +10/s). */
export const SHARED_WRITE_BUCKET = { capacity: 50, refillPerSecond: 5 } as const;
/** Imports of the run: enough to spend the burst many times over, about two minutes at 5 a second. */
export const SHARED_WRITES_IMPORTS = 600;

/** Refusals of the tool's import POSTs caused by the other client: `times` in a row after `after` of them, each asking `retryAfterSeconds`. */
export const SHARED_WRITE_REFUSALS: readonly FaultRule[] = [
  { route: 'arm.importImage', service: 'arm', kind: 'status', status: 429, retryAfterSeconds: 1, after: 60, times: 1 },
  { route: 'arm.importImage', service: 'arm', kind: 'status', status: 429, retryAfterSeconds: 2, after: 150, times: 2 },
  { route: 'arm.importImage', service: 'arm', kind: 'status', status: 429, retryAfterSeconds: 2, after: 300, times: 4 },
  { route: 'arm.importImage', service: 'arm', kind: 'status', status: 429, retryAfterSeconds: 3, after: 450, times: 8 },
];

type Base = Pick<ScenarioSpec, 'latencyMs' | 'importConcurrency' | 'importRetryAfterSeconds'>;

export function sharedWritesRun<B extends Base>(base: B, repositories: number): B & Pick<ScenarioSpec, 'scenario' | 'repositories' | 'armWriteThrottling' | 'armWriteBucket' | 'faults'> & { label: string } {
  return { ...base, label: 'pacing, shared writes', scenario: 'pacing', repositories, armWriteThrottling: true, armWriteBucket: { ...SHARED_WRITE_BUCKET }, faults: SHARED_WRITE_REFUSALS };
}
