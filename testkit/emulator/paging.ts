/**
 * Data-plane paging as ACR does it: `n` items per page (default 100, capped at 1000), the
 * page after `last`, and the next page in a `Link` header relative to the registry host, in
 * exactly the recorded form: `</acr/v1/_catalog?last=library%2Fbusybox&n=1&orderby=>; rel="next"`.
 * The Link repeats `n` and `orderby` because clients (az) replay its query as is.
 */

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function pageSizeOf(query: URLSearchParams): number {
  const n = Number.parseInt(query.get('n') ?? '', 10);
  if (!Number.isFinite(n) || n < 1) return DEFAULT_PAGE_SIZE;
  return Math.min(n, MAX_PAGE_SIZE);
}

export interface Page<T> {
  items: T[];
  /** The `Link` header value when more items follow. */
  link?: string;
}

/** The index of the first item whose key sorts after `last` (items sorted by key). */
function firstAfter<T>(sorted: readonly T[], keyOf: (item: T) => string, last: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(sorted[mid]) <= last) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One page of `ordered` after the item whose key is `last`. When `last` names no item, the
 * page starts after the keys that sort before it by name (what a name-ordered listing does).
 * `sortedByKey` says the items are in key order, so `last` is found by bisection instead of
 * a scan (a catalog walk then costs O(log n) per page, not O(n)).
 */
export function pageOf<T>(ordered: readonly T[], keyOf: (item: T) => string, query: URLSearchParams, linkPath: string, sortedByKey = false): Page<T> {
  const n = pageSizeOf(query);
  const last = query.get('last');
  let start = 0;
  if (last !== null && last !== '') {
    if (sortedByKey) {
      start = firstAfter(ordered, keyOf, last);
    } else {
      const at = ordered.findIndex((i) => keyOf(i) === last);
      start = at >= 0 ? at + 1 : ordered.findIndex((i) => keyOf(i) > last);
      if (start < 0) start = ordered.length;
    }
  }
  const items = ordered.slice(start, start + n);
  if (start + n >= ordered.length || items.length === 0) return { items };
  const lastKey = keyOf(items[items.length - 1]);
  const orderby = query.get('orderby') ?? '';
  return {
    items,
    link: `<${linkPath}?last=${encodeURIComponent(lastKey)}&n=${n}&orderby=${encodeURIComponent(orderby)}>; rel="next"`,
  };
}

/** Whether an `orderby` value asks for time order (else the listing is by key). */
export function byTime(orderby: string | null): boolean {
  const o = (orderby ?? '').toLowerCase();
  return o === 'timedesc' || o === 'timeasc';
}

/** Sorts in place by the `orderby` the tag and manifest listings accept (timedesc, timeasc, else by key). */
export function ordered<T>(items: T[], keyOf: (item: T) => string, timeOf: (item: T) => number, orderby: string | null): T[] {
  const byKey = (a: T, b: T): number => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);
  switch ((orderby ?? '').toLowerCase()) {
    case 'timedesc':
      return items.sort((a, b) => timeOf(b) - timeOf(a) || byKey(a, b));
    case 'timeasc':
      return items.sort((a, b) => timeOf(a) - timeOf(b) || byKey(a, b));
    default:
      return items.sort(byKey);
  }
}
