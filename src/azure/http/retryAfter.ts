/**
 * How long a 429 or 503 asks to wait, read as core-rest-pipeline's throttling retry strategy
 * reads it (`retry-after-ms`, then `x-ms-retry-after-ms`, then `Retry-After` in seconds or as
 * an HTTP date), so a bucket holds its requests exactly as long as the SDK waits before the
 * retry: a different reading would let one go before the other.
 */

const MS_HEADERS = ['retry-after-ms', 'x-ms-retry-after-ms'] as const;

/** The wait asked for in ms (0 when the answer asks for none, or nothing readable). */
export function retryAfterOf(headers: { get(name: string): string | undefined }, now: number = Date.now()): number {
  for (const name of MS_HEADERS) {
    const ms = numberOf(headers.get(name));
    if (ms !== undefined) return Math.max(0, ms);
  }
  const text = headers.get('retry-after');
  const seconds = numberOf(text);
  if (seconds !== undefined) return Math.max(0, seconds * 1000);
  if (text === undefined || text.trim() === '') return 0;
  const date = Date.parse(text);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}

function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
