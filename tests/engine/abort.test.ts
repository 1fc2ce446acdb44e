/**
 * The one abort race, shared by the engine (import time limits, planning cut short) and the
 * registry token provider (one caller giving up on a shared token request).
 */
import { strict as assert } from 'node:assert';
import { unlessAborted } from '../../src/engine/abort';

describe('unlessAborted', () => {
  it('without a signal is the work itself', async () => {
    const work = Promise.resolve(7);
    assert.equal(unlessAborted(work, undefined), work);
    assert.equal(await unlessAborted(work, undefined), 7);
  });

  it('rejects with the reason the signal was aborted with, when that is an error', async () => {
    const limit = new AbortController();
    const reason = new Error('did not finish within 1 minute');
    const never = new Promise<never>(() => undefined);
    const waiting = unlessAborted(never, limit.signal);
    limit.abort(reason);
    await assert.rejects(waiting, (e: unknown) => e === reason);
  });

  it('rejects with an AbortError when the signal carries no error', async () => {
    const listeners: Array<() => void> = [];
    const signal = { aborted: false, addEventListener: (_: 'abort', l: () => void) => listeners.push(l), removeEventListener: () => undefined };
    const waiting = unlessAborted(new Promise<never>(() => undefined), signal);
    signal.aborted = true;
    listeners.forEach((l) => l());
    await assert.rejects(waiting, (e: unknown) => e instanceof Error && e.name === 'AbortError');
    await assert.rejects(unlessAborted(Promise.resolve(1), { ...signal, aborted: true, reason: 'gone' }), (e: unknown) => e instanceof Error && e.name === 'AbortError');
  });

  it('passes the work through when it settles first, and swallows its late failure', async () => {
    const controller = new AbortController();
    assert.equal(await unlessAborted(Promise.resolve('done'), controller.signal), 'done');
    await assert.rejects(unlessAborted(Promise.reject(new Error('refused')), controller.signal), /refused/);
    let rejectLate: (e: Error) => void = () => undefined;
    const late = new Promise<never>((_, reject) => (rejectLate = reject));
    const waiting = unlessAborted(late, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    rejectLate(new Error('late'));
    await new Promise((resolve) => setImmediate(resolve));
  });
});
