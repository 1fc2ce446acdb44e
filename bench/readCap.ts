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
      argsFor: (sku) => [flag, String(perSecond ? Math.floor(READS_PER_MINUTE[sku] / 60) : READS_PER_MINUTE[sku])],
    };
  }
  return undefined;
}
