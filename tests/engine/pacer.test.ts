import { strict as assert } from 'node:assert';
import { Pacer } from '../../src/engine/pacer';
import { runInVirtualTime, VirtualClock } from './virtualClock';

describe('Pacer', () => {
  it('runs jobs in order, at most N at once, starts at least the spacing apart (on the clock)', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const pacer = new Pacer(2, 5_000, clock);
    const starts: Array<[number, number]> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const job = (n: number, ms: number) => () => {
      starts.push([n, (clock.now() - t0) / 1000]);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return clock.sleep(ms).then(() => {
        inFlight--;
        return n;
      });
    };
    const results = await runInVirtualTime(clock, Promise.all([pacer.run(job(1, 20_000)), pacer.run(job(2, 1_000)), pacer.run(job(3, 1_000)), pacer.run(job(4, 1_000))]));
    assert.deepEqual(results, [1, 2, 3, 4]);
    // 1 at 0 s; 2 at 5 s (spacing) ends at 6 s; 3 at 10 s (spacing); 4 at 15 s.
    assert.deepEqual(starts, [
      [1, 0],
      [2, 5],
      [3, 10],
      [4, 15],
    ]);
    assert.equal(maxInFlight, 2);
  });

  it('waits for a free slot when all are busy, and passes failures through', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const pacer = new Pacer(1, 0, clock);
    const order: string[] = [];
    const failing = pacer.run(() => clock.sleep(1_000).then(() => Promise.reject(new Error('boom'))));
    const next = pacer.run(() => {
      order.push(`second at ${clock.now() - t0} ms`);
      return Promise.resolve('ok');
    });
    await runInVirtualTime(clock, Promise.allSettled([failing, next]));
    await assert.rejects(failing, /boom/);
    assert.equal(await next, 'ok');
    assert.deepEqual(order, ['second at 1000 ms'], 'the second job waited for the only slot');
  });
});
