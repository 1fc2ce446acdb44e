/** The engine's Clock for unit tests of the adapters: time moves only when a test says so. */
import type { Clock } from '../../../src/engine/clock';

/** A clock that only moves when told, running due timers as it goes. */
export class ManualClock implements Clock {
  private t = 1_000_000;
  private timers: { at: number; callback: () => void; live: boolean }[] = [];

  now(): number {
    return this.t;
  }

  after(ms: number, callback: () => void): () => void {
    const timer = { at: this.t + ms, callback, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** Moves time forward, firing timers in order, then lets promise callbacks run. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      due.live = false;
      due.callback();
      await settle();
    }
    this.t = end;
    this.timers = this.timers.filter((x) => x.live);
    await settle();
  }

  /** When the next live timer is due, if any. */
  get nextDue(): number | undefined {
    const due = this.timers.filter((x) => x.live).map((x) => x.at);
    return due.length > 0 ? Math.min(...due) : undefined;
  }

  get pendingTimers(): number {
    return this.timers.filter((x) => x.live).length;
  }
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** Lets every promise chain that can run now run to its end (a macrotask turn), virtual time standing still. */
export function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Moves the clock timer by timer up to `end`, draining between timers, so that whatever a
 * timer starts happens at that timer's virtual time however many promise turns it takes.
 */
export async function runUntil(clock: ManualClock, end: number): Promise<void> {
  await drain();
  for (let next = clock.nextDue; next !== undefined && next <= end; next = clock.nextDue) {
    await clock.advance(Math.max(0, next - clock.now()));
    await drain();
  }
  await clock.advance(Math.max(0, end - clock.now()));
  await drain();
}

