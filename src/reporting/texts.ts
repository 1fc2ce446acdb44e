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
