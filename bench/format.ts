/**
 * How the report writes figures: seconds, megabytes, thousands, ratios and percentages.
 */
import type { ScenarioResult } from './scenario';

export const s = (ms: number): string => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
export const mb = (kb: number): string => (kb / 1024).toFixed(0);
export const n = (x: number): string => x.toLocaleString('en-US');
export const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '—');
export const throttledPercent = (m: ScenarioResult['measured']): string => ((100 * m.importThrottled) / Math.max(1, m.importPosts)).toFixed(2);
