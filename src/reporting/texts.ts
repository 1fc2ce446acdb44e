/** How digests, durations and counts are written, the same in every output. */
export { minutesText } from '../engine/importTimeout';

/** `sha256:0123456789ab`: enough to tell digests apart at a glance; reports keep the whole one. */
export function shortDigest(digest: string | undefined): string {
  if (digest === undefined) return '—';
  const [algorithm, hex] = digest.split(':');
  return hex === undefined ? digest : `${algorithm}:${hex.slice(0, 12)}`;
}

/** A run's duration: `12.3 s`. */
export function durationText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A wait or a reserve, to the second: `30 s`. */
export function secondsText(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/**
 * A repository as a person reads it: its name, or, when it syncs into a repository of another
 * name (a target repository prefix), `source → target`.
 */
export function repositoryLabel(source: string, target: string | undefined): string {
  return target === undefined || target === source ? source : `${source} → ${target}`;
}

/** Docker Hub's allowance as a person reads it: `76 of 100 pulls left in a 6 h window`. */
export function rateLimitText(rateLimit: { remaining: number; limit?: number; windowSeconds?: number }): string {
  const of = rateLimit.limit !== undefined ? ` of ${rateLimit.limit}` : '';
  const pulls = rateLimit.remaining === 1 && rateLimit.limit === undefined ? 'pull' : 'pulls';
  const seconds = rateLimit.windowSeconds;
  const window = seconds === undefined ? '' : seconds % 3600 === 0 ? ` in a ${seconds / 3600} h window` : ` in a ${Math.round(seconds / 60)} min window`;
  return `${rateLimit.remaining}${of} ${pulls} left${window}`;
}
