/**
 * How far V8 lets the heap grow past what is live before a full collection (decision 017).
 *
 * A run allocates fast and keeps little: each listing page is a quarter of a megabyte of text
 * and its parse, gone a moment later, while what stays (the work, the counts) is tens of
 * megabytes. For such a process V8 picks its largest growing factor, 4: with 40 MB live, a
 * full collection waits until the heap holds about 160 MB, and the resident memory follows
 * (measured: about 270 MB in a no-op of 100 × 10,000 tags, for 25–40 MB live). Factor 2, the
 * largest V8 itself allows a memory-constrained heap, cut that to about 200 MB for about 10 %
 * more time in that run. Factor 1.5 is what a dry run of 100,000 tags with work needs: its live
 * set swings with the pages in flight (70–100 MB), and factor 2 let the heap reach 200 MB
 * and the process 330–350 MB; 1.5 kept it at 228 MB, for 5–10 % more time in the no-ops of
 * many tags and none visible at 20 tags per repository (BENCHMARKS.md, decision 017).
 *
 * Set once, at the start of the command line and of the task, through Node's documented
 * v8.setFlagsFromString: V8 reads this flag each time it sets the next limit. A process whose
 * owner chose a factor (node --heap-growing-percent=…, NODE_OPTIONS) keeps theirs.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

const FLAG = 'heap-growing-percent';

export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env['NODE_OPTIONS'] ?? ''): boolean {
  if (execArgv.some((a) => a.includes(FLAG)) || nodeOptions.includes(FLAG)) return false;
  setFlagsFromString(`--${FLAG}=${HEAP_GROWING_PERCENT}`);
  return true;
}
