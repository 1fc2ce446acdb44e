/**
 * The start's round trips measured where they are unambiguous: a no-op of one repository at
 * 400 ms per request. The wave count (testkit/emulator/requestWaves.ts) never counts too few, but
 * at the benchmark's 20 ms two requests sent together can arrive either side of a third one's
 * answer on a loaded 2-core machine and count one wave more (measured: 5 in one pacing run, 6 in
 * another of the same data). At 400 ms the spread of arrivals is far below one latency, as in the
 * start-chain test (tests/azure/startChain.integration.test.ts).
 */
import type { ScenarioSpec } from './scenario';

export const START_PROBE_LATENCY_MS = 400;

type Base = Pick<ScenarioSpec, 'latencyMs' | 'importConcurrency' | 'importRetryAfterSeconds' | 'armWriteThrottling'>;

export function startProbeRun<B extends Base>(base: B): B & Pick<ScenarioSpec, 'scenario' | 'repositories' | 'startProbe'> & { label: string } {
  return { ...base, label: `start at ${START_PROBE_LATENCY_MS} ms`, scenario: 'noop', repositories: 1, latencyMs: START_PROBE_LATENCY_MS, startProbe: true };
}
