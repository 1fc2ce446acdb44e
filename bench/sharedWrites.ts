/**
 * A pacing run whose subscription write budget is shared (issue 15's throttling target): another
 * client has spent most of ARM's burst and takes half its refill. The tool paces itself by the
 * remaining-writes header ARM answers, so a smaller bucket alone never refuses it (measured: 0
 * of 600 writes); what does is the other client spending tokens between two of the tool's
 * requests — here scripted as 429s with Retry-After (SHARED_WRITE_REFUSALS). Their retries
 * are what bench/retryWindows.ts measures on the ARM side (the read-limit runs measure the data plane's).
 */
import type { FaultRule } from '../testkit/emulator/api';
import type { ScenarioSpec } from './scenario';

/** What this run's subscription has left: 50 writes of burst, +5 a second (ARM's own: 200, +10/s). */
export const SHARED_WRITE_BUCKET = { capacity: 50, refillPerSecond: 5 } as const;
/** Imports of the run: enough to spend the burst many times over, about two minutes at 5 a second. */
export const SHARED_WRITES_IMPORTS = 600;

/**
 * Refusals of the tool's import POSTs caused by the other client, each after `after` POSTs and
 * asking `retryAfterSeconds`. One at a time: the tool holds every new POST for the Retry-After,
 * so the next POST after a refusal is its retry, and a rule firing twice in a row would refuse
 * the same request again (measured: 7 refusals of one import, which then failed) — another
 * test than this one. The tool paces about one POST in flight here, so refusals are not concurrent;
 * concurrent ones are the virtual-clock tests' (tests/azure, 1–8 at once).
 */
export const SHARED_WRITE_REFUSALS: readonly FaultRule[] = [
  { after: 60, retryAfterSeconds: 1 },
  { after: 150, retryAfterSeconds: 2 },
  { after: 250, retryAfterSeconds: 2 },
  { after: 350, retryAfterSeconds: 3 },
  { after: 450, retryAfterSeconds: 3 },
  { after: 550, retryAfterSeconds: 1 },
].map(({ after, retryAfterSeconds }) => ({ route: 'arm.importImage', service: 'arm', kind: 'status', status: 429, retryAfterSeconds, after, times: 1 }));

type Base = Pick<ScenarioSpec, 'latencyMs' | 'importConcurrency' | 'importRetryAfterSeconds'>;

export function sharedWritesRun<B extends Base>(base: B, repositories: number): B & Pick<ScenarioSpec, 'scenario' | 'repositories' | 'armWriteThrottling' | 'armWriteBucket' | 'faults'> & { label: string } {
  return { ...base, label: 'pacing, shared writes', scenario: 'pacing', repositories, armWriteThrottling: true, armWriteBucket: { ...SHARED_WRITE_BUCKET }, faults: SHARED_WRITE_REFUSALS };
}
