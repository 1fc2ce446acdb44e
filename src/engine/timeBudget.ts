import type { Clock } from './clock';

/**
 * The run's time budget (`timeBudgetMinutes`): near its end no new import starts, so a run inside
 * a job with a hard time-out ends cleanly instead of being cut off. "Near the end" means: less
 * time left than a reserve that lets the imports in flight finish —
 * max(30 s, twice the longest import seen so far), capped at half the budget so a short budget
 * still gets work done. The per-import time limit bounds how far an import in flight can
 * overrun. Without a budget every check passes.
 */
export const MIN_RESERVE_MS = 30_000;

export class TimeBudget {
  private longestImportMs = 0;
  private exhausted = false;

  constructor(
    private readonly clock: Clock,
    private readonly startedAt: number,
    /** Absent: no budget. */
    private readonly budgetMs?: number,
    /** Called once, when the budget first refuses a start. */
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
   * keeps saying no: time left only shrinks and the reserve only grows.
   */
  allowsStart(): boolean {
    if (this.budgetMs === undefined) return true;
    if (!this.exhausted && this.msUntilStop() <= 0) {
      this.exhausted = true;
      this.onExhausted?.(this.reserveMs());
    }
    return !this.exhausted;
  }

  /**
   * Calls `callback` once the budget stops new work (for cutting planning short), re-checking
   * rather than trusting one timer: the reserve can grow while it waits. Returns a cancel.
   */
  whenExhausted(callback: () => void): () => void {
    if (this.budgetMs === undefined) return () => undefined;
    let cancel: () => void;
    const check = (): void => {
      if (!this.allowsStart()) callback();
      else cancel = this.clock.after(Math.max(1, this.msUntilStop()), check);
    };
    cancel = this.clock.after(Math.max(0, this.msUntilStop()), check);
    return () => cancel();
  }

  /** An import finished (either way): the reserve covers twice the longest one. */
  importTook(durationMs: number): void {
    this.longestImportMs = Math.max(this.longestImportMs, durationMs);
  }

  get stopped(): boolean {
    return this.exhausted;
  }
}
