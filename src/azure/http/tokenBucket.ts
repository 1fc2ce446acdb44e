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
 * A refusal (429) costs what the service asked, once (`throttled`): the bucket is emptied and
 * hands out nothing to new requests until the Retry-After has passed (the hold), and the
 * refused request's own retry goes at its Retry-After without queueing (`takeRetry`), spending
 * a token even into debt — the service counts it, so new requests pay it back. Refusals that
 * arrive while a hold is pending, or of requests sent before the last refusal was known, are
 * the same episode: they share the hold (it ends at the latest Retry-After asked) and do not
 * lower the rate again. Until issue 15 every refusal halved the rate and kept the debt of the
 * ones before, so four concurrent 429s with Retry-After 2 held the next request about 20 s.
 *
 * The refill rate adapts when the service's budget is smaller than the bucket assumes
 * (another client spends it, or its limits differ): each episode of refusals halves the rate;
 * each success gives back a hundredth of the configured rate (additive increase,
 * multiplicative decrease, as TCP does once per loss event), so a run settles just under what
 * the service grants instead of hammering it.
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

/** How much closer together than sent requests may arrive, covered by a mirroring bucket's reserve. */
export const ARRIVAL_JITTER_SECONDS = 0.2;

/** Tokens a bucket that mirrors a service's keeps back: the refill of ARRIVAL_JITTER_SECONDS, at most capacity − 1. */
export function reserveOf(settings: TokenBucketSettings): number {
  return Math.min(Math.max(0, Math.floor(settings.capacity) - 1), Math.ceil(settings.refillPerSecond * ARRIVAL_JITTER_SECONDS));
}

export class TokenBucket {
  private tokens: number;
  /** The refill rate now, tokens per second; starts at (and never exceeds) the configured one. */
  private rate: number;
  private updatedAt: number;
  /** New requests get no token before this time (clock ms): the hold of the last refusals. */
  private holdUntil = Number.NEGATIVE_INFINITY;
  /** When the rate was last lowered (clock ms): requests sent before it cannot lower it again. */
  private cutAt = Number.NEGATIVE_INFINITY;
  private readonly waiters: Waiter[] = [];
  private cancelTimer?: () => void;

  /**
   * @param reserve tokens never handed out (at most capacity − 1)
   */
  constructor(
    readonly settings: TokenBucketSettings,
    readonly clock: Clock = systemClock,
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

  /** Until when (clock ms) new requests are held after refusals; in the past when none is pending. */
  get heldUntil(): number {
    return this.holdUntil;
  }

  /** Resolves once a token is taken; rejects with an AbortError if the signal fires first. */
  take(signal?: AbortSignalLike): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortError('The operation was aborted.'));
    this.refill();
    if (this.waiters.length === 0 && this.clock.now() >= this.holdUntil && this.tokens >= 1 + this.reserve) {
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
   * The service refused a request sent at `sentAt` (clock ms) and asked it to wait
   * `retryAfterMs`: nothing is left, and new requests are held until that wait is over. The
   * first refusal of an episode halves the refill rate; one that arrives while a hold is
   * pending, of a request sent before the rate was last lowered, or of a retry (`retried`: a
   * request refused before, sent again at its Retry-After) shares that episode (the hold ends at
   * the later of the two waits; the rate stays). A retry refused again is still the refusal it
   * retries: counted as a new episode, a request refused seven times in a row cut the rate to
   * 1/64 and held the next new request for a minute. Returns when the refused request may be
   * sent again (clock ms), for `takeRetry`.
   */
  throttled(retryAfterMs = 0, sentAt: number = this.clock.now(), retried = false): number {
    this.refill();
    const now = this.clock.now();
    const wait = Number.isFinite(retryAfterMs) ? Math.max(0, retryAfterMs) : 0;
    const sameEpisode = retried || now < this.holdUntil || sentAt < this.cutAt;
    if (!sameEpisode) {
      this.rate = Math.max(this.settings.refillPerSecond * MIN_RATE_SHARE, this.rate / 2);
      this.cutAt = now;
    }
    this.holdUntil = Math.max(this.holdUntil, now + wait);
    this.tokens = Math.min(this.tokens, 0);
    this.reschedule();
    return now + wait;
  }

  /**
   * The retry of a refused request: waits until `dueAt` (what `throttled` returned) and takes a
   * token then, ahead of every waiter and through any hold, into debt if need be (bounded by
   * one bucket) — it was asked to come back then, and the service will count it.
   */
  async takeRetry(dueAt: number, signal?: AbortSignalLike): Promise<void> {
    if (signal?.aborted) throw new AbortError('The operation was aborted.');
    const wait = dueAt - this.clock.now();
    if (wait > 0) await this.sleep(wait, signal);
    this.refill();
    this.tokens = Math.max(this.tokens - 1, -this.settings.capacity);
    this.reschedule();
  }

  /** A request went through: win back a little of the configured rate. */
  succeeded(): void {
    if (this.rate >= this.settings.refillPerSecond) return;
    this.refill();
    this.rate = Math.min(this.settings.refillPerSecond, this.rate + this.settings.refillPerSecond / 100);
  }

  /** Tokens come back from the later of the last update and the end of the hold: none during a hold. */
  private refill(): void {
    const now = this.clock.now();
    const from = Math.max(this.updatedAt, this.holdUntil);
    if (now > from) this.tokens = Math.min(this.settings.capacity, this.tokens + ((now - from) * this.rate) / 1000);
    this.updatedAt = Math.max(this.updatedAt, now);
  }

  private sleep(ms: number, signal: AbortSignalLike | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        cancel();
        reject(new AbortError('The operation was aborted.'));
      };
      const cancel = this.clock.after(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private pump(): void {
    this.refill();
    while (this.waiters.length > 0 && this.clock.now() >= this.holdUntil && this.tokens >= 1 + this.reserve) {
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
    const held = Math.max(0, this.holdUntil - this.clock.now());
    const missing = 1 + this.reserve - this.tokens;
    const ms = Math.ceil(held + Math.max(0, (missing * 1000) / this.rate));
    this.cancelTimer = this.clock.after(ms, () => {
      this.cancelTimer = undefined;
      this.pump();
    });
  }
}
