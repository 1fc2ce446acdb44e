/**
 * Where request budgets plug in. ARM meters writes per subscription (a token bucket of 200,
 * refilled 10/s, reported in `x-ms-ratelimit-remaining-subscription-writes`, 429 +
 * Retry-After when empty) and ACR meters reads per registry (429 TOOMANYREQUESTS). Neither
 * limit is enforced yet: the budgets below never refuse, but every ARM write and data-plane
 * read already asks them, so a real bucket is a drop-in replacement.
 */

export interface BudgetDecision {
  allowed: boolean;
  /** What is left after this request (reported to clients). */
  remaining: number;
  /** When refused: seconds until a request would be allowed. */
  retryAfterSeconds?: number;
}

export interface RequestBudget {
  /** Spends one unit for `key` (a subscription id or a registry name). */
  take(key: string): BudgetDecision;
}

/** A budget that never refuses and reports a constant remainder. */
export class UnlimitedBudget implements RequestBudget {
  constructor(private readonly reportedRemaining: number) {}
  take(): BudgetDecision {
    return { allowed: true, remaining: this.reportedRemaining };
  }
}
