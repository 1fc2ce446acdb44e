/**
 * The tool's own cap on registry reads, if its command line has one: found in its usage text
 * (a flag whose name mentions reads, per minute or per second), so the benchmark measures a
 * capped run as soon as the flag exists, without guessing its name in advance.
 */
import { USAGE } from '../src/cli/usage';
import type { Sku } from './world';

/** ACR's read operations per minute by tier (older service-tier docs). */
export const READS_PER_MINUTE: Record<Sku, number> = { Basic: 1000, Standard: 3000, Premium: 10000 };

export interface ReadCapFlag {
  flag: string;
  perSecond: boolean;
  argsFor(sku: Sku): string[];
}

/**
 * A tier's reads per minute as a per-second cap: rounded down to hundredths (16.66 for Basic),
 * not to whole reads (16 would leave 4 % of the tier unused and make the capped run slower
 * than the uncapped one for no reason), never above the tier's rate.
 */
export function perSecondOf(readsPerMinute: number): number {
  return Math.floor((readsPerMinute * 100) / 60) / 100;
}

export function readCapFlag(usage: string = USAGE): ReadCapFlag | undefined {
  for (const line of usage.split('\n')) {
    const m = /^\s*(--[a-z-]*reads?[a-z-]*)\s+([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, flag, , text] = m as unknown as [string, string, string, string];
    const perSecond = /second/i.test(flag) || (/second/i.test(text) && !/minute/i.test(`${flag} ${text}`));
    if (!/minute|second|rate/i.test(`${flag} ${text}`)) continue;
    return {
      flag,
      perSecond,
      argsFor: (sku) => [flag, String(perSecond ? perSecondOf(READS_PER_MINUTE[sku]) : READS_PER_MINUTE[sku])],
    };
  }
  return undefined;
}
