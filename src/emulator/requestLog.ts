/**
 * What reached the emulator, for tests and benchmarks to assert on. Entries carry no
 * credentials: the Authorization header is never read into the log, token routes never log
 * their form bodies, and only importImage bodies (which hold none) are kept.
 */
import type { LoggedRequest, RequestLog, RouteName } from './api';

export class RequestLogBook implements RequestLog {
  private list: LoggedRequest[] = [];
  private seq = 0;

  record(entry: Omit<LoggedRequest, 'seq'>): void {
    this.list.push({ seq: ++this.seq, ...entry });
  }

  entries(): readonly LoggedRequest[] {
    return this.list;
  }

  count(route: RouteName, status?: number): number {
    return this.list.filter((e) => e.route === route && (status === undefined || e.status === status)).length;
  }

  countsByRoute(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const e of this.list) counts[e.route] = (counts[e.route] ?? 0) + 1;
    return counts;
  }

  clear(): void {
    this.list = [];
  }
}
