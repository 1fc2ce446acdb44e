/**
 * A client-side token bucket: what ARM meters writes and reads with (per subscription), and
 * what a registry's read cap is enforced with. The bucket starts full, refills continuously
 * at `refillPerSecond` up to `capacity`, and a caller waits for one token before each request.
 * Waiters are served first come, first served, so a burst of imports starts in order.
 *
 * The level may go below zero: when the service reports that fewer requests are left than the
 * bucket believes (`lowerTo`), requests already on their way have spent tokens the service
 * did not have, and that debt is paid back by refilling before anyone else may start.
 *
 * A bucket that mirrors a service's own bucket may keep a `reserve` of tokens it never spends:
 * the service counts requests when they arrive, not when they leave, and two requests sent a
 * refill interval apart can arrive closer together (a slower connection for the first). With
 * the reserve the service's bucket is never drained to its last token by a steady stream, so
 * such jitter — up to `reserve ÷ refillPerSecond` seconds — meets a token instead of a 429.
 *
 * The refill rate adapts when the service's budget is smaller than the bucket assumes
 * (another client spends it, or its limits differ): each refusal halves the rate and holds
 * every caller for the Retry-After the service asked for; each success gives back a
 * hundredth of the configured rate (additive increase, multiplicative decrease, as TCP does),
 * so a run settles just under what the service grants instead of hammering it.
 */
import { AbortError, type AbortSignalLike } from '@azure/abort-controller';
import { systemClock, type Clock } from '../../engine/clock';

export interface TokenBucketSettings {
  /** Tokens held when full (the burst allowed after a quiet period). */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  detach(): void;
}

/** The slowest an adapting bucket gets, as a share of its configured rate. */
export const MIN_RATE_SHARE = 1 / 64;

export class TokenBucket {
  private tokens: number;
  /** The refill rate now, tokens per second; starts at (and never exceeds) the configured one. */
  private rate: number;
  private updatedAt: number;
  private readonly waiters: Waiter[] = [];
  private cancelTimer?: () => void;

  /**
   * @param reserve tokens never handed out (at most capacity − 1)
   */
  constructor(
    readonly settings: TokenBucketSettings,
    private readonly clock: Clock = systemClock,
    readonly reserve = 0,
  ) {
    if (!(settings.capacity >= 1) || !Number.isFinite(settings.capacity)) throw new RangeError('a token bucket needs a capacity of at least 1');
    if (!(settings.refillPerSecond > 0) || !Number.isFinite(settings.refillPerSecond)) {
      throw new RangeError('a token bucket needs a refill rate above 0');
    }
    if (!(reserve >= 0) || reserve > settings.capacity - 1) throw new RangeError('a token bucket reserve must be between 0 and capacity − 1');
    this.tokens = settings.capacity;
    this.rate = settings.refillPerSecond;
    this.updatedAt = clock.now();
  }

  /** The current refill rate (tokens per second). */
  get refillPerSecond(): number {
    return this.rate;
  }

  /** Tokens available now (fractional; negative while paying back a debt). */
  get level(): number {
    this.refill();
    return this.tokens;
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves once a token is taken; rejects with an AbortError if the signal fires first. */
  take(signal?: AbortSignalLike): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortError('The operation was aborted.'));
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1 + this.reserve) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new AbortError('The operation was aborted.'));
        this.reschedule();
      };
      const waiter: Waiter = {
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.reschedule();
    });
  }

  /**
   * The service says only `level` requests are left: never hold more than that. It never
   * raises the level, and the debt it can create is bounded by one bucket.
   */
  lowerTo(level: number): void {
    if (!Number.isFinite(level)) return;
    this.refill();
    this.tokens = Math.min(this.tokens, Math.max(level, -this.settings.capacity));
    this.reschedule();
  }

  /** Nothing is left (the service answered 429). */
  empty(): void {
    this.lowerTo(0);
  }

  /**
   * The service refused a request: nothing is left, refill at half the rate from now on, and
   * hand out nothing before `retryAfterMs` has passed (a debt of that much refill).
   */
  throttled(retryAfterMs = 0): void {
    this.refill();
    this.rate = Math.max(this.settings.refillPerSecond * MIN_RATE_SHARE, this.rate / 2);
    const hold = (Math.max(0, retryAfterMs) / 1000) * this.rate;
    this.tokens = Math.min(this.tokens, Math.max(-hold, -this.settings.capacity));
    this.reschedule();
  }

  /** A request went through: win back a little of the configured rate. */
  succeeded(): void {
    if (this.rate >= this.settings.refillPerSecond) return;
    this.refill();
    this.rate = Math.min(this.settings.refillPerSecond, this.rate + this.settings.refillPerSecond / 100);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.settings.capacity, this.tokens + (elapsed * this.rate) / 1000);
  }

  private pump(): void {
    this.refill();
    while (this.waiters.length > 0 && this.tokens >= 1 + this.reserve) {
      this.tokens -= 1;
      const waiter = this.waiters.shift()!;
      waiter.detach();
      waiter.resolve();
    }
    this.reschedule();
  }

  /** One timer at most: for the moment the first waiter's token will be there. */
  private reschedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.waiters.length === 0) return;
    this.refill();
    const missing = 1 + this.reserve - this.tokens;
    const ms = Math.max(0, Math.ceil((missing * 1000) / this.rate));
    this.cancelTimer = this.clock.after(ms, () => {
      this.cancelTimer = undefined;
      this.pump();
    });
  }
}

/** One bucket per key (a registry host, say), all with the same settings, made on first use. */
export class BucketsByKey {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly settings: TokenBucketSettings,
    private readonly clock: Clock = systemClock,
  ) {}

  get(key: string): TokenBucket {
    const k = key.toLowerCase();
    let bucket = this.buckets.get(k);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.settings, this.clock);
      this.buckets.set(k, bucket);
    }
    return bucket;
  }
}
