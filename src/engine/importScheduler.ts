import Bottleneck from 'bottleneck';

/**
 * Paces importImage calls: at most `maxConcurrency` in flight, and starts at least
 * `delaySeconds` apart. Both hold at once (Bottleneck's maxConcurrent and minTime).
 */
export class ImportScheduler {
  private readonly limiter: Bottleneck;

  constructor(maxConcurrency: number, delaySeconds: number) {
    this.limiter = new Bottleneck({ maxConcurrent: maxConcurrency, minTime: Math.round(delaySeconds * 1000) });
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    return this.limiter.schedule(job);
  }
}
