/**
 * Sequential round trips ("waves") in a request log, for the start-chain test and the
 * benchmark (issue 15: a start of a few round trips before the first listing).
 *
 * A request is in a later wave than every request that had finished (at the emulator) before
 * it arrived: a request that needs another's answer can only start after it. Only the order of
 * start and end times is compared, never a duration, so the figure is exact when requests sent
 * together arrive well within one latency of each other — at 400 ms always; at a few tens of
 * ms a loaded machine may let one arrive after another already finished and count one wave more.
 */
import type { LoggedRequest } from './api';

/** The wave of each request: 1 + the highest wave among the requests that finished before it arrived. */
export function requestWaves(entries: readonly LoggedRequest[]): Map<LoggedRequest, number> {
  const ordered = [...entries].sort((a, b) => a.startedAt - b.startedAt);
  const wave = new Map<LoggedRequest, number>();
  for (const entry of ordered) {
    let before = 0;
    for (const [earlier, w] of wave) if (earlier.finishedAt <= entry.startedAt) before = Math.max(before, w);
    wave.set(entry, before + 1);
  }
  return wave;
}

/** The routes that list: where a sync's start ends. */
const LISTING_ROUTES: ReadonlySet<string> = new Set(['acr.catalog', 'acr.tags', 'acr.tagList']);

export interface StartChain {
  /** Waves before the first listing's; undefined when nothing was listed. */
  roundTrips: number | undefined;
  /** Each request before the first listing as `<wave> <route> <status>`, in wave order. */
  chain: string[];
  /**
   * Of `roundTrips`, the waves that were only the authority's openid-configuration: MSAL asks a
   * custom authority (the emulator's) for it, never Entra ID's public hosts, whose endpoints it
   * carries (tests/azure/authorityDiscovery.test.ts). `roundTrips - authorityDiscovery` is the
   * start on Azure's own clouds.
   */
  authorityDiscovery: number;
}

/** Round trips before the first catalog or tag listing, and the chain that led to it. */
export function startChain(entries: readonly LoggedRequest[]): StartChain {
  // Only the requests that arrived before the first listing was answered can be part of the
  // start: the rest of a long run need not be compared (the wave count is quadratic).
  const listings = entries.filter((e) => LISTING_ROUTES.has(e.route));
  if (listings.length === 0) return { roundTrips: undefined, chain: [], authorityDiscovery: 0 };
  const firstListed = Math.min(...listings.map((e) => e.finishedAt));
  const wave = requestWaves(entries.filter((e) => e.startedAt <= firstListed));
  const first = Math.min(...[...wave].filter(([e]) => LISTING_ROUTES.has(e.route)).map(([, w]) => w));
  const chain = [...wave]
    .filter(([, w]) => w < first)
    .sort((a, b) => a[1] - b[1])
    .map(([e, w]) => `${w} ${e.route} ${e.status}`);
  const routesOfWave = new Map<number, Set<string>>();
  for (const [e, w] of wave) if (w < first) routesOfWave.set(w, (routesOfWave.get(w) ?? new Set()).add(e.route));
  const authorityDiscovery = [...routesOfWave.values()].filter((routes) => routes.size === 1 && routes.has('entra.openid')).length;
  return { roundTrips: first - 1, chain, authorityDiscovery };
}
