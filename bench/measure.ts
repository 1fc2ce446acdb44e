/**
 * Measurement: the requests the emulator logged, counted per service, route and status, and
 * summed into the figures a scenario reports (listing, tokens, imports, throttling…).
 */
import type { LoggedRequest } from '../testkit/emulator';
import type { Measured, RequestCounts } from './scenario';
import type { World } from './world';

export function countRequests(entries: readonly LoggedRequest[]): RequestCounts {
  const counts: RequestCounts = {};
  for (const e of entries) {
    const byRoute = (counts[e.service] ??= {});
    const byStatus = (byRoute[e.route] ??= {});
    byStatus[String(e.status)] = (byStatus[String(e.status)] ?? 0) + 1;
  }
  return counts;
}

/** Requests in `counts` whose service, route and status pass `filter`. */
export function sum(counts: RequestCounts, filter: (service: string, route: string, status: number) => boolean): number {
  let n = 0;
  for (const [service, routes] of Object.entries(counts)) {
    for (const [route, statuses] of Object.entries(routes)) {
      for (const [status, count] of Object.entries(statuses)) if (filter(service, route, Number(status))) n += count;
    }
  }
  return n;
}

const LISTING_ROUTES = new Set(['acr.catalog', 'acr.tags', 'acr.tagList']);
const PER_TAG_ROUTES = new Set(['acr.manifest', 'acr.tag', 'acr.manifestProperties', 'acr.manifests']);

export function measure(counts: RequestCounts, world: Pick<World, 'source' | 'target'>): Measured {
  const src = `acr:${world.source}`;
  const dst = `acr:${world.target}`;
  const isAcr = (s: string): boolean => s === src || s === dst;
  return {
    totalRequests: sum(counts, () => true),
    counts,
    // `acr.tagList` is the distribution API's tags/list: what a source read by address is listed with.
    listing: sum(counts, (s, r, st) => isAcr(s) && LISTING_ROUTES.has(r) && st !== 401 && st !== 429),
    challenges: sum(counts, (s, r, st) => isAcr(s) && st === 401 && r !== 'acr.token' && r !== 'acr.exchange'),
    perTagRequests: sum(counts, (s, r) => isAcr(s) && PER_TAG_ROUTES.has(r)),
    manifestListings: sum(counts, (s, r, st) => s === src && r === 'acr.manifests' && st !== 401 && st !== 429),
    manifestReads: sum(counts, (s, r, st) => s === src && r === 'acr.manifestProperties' && st !== 401 && st !== 429),
    repositoryReads: sum(counts, (s, r, st) => s === dst && r === 'acr.repository' && st !== 401 && st !== 429),
    lockManifestListings: sum(counts, (s, r, st) => s === dst && r === 'acr.manifests' && st !== 401 && st !== 429),
    lockManifestReads: sum(counts, (s, r, st) => s === dst && r === 'acr.manifestProperties' && st !== 401 && st !== 429),
    // A token request answered 429 is sent again: the retry is not a second token.
    sourceTokens: sum(counts, (s, r, st) => s === src && r === 'acr.token' && st !== 429),
    targetTokens: sum(counts, (s, r, st) => s === dst && r === 'acr.token' && st !== 429),
    exchanges: sum(counts, (s, r) => isAcr(s) && r === 'acr.exchange'),
    entraTokens: sum(counts, (s, r) => s === 'entra' && (r === 'entra.token' || r === 'entra.tokenV1')),
    armReads: sum(counts, (s, r) => s === 'arm' && r !== 'arm.importImage' && r !== 'arm.importImage.poll'),
    importPosts: sum(counts, (s, r) => s === 'arm' && r === 'arm.importImage'),
    importAccepted: sum(counts, (s, r, st) => s === 'arm' && r === 'arm.importImage' && st === 202),
    importThrottled: sum(counts, (s, r, st) => s === 'arm' && r === 'arm.importImage' && st === 429),
    importPolls: sum(counts, (s, r) => s === 'arm' && r === 'arm.importImage.poll'),
    readThrottled: sum(counts, (s, _r, st) => isAcr(s) && st === 429),
  };
}
