/**
 * Issue 15's throttling target, measured at the emulator: every request refused with 429 and
 * a `Retry-After` must be sent again no sooner than `Retry-After` and no later than
 * 1.2 × `Retry-After` after its refusal.
 *
 * Pure: it reads the emulator's request log. Times are the emulator's (testkit/emulator/http.ts):
 * `startedAt` is when it began handling a request (headers read, before the injected latency),
 * `answeredAt` when it handed the answer to the connection (after the latency; `finishedAt`,
 * when that write completed, can be later by the emulator's own event-loop delays, and a gap
 * measured from it read 10 ms short in a burst of 429s). So the gap from a refusal's
 * `answeredAt` to its retry's `startedAt` holds no injected latency: it is the client's wait
 * plus loopback transport plus event-loop delays of both processes. A correct client's gap is
 * therefore never below `Retry-After` (less the log's 1 ms clock resolution), and may exceed
 * 1.2 × `Retry-After` by those delays alone: `lateSlackMs` allows for them.
 */
import type { AcrTokenRequestRecord, LoggedRequest } from '../testkit/emulator/api';

/** The log's timestamps are whole milliseconds (Date.now()): a gap can read up to 2 ms short. */
export const CLOCK_RESOLUTION_MS = 2;
/** Loopback transport and event-loop delays a retry may add beyond 1.2 × Retry-After (2-core machine, emulator in the bench's process). */
export const DEFAULT_LATE_SLACK_MS = 25;
/** The window of issue 15, as multiples of Retry-After. */
export const WINDOW = { from: 1.0, to: 1.2 } as const;

export interface RetryGap {
  service: string;
  route: string;
  /** What identifies the request sent again (see `requestIdentity`). */
  identity: string;
  retryAfterMs: number;
  /** Retry's startedAt − refusal's answeredAt (finishedAt in a log without it). */
  gapMs: number;
  /** gapMs ÷ retryAfterMs. */
  ratio: number;
}

export interface RetryWindowSummary {
  /** Answers 429 carrying a Retry-After (in seconds). */
  refusals: number;
  /** 429s without a usable Retry-After (not judged). */
  refusalsWithoutRetryAfter: number;
  retried: number;
  /** Refusals whose request was never sent again in the log (the run gave it up, or ended). */
  neverRetried: number;
  /** Retries in [Retry-After − clock resolution, 1.2 × Retry-After + slack]. */
  within: number;
  early: number;
  late: number;
  /** Gap ÷ Retry-After over the retries; undefined when none. */
  minRatio?: number;
  medianRatio?: number;
  maxRatio?: number;
  /** The late slack the verdict allowed, ms. */
  lateSlackMs: number;
  /** Refusals per service and route, e.g. `arm arm.importImage: 12`. */
  byRoute: Record<string, number>;
  /** Up to five retries outside the window, earliest and latest first. */
  outside: RetryGap[];
}

/**
 * What makes two log entries the same request: service, method and route, and then
 * - importImage: its body (source image, target tags, mode), since every import POSTs to one URL;
 * - a registry token POST: the scopes asked (logged even when the read limit refused it);
 * - anything else: path and query.
 */
export function requestIdentity(e: LoggedRequest): string {
  const head = `${e.service} ${e.method} ${e.route}`;
  if (e.route === 'arm.importImage') return `${head} ${JSON.stringify(e.body ?? null)}`;
  if (e.route === 'acr.token' && e.method === 'POST') {
    const scopes = (e.body as AcrTokenRequestRecord | undefined)?.scopes;
    return `${head} ${scopes ? [...scopes].sort().join(' ') : '?'}`;
  }
  return `${head} ${e.url}`;
}

/** Retry-After in ms when it is a number of seconds (ARM and ACR send whole seconds). */
function retryAfterMsOf(e: LoggedRequest): number | undefined {
  if (e.retryAfter === undefined || !/^\d+(\.\d+)?$/.test(e.retryAfter.trim())) return undefined;
  const ms = Number(e.retryAfter) * 1000;
  return ms > 0 ? ms : undefined;
}

