/**
 * Paces ARM requests under the subscription's budgets instead of running into them.
 *
 * ARM meters each subscription with token buckets — writes (importImage POSTs) 200, refilled
 * 10 per second; reads (the import's polls, registry lists, permission checks) 250, refilled
 * 25 per second — answers 429 with Retry-After when one is empty, and reports what is left in
 * `x-ms-ratelimit-remaining-subscription-writes` / `-reads`. A client that only reacts to 429
 * spends a large share of a big migration's requests being refused; this one keeps its own
 * bucket per subscription with the same shape and waits for a token before each attempt:
 *
 * - each attempt (retries included) takes a token of its kind, for the subscription the URL
 *   names (the client's own subscription when it names none);
 * - an answer that reports the remaining budget lowers the bucket to that figure, less the
 *   other requests of that kind still in flight (the service has counted, or will count,
 *   them too), so budget spent by anyone else is respected;
 * - a 429 empties the bucket and holds every new request of that kind for the Retry-After
 *   the service gave; the refused request's retry goes at its Retry-After, ahead of the queue
 *   (pacedSend.ts). Concurrent refusals share one hold and lower the refill rate once (halved
 *   per episode, won back slowly by successes: tokenBucket.ts), so a budget smaller than ARM's
 *   documented one (shared with other clients, or another region's limits) is found instead
 *   of hammered, and a refusal never costs more than the wait ARM asked for.
 *
 * The buckets of one Transport are shared by every ARM client built from it, so the importer,
 * the locator and the preflight of one run draw on one budget per subscription. Each keeps a
 * small reserve (a fifth of a second's refill) that absorbs requests arriving closer together
 * than they were sent (tokenBucket.ts).
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { subscriptionOf } from '../registryRef';
import { systemClock, type Clock } from '../../engine/clock';
import { sendPaced } from '../http/pacedSend';
import { reserveOf, TokenBucket, type TokenBucketSettings } from '../http/tokenBucket';

export { ARRIVAL_JITTER_SECONDS, reserveOf } from '../http/tokenBucket';

export type ArmRequestKind = 'writes' | 'reads';

export interface ArmPacingSettings {
  /** Per-subscription write budget; undefined = not paced. */
  writes?: TokenBucketSettings;
  /** Per-subscription read budget; undefined = not paced. */
  reads?: TokenBucketSettings;
}

/** ARM's documented subscription budgets (token bucket per subscription and region). */
export const DEFAULT_ARM_WRITES: TokenBucketSettings = Object.freeze({ capacity: 200, refillPerSecond: 10 });
export const DEFAULT_ARM_READS: TokenBucketSettings = Object.freeze({ capacity: 250, refillPerSecond: 25 });

/** `fallback`, with the fields `given` sets (an undefined field keeps the fallback's). */
export function bucketSettings(fallback: TokenBucketSettings, given: Partial<TokenBucketSettings> | undefined): TokenBucketSettings {
  return {
    capacity: given?.capacity ?? fallback.capacity,
    refillPerSecond: given?.refillPerSecond ?? fallback.refillPerSecond,
  };
}

export const REMAINING_HEADERS: Record<ArmRequestKind, readonly string[]> = {
  writes: ['x-ms-ratelimit-remaining-subscription-writes', 'x-ms-ratelimit-remaining-subscription-global-writes'],
  reads: ['x-ms-ratelimit-remaining-subscription-reads', 'x-ms-ratelimit-remaining-subscription-global-reads'],
};

export const armPacingPolicyName = 'acrTransferArmPacing';

/** One kind of budget of one subscription. */
export class SubscriptionBudget {
  /** Requests that took a token and have not been answered yet. */
  inFlight = 0;

  constructor(readonly bucket: TokenBucket) {}
}

/** The buckets of one transport (or of one client with its own settings), by subscription. */
export class ArmBudgets {
  private readonly budgets = new Map<string, SubscriptionBudget>();

  /**
   * @param settings the buckets' shapes
   * @param shared budgets to draw the kinds `settings` does not name from (`withOwn`)
   */
  constructor(
    readonly settings: ArmPacingSettings,
    private readonly clock: Clock = systemClock,
    private readonly shared?: { budgets: ArmBudgets; kinds: readonly ArmRequestKind[] },
  ) {
    // Bad settings fail where they are given, not at the first request.
    for (const kind of ['writes', 'reads'] as const) {
      const bucket = settings[kind];
      if (bucket !== undefined) new TokenBucket(bucket, clock, reserveOf(bucket));
    }
  }

  /**
   * Budgets of one client: its own bucket per subscription for `kind` (undefined settings =
   * not paced), every other kind still drawn from these shared ones.
   */
  withOwn(kind: ArmRequestKind, settings: TokenBucketSettings | undefined): ArmBudgets {
    const other: ArmRequestKind = kind === 'writes' ? 'reads' : 'writes';
    return new ArmBudgets(settings === undefined ? {} : { [kind]: settings }, this.clock, { budgets: this, kinds: [other] });
  }

  /** The budget for a kind of request in a subscription, or undefined when that kind is not paced. */
  budget(kind: ArmRequestKind, subscriptionId: string): SubscriptionBudget | undefined {
    if (this.shared?.kinds.includes(kind)) return this.shared.budgets.budget(kind, subscriptionId);
    const settings = this.settings[kind];
    if (settings === undefined) return undefined;
    const key = `${kind}:${subscriptionId.toLowerCase()}`;
    let budget = this.budgets.get(key);
    if (budget === undefined) {
      budget = new SubscriptionBudget(new TokenBucket(settings, this.clock, reserveOf(settings)));
      this.budgets.set(key, budget);
    }
    return budget;
  }
}

export function kindOf(method: string): ArmRequestKind {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' || m === 'OPTIONS' ? 'reads' : 'writes';
}

/** What an answer says is left of a kind of budget (the lowest figure it reports), if anything. */
export function remainingOf(headers: { get(name: string): string | undefined }, kind: ArmRequestKind): number | undefined {
  let lowest: number | undefined;
  for (const name of REMAINING_HEADERS[kind]) {
    const text = headers.get(name);
    if (text === undefined || !/^\s*\d+\s*$/.test(text)) continue;
    const value = Number(text);
    lowest = lowest === undefined ? value : Math.min(lowest, value);
  }
  return lowest;
}

/**
 * The policy, for one ARM client. Add it per retry (after authentication) so every attempt is
 * paced and sees its own answer.
 */
export function armPacingPolicy(budgets: ArmBudgets, clientSubscriptionId: string): PipelinePolicy {
  return {
    name: armPacingPolicyName,
    async sendRequest(request, next) {
      const kind = kindOf(request.method);
      const budget = budgets.budget(kind, subscriptionOfUrl(request.url) ?? clientSubscriptionId);
      if (budget === undefined) return next(request);
      return sendPaced(budget.bucket, request, async () => {
        budget.inFlight += 1;
        try {
          const response = await next(request);
          if (response.status !== 429) {
            const remaining = remainingOf(response.headers, kind);
            if (remaining !== undefined) budget.bucket.lowerTo(remaining - (budget.inFlight - 1));
          }
          return response;
        } finally {
          budget.inFlight -= 1;
        }
      });
    },
  };
}

function subscriptionOfUrl(url: string): string | undefined {
  try {
    return subscriptionOf(new URL(url).pathname);
  } catch {
    return undefined;
  }
}
