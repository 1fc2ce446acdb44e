import { strict as assert } from 'node:assert';
import { Limiter } from '../../../src/azure/oci/limiter';

describe('azure/oci: the limiter of HEADs in flight', () => {
  it('runs at most `limit` tasks at once, the others in arrival order as slots free up', async () => {
    const limiter = new Limiter(2);
    const gates = Array.from({ length: 5 }, () => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      return { gate, open };
    });
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const all = gates.map(({ gate }, i) =>
      limiter.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await gate;
        running -= 1;
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1]);
    gates[1].open();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1, 2]);
    for (const { open } of gates) open();
    assert.deepEqual(await Promise.all(all), [0, 1, 2, 3, 4]);
    assert.equal(most, 2);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
  });

  it('frees the slot of a task that fails', async () => {
    const limiter = new Limiter(1);
    await assert.rejects(limiter.run(() => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await limiter.run(() => Promise.resolve('next')), 'next');
  });

  it('refuses a limit below 1', () => {
    assert.throws(() => new Limiter(0), RangeError);
    assert.throws(() => new Limiter(1.5), RangeError);
  });
});
