import { strict as assert } from 'node:assert';
import { minutesText } from '../../src/engine/importTimeout';
import { D } from './memoryRegistry';
import { setup } from './syncHarness';
import { MINUTE, VirtualClock } from './virtualClock';

describe('import time limit', () => {
  function hangingSetup(ignoreSignal: boolean) {
    const clock = new VirtualClock();
    const harness = setup({ a: { t: D(1) }, b: { t: D(2) }, c: { t: D(3) } });
    harness.importer.now = () => clock.now();
    harness.importer.wait = (request, signal) => {
      if (request.sourceDigest !== D(2)) return clock.sleep(0.2 * MINUTE);
      // An import that never finishes: it ends only if it honours the signal, or never.
      if (ignoreSignal) return new Promise<void>(() => undefined);
      return new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(new Error('polling stopped')), { once: true }));
    };
    return { clock, ...harness };
  }

  it('fails an import that runs out of time with a clear message; the rest goes on', async () => {
    const { clock, importer, target, run } = hangingSetup(false);
    const report = await run({ importTimeoutMinutes: '30' }, { clock });

    const hung = report.repositories.find((r) => r.name === 'b');
    assert.equal(hung?.status, 'failed');
    assert.equal(hung?.imports[0].outcome, 'failed');
    assert.equal(hung?.imports[0].error, 'did not finish within 30 minutes; stopped waiting for it');
    assert.equal(hung?.imports[0].durationMs, 30 * MINUTE);
    assert.equal(hung?.tags[0].error, 'did not finish within 30 minutes; stopped waiting for it');
    assert.deepEqual(target.snapshot(), { a: { t: D(1) }, c: { t: D(3) } });
    assert.equal(report.result, 'failed');
    assert.equal(report.totals.repositories.remaining, 1);
    const signal = importer.signals[importer.calls.findIndex((c) => c.sourceDigest === D(2))];
    assert.equal(signal?.aborted, true, 'the importer was told to stop polling');
    assert.ok(importer.signals.filter((s) => s !== signal).every((s) => s?.aborted === false), 'imports that finished in time were not aborted');
    assert.equal(clock.pending, 0, 'no time limit is left waiting');
  });

  it('stops waiting even for an importer that ignores the signal', async () => {
    const { clock, run } = hangingSetup(true);
    const report = await run({ importTimeoutMinutes: '0.5' }, { clock });
    assert.equal(report.repositories.find((r) => r.name === 'b')?.imports[0].error, 'did not finish within 0.5 minutes; stopped waiting for it');
    assert.deepEqual(report.repositories.map((r) => r.status), ['done', 'failed', 'done']);
  });

  it('lets an import that finishes just within the limit succeed (default 30 minutes)', async () => {
    const clock = new VirtualClock();
    const { importer, run } = setup({ a: { t: D(1) } });
    importer.wait = () => clock.sleep(29.9 * MINUTE);
    const report = await run({}, { clock });
    assert.equal(report.result, 'succeeded');
    assert.equal(report.limits.importTimeoutMinutes, 30);
    assert.equal(report.repositories[0].imports[0].durationMs, 29.9 * MINUTE);
  });

  it('keeps a service failure as the service said it, not as a time-out', async () => {
    const clock = new VirtualClock();
    const { importer, run } = setup({ a: { t: D(1) } });
    importer.wait = () => clock.sleep(MINUTE);
    importer.failures.set(D(1), 'Error copying blobs');
    const report = await run({ importTimeoutMinutes: '5' }, { clock });
    assert.equal(report.repositories[0].imports[0].error, 'Error copying blobs');
  });

  it('writes minutes as people do', () => {
    assert.equal(minutesText(1), '1 minute');
    assert.equal(minutesText(0.5), '0.5 minutes');
    assert.equal(minutesText(30), '30 minutes');
  });
});
