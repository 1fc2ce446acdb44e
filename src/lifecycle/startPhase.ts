/**
 * The work before the engine — signing in, finding both registries through ARM, the preflight
 * checks — spends the run's time budget too, and a cancellation stops it. This gives that work
 * one signal, and says afterwards which of the two stopped it.
 */
export interface StartPhase {
  readonly signal: AbortSignal;
  /** True when the time budget, not a cancellation, ran out during the start. */
  budgetSpent(): boolean;
}

export function startPhase(timeBudgetMinutes: number | undefined, startedAt: number, stop: AbortSignal | undefined, now: () => number = Date.now): StartPhase {
  const budget =
    timeBudgetMinutes === undefined ? undefined : AbortSignal.timeout(Math.max(0, timeBudgetMinutes * 60_000 - (now() - startedAt)));
  const signals = [budget, stop].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length === 0 ? new AbortController().signal : AbortSignal.any(signals);
  return { signal, budgetSpent: () => budget?.aborted === true && stop?.aborted !== true };
}
