/**
 * "Where the time goes" (issue 15): one short paragraph per run, worded from what was measured —
 * the sync's phases (connect / plan / execute, from its time-stamped output), the start's round
 * trips, the requests and what throttled them, against the ideal time of costModel.ts. Nothing
 * here is estimated that the results do not hold.
 */
import { DEFAULT_LIST_CONCURRENCY } from '../src/engine/syncOptions';
import { writeBudgetMs } from './costModel';
import { n, s } from './format';
import { sum } from './measure';
import { READS_PER_MINUTE } from './readCap';
import type { LabelledResult } from './results';
import type { ScenarioResult } from './scenario';
import { SOURCE, TARGET } from './world';
import { describeRetryWindows } from './retryWindows';

/** Under a registry read limit: the least time the busier registry's reads need (the bucket starts full with a minute's worth). */
function readLimitBound(r: ScenarioResult): string {
  const sku = r.spec.readLimitSku;
  if (sku === undefined) return '';
  const perMinute = READS_PER_MINUTE[sku];
  const reads = Math.max(
    sum(r.measured.counts, (service, _route, status) => service === `acr:${SOURCE}` && status !== 429),
    sum(r.measured.counts, (service, _route, status) => service === `acr:${TARGET}` && status !== 429),
  );
  return `; the ${sku} read limit, ${n(perMinute)} a minute, allows the busier registry's ${n(reads)} reads in ${s((Math.max(0, reads - perMinute) / perMinute) * 60_000)} s at best`;
}

/** One paragraph for a run: its phases, what each did, and the ideal each is measured against. */
export function whereTheTimeGoes({ label, result: r }: LabelledResult): string {
  const latencyMs = r.spec.latencyMs;
  const { connectMs, planMs, executeMs } = r.sync.phases;
  const m = r.measured;
  const parts: string[] = [];
  if (connectMs !== undefined) {
    const trips = r.startRoundTrips;
    parts.push(
      `${s(connectMs)} s sign-in and registry lookup` +
        (trips !== undefined ? ` (${trips} sequential round trips before the first listing: ${s(trips * latencyMs)} s of latency at ${latencyMs} ms)` : ''),
    );
  }
  const importRequests = m.importPosts + m.importPolls;
  if (planMs !== undefined) {
    parts.push(
      `${s(planMs)} s planning: ${n(m.listing)} listing pages of ${n(m.totalRequests - importRequests)} requests outside the imports, at up to ${2 * DEFAULT_LIST_CONCURRENCY} in flight` +
        (m.readThrottled > 0 ? `, ${n(m.readThrottled)} answered 429 by the read limit and retried` : '') +
        ` (ideal for the requests outside the imports ${s(r.ideal.listingMs)} s, the start's and the first listing's chain of ${s(r.ideal.chainMs)} s included${readLimitBound(r)})`,
    );
  }
  if (executeMs !== undefined) {
    if (m.importAccepted > 0 || m.importPosts > 0) {
      const bucket = r.spec.armWriteBucket;
      const budgetMs = bucket ? ((r.expected.groups - bucket.capacity) / bucket.refillPerSecond) * 1000 : writeBudgetMs(r.expected.groups);
      const budget = r.spec.armWriteThrottling && r.expected.groups > 0 ? `; the write budget alone${bucket ? ` (${bucket.capacity} burst, +${bucket.refillPerSecond}/s)` : ''} needs ${s(Math.max(0, budgetMs))} s` : '';
      parts.push(
        `${s(executeMs)} s importing and verifying: ${n(m.importAccepted)} imports at up to ${r.spec.importConcurrency} in flight (${n(m.importPosts)} POSTs, ${n(m.importThrottled)} throttled, ${n(m.importPolls)} polls; ideal ${s(r.ideal.importMs)} s${budget})`,
      );
    } else {
      parts.push(`${s(executeMs)} s verifying and reporting`);
    }
  }
  const phased = (connectMs ?? 0) + (planMs ?? 0) + (executeMs ?? 0);
  const rest = r.sync.runMs - phased;
  if (phased > 0 && rest >= 50) parts.push(`${s(rest)} s after the summary (report written, clients closed)`);
  const retries = r.retryWindows ? ` Throttled retries: ${describeRetryWindows(r.retryWindows)}.` : '';
  return (
    `**${label} ${n(r.expected.repositories)}**: ${s(r.sync.runMs)} s in all against an ideal ${s(r.ideal.totalMs)} s; ` +
    `${parts.join('; ')}. CPU of the sync ${s(r.sync.cpuUserMs + r.sync.cpuSystemMs)} s.${retries}`
  );
}
