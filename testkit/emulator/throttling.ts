/**
 * Request budgets, as Azure meters them:
 * - ARM (since 2024) meters each subscription with token buckets, one for writes (200 tokens,
 *   refilled 10 per second) and one for reads (250, refilled 25 per second); every answer
 *   reports what is left in `x-ms-ratelimit-remaining-subscription-writes` / `-reads`, and an
 *   empty bucket answers 429 `SubscriptionRequestsThrottled` with `Retry-After`.
 * - ACR meters each registry's read operations per minute by SKU (the older docs: about
 *   1,000 Basic, 3,000 Standard, 10,000 Premium); an empty budget answers 429 TOOMANYREQUESTS.
 *
 * Both are off unless asked for: an unmetered budget never refuses and reports the constant
 * remainder the recordings show, so existing clients and contract tests see what they always
 * saw. A budget can be switched or resized at run time; a change starts every bucket full.
 */
import type { ReadLimit, RegistryThrottlingSettings, TokenBucketSettings } from './api';

export interface BudgetDecision {
  allowed: boolean;
  /** What is left after this request (reported to clients). */
  remaining: number;
  /** When refused: seconds until a request would be allowed (whole seconds, at least 1). */
  retryAfterSeconds?: number;
}

export interface RequestBudget {
  /** Spends one unit for `key` (a subscription id or a registry name). */
  take(key: string): BudgetDecision;
}

/** ARM's current subscription limits (token bucket, per subscription and operation type). */
export const ARM_WRITE_BUCKET: TokenBucketSettings = { capacity: 200, refillPerSecond: 10 };
export const ARM_READ_BUCKET: TokenBucketSettings = { capacity: 250, refillPerSecond: 25 };

/** ACR read operations per minute by SKU (older ACR service-tier docs). */
const ACR_READS_PER_MINUTE: Record<'Basic' | 'Standard' | 'Premium', number> = {
  Basic: 1000,
  Standard: 3000,
  Premium: 10000,
};

/** What an unmetered budget reports: the values recorded from real services. */
export const UNMETERED_REMAINING = { armWrites: 199, armReads: 249, acrReads: 9999 } as const;

const monotonicMs = (): number => performance.now();

function checkBucketSettings(settings: TokenBucketSettings, what: string): TokenBucketSettings {
  if (!Number.isFinite(settings.capacity) || settings.capacity < 1) throw new Error(`${what}: capacity must be a number ≥ 1`);
  if (!Number.isFinite(settings.refillPerSecond) || settings.refillPerSecond <= 0) throw new Error(`${what}: refillPerSecond must be a number > 0`);
  return { capacity: settings.capacity, refillPerSecond: settings.refillPerSecond };
}

/**
 * The service's side of a token bucket: starts full, each request takes one token, tokens come
 * back continuously at `refillPerSecond` up to `capacity`, and an empty bucket refuses (429)
 * instead of making the caller wait. Deliberately not the product's client-side bucket
 * (src/azure/http/tokenBucket.ts, which waits, adapts and keeps a reserve): the emulator plays
 * Azure, and sharing the product's arithmetic would let a mistake in it pass every pacing test.
 */
export class MeteringBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly settings: TokenBucketSettings,
    private readonly now: () => number = monotonicMs,
  ) {
    this.tokens = settings.capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    const elapsed = (t - this.last) / 1000;
    this.last = t;
    if (elapsed > 0) this.tokens = Math.min(this.settings.capacity, this.tokens + elapsed * this.settings.refillPerSecond);
  }

  /** Whole tokens left now. */
  remaining(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  take(): BudgetDecision {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true, remaining: Math.floor(this.tokens) };
    }
    const seconds = (1 - this.tokens) / this.settings.refillPerSecond;
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
  }
}

/**
 * One bucket per key, sized by `limitOf(key)`; a key without a limit is unmetered. Changing
 * the limits drops every bucket, so the next request of each key finds a full one.
 */
export class KeyedBucketBudget implements RequestBudget {
  private readonly buckets = new Map<string, MeteringBucket>();

  constructor(
    private limitOf: (key: string) => TokenBucketSettings | undefined,
    private readonly unmeteredRemaining: number,
    private readonly now: () => number = monotonicMs,
  ) {}

  reconfigure(limitOf: (key: string) => TokenBucketSettings | undefined): void {
    this.limitOf = limitOf;
    this.buckets.clear();
  }

  take(key: string): BudgetDecision {
    const k = key.toLowerCase();
    let bucket = this.buckets.get(k);
    if (!bucket) {
      const limit = this.limitOf(key);
      if (!limit) return { allowed: true, remaining: this.unmeteredRemaining };
      bucket = new MeteringBucket(limit, this.now);
      this.buckets.set(k, bucket);
    }
    return bucket.take();
  }
}

/** A bucket for a subscription-wide ARM budget: `true` = ARM's default, `false`/undefined = off. */
export function armBucketOf(setting: TokenBucketSettings | Partial<TokenBucketSettings> | boolean | undefined, defaults: TokenBucketSettings, what: string): TokenBucketSettings | undefined {
  if (setting === undefined || setting === false) return undefined;
  if (setting === true) return defaults;
  return checkBucketSettings({ ...defaults, ...setting }, what);
}

/** The bucket a registry's read limit stands for (tokens = reads; refill = per minute ÷ 60). */
function readLimitBucket(limit: ReadLimit | undefined, sku: 'Basic' | 'Standard' | 'Premium', what: string): TokenBucketSettings | undefined {
  if (limit === undefined || limit === false) return undefined;
  const perMinute = limit === 'sku' || limit === true ? ACR_READS_PER_MINUTE[sku] : typeof limit === 'number' ? limit : limit.readsPerMinute;
  const capacity = typeof limit === 'object' && limit.capacity !== undefined ? limit.capacity : perMinute;
  return checkBucketSettings({ capacity, refillPerSecond: perMinute / 60 }, what);
}

/** Resolves the registry read limits: a per-registry entry wins over the default. */
export function registryLimitResolver(
  settings: RegistryThrottlingSettings | boolean | undefined,
  skuOf: (registry: string) => 'Basic' | 'Standard' | 'Premium' | undefined,
): (registry: string) => TokenBucketSettings | undefined {
  const resolved: RegistryThrottlingSettings = settings === true ? { default: 'sku' } : settings === false || settings === undefined ? {} : settings;
  const overrides = new Map(Object.entries(resolved.registries ?? {}).map(([name, limit]) => [name.toLowerCase(), limit]));
  // Check every limit now, so a bad setting fails where it is given.
  for (const [name, limit] of overrides) readLimitBucket(limit, skuOf(name) ?? 'Premium', `registry read limit of '${name}'`);
  readLimitBucket(resolved.default, 'Premium', 'default registry read limit');
  return (registry) => {
    const sku = skuOf(registry);
    if (!sku) return undefined;
    const key = registry.toLowerCase();
    const limit = overrides.has(key) ? overrides.get(key) : resolved.default;
    return readLimitBucket(limit, sku, `registry read limit of '${registry}'`);
  };
}

/** ACR's recorded `x-ms-ratelimit-remaining-calls-per-second`: the minute's remainder ÷ 60. */
export function callsPerSecondHeader(remaining: number): string {
  return String(Number((remaining / 60).toFixed(6)));
}
