/**
 * The heap's growing factor (decision 017) is set for the run's process unless its owner set
 * one. The flag is checked on a child Node, so this test process keeps V8's own settings.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { boundHeapGrowth } from '../../src/lifecycle/heapGrowth';

const MODULE = join(__dirname, '../../src/lifecycle/heapGrowth.js');

/** Full collections in a fresh Node that allocates fast and keeps a little, with or without the bound. */
function fullCollectionsInChild(bound: boolean): number {
  const script = `
    if (${bound}) require(${JSON.stringify(MODULE)}).boundHeapGrowth([], '');
    const { PerformanceObserver, constants } = require('node:perf_hooks');
    let majors = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++; }).observe({ entryTypes: ['gc'] });
    // A ring of objects that live long enough to be promoted, then die: the garbage a run's
    // pages in flight leave in the old generation, with some 40 MB live.
    const ring = new Array(300000);
    for (let i = 0; i < 6000000; i++) ring[i % 300000] = { i, s: 'tag-' + i, d: 'sha256:' + i };
    setTimeout(() => console.log(majors), 50);`;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } }).trim());
}

describe('lifecycle/heapGrowth', () => {
  it('leaves a factor the process owner chose alone', () => {
    assert.equal(boundHeapGrowth(['--heap-growing-percent=50'], ''), false);
    assert.equal(boundHeapGrowth([], '--max-old-space-size=512 --heap-growing-percent=30'), false);
  });

  it('makes V8 collect fully more often in a process that allocates fast and keeps a little', function () {
    this.timeout(60_000);
    const defaults = fullCollectionsInChild(false);
    const bound = fullCollectionsInChild(true);
    assert.ok(bound > defaults, `full collections: ${bound} with the bound, ${defaults} without`);
  });
});
