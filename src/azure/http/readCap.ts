/**
 * The read cap (`--max-reads-per-second R`): one token bucket per registry host, taken by every
 * request on the wire (acrPipeline.ts), refilled at R per second.
 *
 * Its burst is what makes it no slower than no cap. ACR documents its read limits per tier as
 * read operations per minute — Basic 1,000, Standard 3,000, Premium 10,000, "minimum
 * estimates" (learn.microsoft.com/azure/container-registry/container-registry-skus, "Service
 * tier features and limits"; the table is the include container-registry-limits.md of
 * MicrosoftDocs/azure-docs) — and publishes no separate burst; a per-minute limit lets a
 * minute's worth through at once, which is how the emulator meters it and how a registry with
 * a full budget answers. A cap holding one second's worth (as until issue 15) paced a Basic
 * registry's first 1,000 reads at 16 a second where the registry would have taken them at
 * once: 99.8 s where the uncapped run, adapting to 429s, took 37 s.
 *
 * So the cap holds a minute's worth at its own rate, R × 60 — the reads per minute the cap
 * stands for — but never more than the registry's tier documents for a minute when the tier is
 * known (an ACR located through ARM); a registry whose tier is not known (any other registry)
 * keeps one second's worth, since nothing says it grants more. Like ARM's buckets it keeps the
 * refill of 0.2 s in reserve against requests arriving closer together than they were sent.
 */
import { systemClock, type Clock } from '../../engine/clock';
import { reserveOf, TokenBucket, type TokenBucketSettings } from './tokenBucket';

/** ACR's documented read operations per minute, by tier (lower case). */
export const ACR_READS_PER_MINUTE: Readonly<Record<string, number>> = Object.freeze({ basic: 1000, standard: 3000, premium: 10000 });

/** The documented reads per minute of a tier (`Basic`, `Standard`, `Premium`; any case), if known. */
export function readsPerMinuteOfTier(tier: string | undefined): number | undefined {
  return tier === undefined ? undefined : ACR_READS_PER_MINUTE[tier.toLowerCase()];
}

/** The cap's bucket for a registry of `tier` (undefined: not known) at `readsPerSecond`. */
export function readCapSettings(readsPerSecond: number, tier?: string): TokenBucketSettings {
  const tierMinute = readsPerMinuteOfTier(tier);
  const capacity = tierMinute === undefined ? readsPerSecond : Math.min(readsPerSecond * 60, tierMinute);
  return { capacity: Math.max(1, capacity), refillPerSecond: readsPerSecond };
}

/** The read cap's buckets of one transport, by registry host (case-insensitive), made on first use. */
export class RegistryReadCaps {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly readsPerSecond: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(readsPerSecond > 0) || !Number.isFinite(readsPerSecond)) throw new RangeError('a read cap needs a rate above 0');
  }

  /**
   * The bucket of a registry host. The first call sizes it: with the registry's tier when the
   * caller knows it (every ACR client of a run is built from its ARM lookup, so they agree).
   */
  of(host: string, tier?: string): TokenBucket {
    const key = host.toLowerCase();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      const settings = readCapSettings(this.readsPerSecond, tier);
      bucket = new TokenBucket(settings, this.clock, reserveOf(settings));
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
