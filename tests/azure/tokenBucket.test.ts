/**
 * The client-side token bucket on a manual clock: full at start, waiters served in order as
 * tokens come back, the service's remaining figure lowering it (into debt when requests are
 * already out), a 429 emptying it and holding new requests while the refused one's retry goes
 * at its time, and an abort leaving the queue. (Concurrent 429s: throttledRetry.test.ts.)
 */
import { strict as assert } from 'node:assert';
import { TokenBucket } from '../../src/azure/http/tokenBucket';
import { ManualClock, settle } from './support/manualClock';

function track(promise: Promise<void>): { done: boolean; error?: unknown } {
  const state: { done: boolean; error?: unknown } = { done: false };
  promise.then(
    () => {
      state.done = true;
    },
    (error: unknown) => {
      state.error = error;
    },
  );
  return state;
}

describe('azure/tokenBucket', () => {
  it('starts full, lets a burst of capacity through at once, then one per refill interval, in order', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 10 }, clock);
    for (let i = 0; i < 3; i++) await bucket.take();
    assert.ok(bucket.level < 1);

    const order: number[] = [];
    const waits = [0, 1, 2].map((i) => bucket.take().then(() => order.push(i)));
    await settle();
    assert.deepEqual(order, [], 'nobody goes before a token is back');
    assert.equal(bucket.waiting, 3);
    await clock.advance(99);
    assert.deepEqual(order, []);
    await clock.advance(1);
    assert.deepEqual(order, [0], 'one token after 100 ms at 10 per second');
    await clock.advance(200);
    await Promise.all(waits);
    assert.deepEqual(order, [0, 1, 2], 'first come, first served');
    assert.equal(clock.pendingTimers, 0, 'no timer left behind');
  });

  it('refills up to its capacity and no further', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 2 }, clock);
    for (let i = 0; i < 5; i++) await bucket.take();
    await clock.advance(1000);
    assert.equal(bucket.level, 2);
    await clock.advance(60_000);
    assert.equal(bucket.level, 5);
  });

  it('lowers its level to what the service reports, never raises it, and pays back a debt', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 200, refillPerSecond: 10 }, clock);
    bucket.lowerTo(150);
    assert.equal(bucket.level, 150);
    bucket.lowerTo(180);
    assert.equal(bucket.level, 150, 'a higher figure changes nothing');
    bucket.lowerTo(-3);
    assert.equal(bucket.level, -3, 'requests already out spent tokens the service did not have');
    const next = track(bucket.take());
    await clock.advance(399);
    assert.equal(next.done, false, 'four tokens must come back first (-3 → 1)');
    await clock.advance(1);
    assert.equal(next.done, true);
    bucket.lowerTo(-10_000);
    assert.equal(bucket.level, -200, 'the debt is bounded by one bucket');
  });

  it('is emptied by a 429 and wakes its waiters when tokens come back', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 5 }, clock);
    bucket.empty();
    assert.equal(bucket.level, 0);
    const waiter = track(bucket.take());
    await clock.advance(199);
    assert.equal(waiter.done, false);
    await clock.advance(1);
    assert.equal(waiter.done, true);
  });

  it('gives up a wait on abort without taking a token, and the next waiter moves up', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 }, clock);
    await bucket.take();
    const controller = new AbortController();
    const first = track(bucket.take(controller.signal));
    const second = track(bucket.take());
    controller.abort();
    await settle();
    assert.ok(first.error instanceof Error && first.error.name === 'AbortError');
    assert.equal(bucket.waiting, 1);
    await clock.advance(1000);
    assert.equal(second.done, true, 'the aborted wait left its token to the next one');
    await assert.rejects(bucket.take(AbortSignal.abort()), { name: 'AbortError' });
  });

  it('never hands out its reserve', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 10 }, clock, 2);
    for (let i = 0; i < 3; i++) await bucket.take();
    const fourth = track(bucket.take());
    await clock.advance(99);
    assert.equal(fourth.done, false, 'two tokens left, both in reserve');
    await clock.advance(1);
    assert.equal(fourth.done, true);
    assert.ok(bucket.level >= 2 - 1e-9);
  });

  it('after a refusal holds new requests for the Retry-After, refills from empty, and lets the refused retry through at its time', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 4 }, clock);
    const t0 = clock.now();
    assert.equal(bucket.throttled(1000), t0 + 1000, 'the retry is due after the Retry-After');
    assert.equal(bucket.level, 0);
    assert.equal(bucket.refillPerSecond, 2);
    const fresh = track(bucket.take());
    const retry = track(bucket.takeRetry(t0 + 1000));
    await clock.advance(999);
    assert.equal(retry.done, false);
    assert.equal(bucket.level, 0, 'nothing comes back during the hold');
    await clock.advance(1);
    assert.equal(retry.done, true, 'the retry goes at its time, ahead of the new request');
    assert.equal(bucket.level, -1, 'and the service counts it');
    await clock.advance(999);
    assert.equal(fresh.done, false, 'two tokens at 2 per second: 1 s after the hold');
    await clock.advance(1);
    assert.equal(fresh.done, true);
  });

  it('gives up a retry wait on abort', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1 }, clock);
    const due = bucket.throttled(5000);
    const controller = new AbortController();
    const retry = track(bucket.takeRetry(due, controller.signal));
    controller.abort();
    await settle();
    assert.ok(retry.error instanceof Error && retry.error.name === 'AbortError');
    assert.equal(bucket.level, 0, 'no token spent');
    await assert.rejects(bucket.takeRetry(due, AbortSignal.abort()), { name: 'AbortError' });
  });

  it('refuses settings that would never let a request through', () => {
    assert.throws(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 }), RangeError);
    assert.throws(() => new TokenBucket({ capacity: 1, refillPerSecond: 0 }), RangeError);
    assert.throws(() => new TokenBucket({ capacity: 3, refillPerSecond: 1 }, undefined, 3), RangeError);
  });
});
