/**
 * What reached the emulator, for tests and benchmarks to assert on. Entries carry no
 * credentials: the Authorization header is never read into the log, token routes never log
 * their form bodies, and only importImage bodies (which hold none) are kept.
 *
 * Counters per route and status are kept apart from the entries, so `count` costs nothing
 * however long the run, and a benchmark can switch entries off (`keepEntries: false`)
 * without losing exact counts.
 */
import type { LoggedRequest, RequestLog, RouteName } from './api';

export class RequestLogBook implements RequestLog {
  private list: LoggedRequest[] = [];
  private seq = 0;
  /** route -> status -> count */
  private counters = new Map<string, Map<number, number>>();

  constructor(private readonly keepEntries = true) {}

  record(entry: Omit<LoggedRequest, 'seq'>): void {
    this.seq += 1;
    if (this.keepEntries) this.list.push({ seq: this.seq, ...entry });
    let byStatus = this.counters.get(entry.route);
    if (!byStatus) {
      byStatus = new Map();
      this.counters.set(entry.route, byStatus);
    }
    byStatus.set(entry.status, (byStatus.get(entry.status) ?? 0) + 1);
  }

  entries(): readonly LoggedRequest[] {
    return this.list;
  }

  count(route: RouteName, status?: number): number {
    const byStatus = this.counters.get(route);
    if (!byStatus) return 0;
    if (status !== undefined) return byStatus.get(status) ?? 0;
    let total = 0;
    for (const n of byStatus.values()) total += n;
    return total;
  }

  countsByRoute(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const route of this.counters.keys()) counts[route] = this.count(route as RouteName);
    return counts;
  }

  clear(): void {
    this.list = [];
    this.counters = new Map();
  }
}
