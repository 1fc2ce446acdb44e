import type { Clock } from './clock';

/**
 * Why a run stops starting work before it has done everything: its time budget ran out
 * (`timeBudgetMinutes`), or it was cancelled (SIGINT / SIGTERM: a person pressed Ctrl-C, a
 * pipeline was cancelled or timed out).
 */
export type StopCause = 'timeBudget' | 'cancelled';

/**
 * Whether a run may still start work, and from when it may not. The time budget: near its end
 * no new import starts, so a run inside a job with a hard time-out ends cleanly instead of being
 * cut off. "Near the end" means: less time left than a reserve that lets the imports in flight
 * finish — max(30 s, twice the longest import seen so far), capped at half the budget so a short
 * budget still gets work done. The per-import time limit bounds how far an import in flight can
 * overrun. A cancellation stops starts at once. Without a budget and before a cancellation every
 * check passes. The budget counts from `startedAt`, which a front end sets to when the process
 * started, so signing in and finding the registries spend it too.
 */
export const MIN_RESERVE_MS = 30_000;

export class TimeBudget {
  private longestImportMs = 0;
  private cause?: StopCause;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly clock: Clock,
    private readonly startedAt: number,
    /** Absent: no budget. */
    private readonly budgetMs?: number,
    /** Called once, when the budget (not a cancellation) first refuses a start. */
    private readonly onExhausted?: (reserveMs: number) => void,
  ) {}

  reserveMs(): number {
    if (this.budgetMs === undefined) return 0;
    return Math.min(Math.max(MIN_RESERVE_MS, 2 * this.longestImportMs), this.budgetMs / 2);
  }

  /** Time until starts stop, with the reserve as it is now (it only grows). */
  private msUntilStop(): number {
    if (this.budgetMs === undefined) return Infinity;
    return this.budgetMs - (this.clock.now() - this.startedAt) - this.reserveMs();
  }

  /**
   * Whether new work (a listing while planning, an import) may start now. Once it says no, it
   * keeps saying no: time left only shrinks, the reserve only grows, a cancellation stays.
   */
  allowsStart(): boolean {
    if (this.cause === undefined && this.msUntilStop() <= 0) {
      this.stopWith('timeBudget');
      this.onExhausted?.(this.reserveMs());
    }
    return this.cause === undefined;
  }

  /** The run was cancelled: from now on nothing new starts. */
  cancel(): void {
    this.stopWith('cancelled');
  }

  /**
   * Calls `callback` once starts stop (for cutting a listing short), by the budget or by a
   * cancellation — re-checking the budget rather than trusting one timer: the reserve can grow
   * while it waits. Returns a cancel.
   */
  whenStopped(callback: () => void): () => void {
    if (this.cause !== undefined) {
      callback();
      return () => undefined;
    }
    let cancelTimer: () => void = () => undefined;
    const listener = (): void => {
      cancelTimer();
      callback();
    };
    this.listeners.add(listener);
    if (this.budgetMs !== undefined) {
      const check = (): void => {
        // allowsStart() notifies the listeners when the budget runs out.
        if (this.allowsStart()) cancelTimer = this.clock.after(Math.max(1, this.msUntilStop()), check);
      };
      cancelTimer = this.clock.after(Math.max(0, this.msUntilStop()), check);
    }
    return () => {
      cancelTimer();
      this.listeners.delete(listener);
    };
  }

  /** An import finished (either way): the reserve covers twice the longest one. */
  importTook(durationMs: number): void {
    this.longestImportMs = Math.max(this.longestImportMs, durationMs);
  }

  get stopped(): boolean {
    return this.cause !== undefined;
  }

  /** Why starts stopped, once they have. */
  get stopCause(): StopCause | undefined {
    return this.cause;
  }

  private stopWith(cause: StopCause): void {
    if (this.cause !== undefined) return;
    this.cause = cause;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }
}