function median(sorted: readonly number[]): number | undefined {
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Each 429 with a Retry-After matched to its retry: the first later request of the same
 * identity that arrived after the refusal was flushed (one sent before could not be a retry).
 */
export function retryWindows(entries: readonly LoggedRequest[], lateSlackMs = DEFAULT_LATE_SLACK_MS): RetryWindowSummary {
  const byIdentity = new Map<string, LoggedRequest[]>();
  for (const e of entries) {
    const key = requestIdentity(e);
    const list = byIdentity.get(key);
    if (list) list.push(e);
    else byIdentity.set(key, [e]);
  }
  for (const list of byIdentity.values()) list.sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);

  const gaps: RetryGap[] = [];
  const byRoute: Record<string, number> = {};
  let refusals = 0;
  let withoutRetryAfter = 0;
  let neverRetried = 0;
  for (const e of entries) {
    if (e.status !== 429) continue;
    const retryAfterMs = retryAfterMsOf(e);
    if (retryAfterMs === undefined) {
      withoutRetryAfter++;
      continue;
    }
    refusals++;
    byRoute[`${e.service} ${e.route}`] = (byRoute[`${e.service} ${e.route}`] ?? 0) + 1;
    const identity = requestIdentity(e);
    const refusedAt = e.answeredAt ?? e.finishedAt;
    const retry = (byIdentity.get(identity) ?? []).find((x) => x !== e && x.startedAt >= refusedAt);
    if (!retry) {
      neverRetried++;
      continue;
    }
    const gapMs = retry.startedAt - refusedAt;
    gaps.push({ service: e.service, route: e.route, identity, retryAfterMs, gapMs, ratio: gapMs / retryAfterMs });
  }
  const isEarly = (g: RetryGap): boolean => g.gapMs < WINDOW.from * g.retryAfterMs - CLOCK_RESOLUTION_MS;
  const isLate = (g: RetryGap): boolean => g.gapMs > WINDOW.to * g.retryAfterMs + lateSlackMs;
  const ratios = gaps.map((g) => g.ratio).sort((a, b) => a - b);
  const early = gaps.filter(isEarly).sort((a, b) => a.ratio - b.ratio);
  const late = gaps.filter(isLate).sort((a, b) => b.ratio - a.ratio);
  const medianRatio = median(ratios);
  return {
    refusals,
    refusalsWithoutRetryAfter: withoutRetryAfter,
    retried: gaps.length,
    neverRetried,
    within: gaps.length - early.length - late.length,
    early: early.length,
    late: late.length,
    ...(ratios.length > 0 ? { minRatio: ratios[0], maxRatio: ratios[ratios.length - 1] } : {}),
    ...(medianRatio !== undefined ? { medianRatio } : {}),
    lateSlackMs,
    byRoute,
    outside: [...early.slice(0, 2), ...late.slice(0, 3)],
  };
}

/** Met when there were refusals, every one was retried, and every retry fell inside the window. */
export function retriesWithinWindow(s: RetryWindowSummary): boolean {
  return s.refusals > 0 && s.neverRetried === 0 && s.early === 0 && s.late === 0;
}

/** One line for the report: counts and the spread of gap ÷ Retry-After. */
export function describeRetryWindows(s: RetryWindowSummary): string {
  if (s.refusals === 0) return `no 429 with Retry-After${s.refusalsWithoutRetryAfter > 0 ? ` (${s.refusalsWithoutRetryAfter} without one)` : ''}`;
  const spread = s.minRatio !== undefined ? `; gap ÷ Retry-After min ${s.minRatio.toFixed(2)}, median ${(s.medianRatio ?? 0).toFixed(2)}, max ${(s.maxRatio ?? 0).toFixed(2)}` : '';
  const outside = s.outside.map((g) => `${g.route} ${(g.gapMs / 1000).toFixed(2)} s after Retry-After ${g.retryAfterMs / 1000} s`).join(', ');
  return (
    `${s.refusals} refusals, ${s.retried} retried, ${s.within} inside [${WINDOW.from}, ${WINDOW.to}] × Retry-After (+${s.lateSlackMs} ms), ${s.early} early, ${s.late} late, ${s.neverRetried} never retried${spread}` +
    (outside !== '' ? `; outside: ${outside}` : '')
  );
}
