import type { Clock } from './clock';

/**
 * Runs jobs in the order they were given, at most `maxConcurrent` at once, and starts them at
 * least `minSpacingMs` apart — both at once. Imports use it (`max concurrency`, `delay
 * seconds`) and so does planning (listings at once). It waits on the engine's clock rather than
 * on Node's timers, so the time budget, the delay between starts and the tests' virtual time
 * all agree.
 */
export class Pacer {
  private active = 0;
  /** Waiting jobs from `head` on; a moving head instead of shift(), which is O(n) per call. */
  private queue: Array<() => void> = [];
  private head = 0;
  private nextStartAt = -Infinity;
  private waitingForSpacing = false;

  constructor(
    private readonly maxConcurrent: number,
    private readonly minSpacingMs: number,
    private readonly clock: Clock,
  ) {}

  /** How many jobs may run at once. */
  get slots(): number {
    return this.maxConcurrent;
  }

  /** Jobs given and not yet started. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => {
        Promise.resolve()
          .then(job)
          .then(resolve, reject)
          .finally(() => {
            this.active--;
            this.startWhatCan();
          });
      });
      this.startWhatCan();
    });
  }

  private startWhatCan(): void {
    while (!this.waitingForSpacing && this.active < this.maxConcurrent && this.head < this.queue.length) {
      const wait = this.nextStartAt - this.clock.now();
      if (wait > 0) {
        this.waitingForSpacing = true;
        this.clock.after(wait, () => {
          this.waitingForSpacing = false;
          this.startWhatCan();
        });
        return;
      }
      const start = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.active++;
      this.nextStartAt = this.clock.now() + this.minSpacingMs;
      start();
    }
  }
}
