/**
 * Virtual time for the engine's unit tests: timers wait on a clock that only moves when the test
 * is idle, so a run with a 50-minute budget and 10-minute imports takes milliseconds. Only for
 * runs whose registries answer without real timers (the in-memory ones do).
 */
import type { Clock } from '../../src/engine/clock';

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

export const MINUTE = 60_000;

export class VirtualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start = Date.UTC(2026, 10, 28, 10, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, callback: () => void): () => void {
    const timer = { at: this.current + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Resolves after `ms` of virtual time; rejects with the signal's reason when it fires first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const cancel = this.after(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason as Error);
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves to the earliest timer and fires every timer due then. False when none is waiting. */
  fireNext(): boolean {
    if (this.timers.length === 0) return false;
    const at = Math.min(...this.timers.map((t) => t.at));
    this.current = Math.max(this.current, at);
    const due = this.timers.filter((t) => t.at <= this.current).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.timers = this.timers.filter((t) => t.at > this.current);
    for (const timer of due) timer.callback();
    return true;
  }
}

/**
 * Lets every promise chain run: the engine waits only on promises and its clock, so once two
 * turns of the event loop pass with nothing new, only the clock can move the run on.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Runs `work`, moving the clock to the next virtual timer whenever everything else is idle. */
export async function runInVirtualTime<T>(clock: VirtualClock, work: Promise<T>): Promise<T> {
  let done = false;
  work.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    await settle();
    if (done) break;
    if (!clock.fireNext()) throw new Error('the run is stuck: nothing is waiting on the clock and the work has not finished');
  }
  return work;
}
