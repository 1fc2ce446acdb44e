/**
 * Two targets of issue 15 judged from a benchmark run: the start's sequential round trips
 * before the first listing, and every throttled request retried within Retry-After …
 * 1.2 × Retry-After of its refusal (bench/retryWindows.ts).
 */
import { n } from './format';
import { isListingRun, type BenchRun } from './results';
import { describeRetryWindows, retriesWithinWindow, WINDOW } from './retryWindows';
import type { TargetVerdict } from './targets';

/** Issue 15: source and target sign-in, lookup and preflight in parallel, registry tokens asked ahead. */
export const START_ROUND_TRIPS_TARGET = 4;

export function startTarget(bench: BenchRun): TargetVerdict {
  const measured = bench.results.filter((x) => isListingRun(x.result) && x.result.startRoundTrips !== undefined);
  const worst = Math.max(...measured.map((x) => x.result.startRoundTrips ?? 0));
  return {
    target: `A start of at most ${START_ROUND_TRIPS_TARGET} sequential round trips before the first listing`,
    met: measured.length > 0 ? worst <= START_ROUND_TRIPS_TARGET : undefined,
    figure:
      measured.length > 0
        ? `${worst === Math.min(...measured.map((x) => x.result.startRoundTrips ?? 0)) ? `${worst} in every run` : `at most ${worst}`} (${measured.map((x) => `${x.label} ${n(x.result.expected.repositories)}: ${x.result.startRoundTrips ?? '—'}`).join(', ')}), at ${bench.options.latencyMs} ms per request — an upper bound, see the phases table's note`
        : 'not measured (no listing run)',
  };
}

export function retryWindowTarget(bench: BenchRun): TargetVerdict {
  const throttled = bench.results.filter((x) => x.result.retryWindows !== undefined);
  const judged = throttled.filter((x) => (x.result.retryWindows?.refusals ?? 0) > 0);
  return {
    target: `Every throttled request retried within Retry-After … ${WINDOW.to} × Retry-After of its refusal`,
    met: judged.length > 0 ? judged.every((x) => x.result.retryWindows !== undefined && retriesWithinWindow(x.result.retryWindows)) : undefined,
    figure:
      throttled.length > 0
        ? throttled.map((x) => `${x.label} ${n(x.result.expected.repositories)}: ${x.result.retryWindows ? describeRetryWindows(x.result.retryWindows) : '—'}`).join('; ')
        : 'not run (no pacing or read-limit run)',
  };
}
