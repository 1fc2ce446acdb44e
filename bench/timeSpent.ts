/**
 * "Where the time goes" (issue 15): one short paragraph per run, worded from what was measured —
 * the sync's phases (connect / plan / execute, from its time-stamped output), the start's round
 * trips, the requests and what throttled them, against the ideal time of costModel.ts. Nothing
 * here is estimated that the results do not hold.
 */
import { DEFAULT_LIST_CONCURRENCY } from '../src/engine/syncOptions';
import { writeBudgetMs } from './costModel';
import { n, s } from './format';
import type { LabelledResult } from './results';
import { describeRetryWindows } from './retryWindows';

/** One paragraph for a run: its phases, what each did, and the ideal each is measured against. */
export function whereTheTimeGoes({ label, result: r }: LabelledResult, latencyMs: number): string {
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
        ` (ideal for those requests ${s(r.ideal.listingMs)} s)`,
    );
  }
  if (executeMs !== undefined) {
    if (m.importAccepted > 0 || m.importPosts > 0) {
      const budget = r.spec.armWriteThrottling && r.expected.groups > 0 ? `; ARM's write budget alone needs ${s(Math.max(0, writeBudgetMs(r.expected.groups)))} s` : '';
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
