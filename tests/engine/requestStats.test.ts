import { strict as assert } from 'node:assert';
import type { RequestStats } from '../../src/engine/ports';
import { renderReportMarkdown } from '../../src/reporting/markdown';
import { D } from './memoryRegistry';
import { setup } from './syncHarness';

describe('request statistics in the report', () => {
  it('are read when the run ends and reported as totals.requests', async () => {
    const { importer, run } = setup({ a: { t: D(1) }, b: { t: D(2) } });
    let reads = 0;
    const counted = (): RequestStats => {
      reads++;
      // What the adapters would have counted by now: more after each import.
      return { requests: 10 + importer.calls.length * 3, throttled: importer.calls.length, retried: 4 };
    };
    const report = await run({}, { requestStats: counted });
    assert.equal(reads, 1);
    assert.deepEqual(report.totals.requests, { total: 16, throttled: 2, retried: 4 });
    assert.match(renderReportMarkdown(report), /Requests: 16 sent · 2 throttled · 4 retried/);
  });

  it('are absent when the front end cannot count', async () => {
    const report = await setup({ a: { t: D(1) } }).run();
    assert.ok(!('requests' in report.totals));
    assert.doesNotMatch(renderReportMarkdown(report), /throttled/);
  });
});
