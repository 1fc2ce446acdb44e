/**
 * Child process of the benchmark: runs the real command line (`runCli`, the code path of
 * `acr-transfer`) once, alone in its process so its peak RSS is its own, and prints one line
 * `BENCH_RESULT {json}` at the end. The command line's own output goes to a file (as a
 * terminal redirect would), time-stamped so the phases of the run can be told apart.
 *
 *   node build/bench/syncDriver.js <output file> -- <acr-transfer flags…>
 *
 * Credentials come from the environment, exactly as the command line reads them.
 */
import '../testkit/loopbackGuard';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import { performance } from 'node:perf_hooks';
import { runCli } from '../src/cli/run';
import { boundHeapGrowth } from '../src/lifecycle/heapGrowth';

export interface SyncDriverResult {
  exitCode: number;
  /** runCli from call to return, ms. */
  runMs: number;
  /** From process start to the first line of runCli (module loading), ms. */
  startupMs: number;
  /** Phases from the command line's output: sign-in and registry lookup, planning, imports and report. */
  phases: { connectMs?: number; planMs?: number; executeMs?: number };
  /**
   * Peak RSS of this process, kilobytes: the kernel's high-water mark of its own memory
   * (`VmHWM` of /proc/self/status) where there is one, else process.resourceUsage().maxRSS.
   */
  maxRssKb: number;
  /**
   * process.resourceUsage().maxRSS, kilobytes. On Linux it can carry the parent's pages at the
   * fork before exec (getrusage keeps maxrss across execve): a no-op of 100 × 20 spawned by a
   * bench holding a million generated tags showed 1,138 MB against VmHWM's few dozen.
   */
  maxRssKbRusage: number;
  /** Largest heapUsed seen by a 100 ms sampler, bytes. */
  peakHeapUsed: number;
  /** With --expose-gc: heapUsed after a full collection when the plan was printed, bytes. */
  liveHeapAtPlanned?: number;
  /** With --expose-gc: the same when the summary was printed (the report built). */
  liveHeapAtEnd?: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  outputLines: number;
  /** The command line's summary lines (the last few lines of its output). */
  summary: string[];
  /** Lines written to stderr. */
  errors: string[];
}

/** The high-water mark of this process's own resident memory (Linux `VmHWM`), kilobytes; undefined where there is none. */
function ownPeakRssKb(): number | undefined {
  try {
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return hwm?.[1] !== undefined ? Number(hwm[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  // As the command line's entry point (src/cli/main.ts) does before it runs.
  boundHeapGrowth();
  const separator = process.argv.indexOf('--');
  const outputFile = process.argv[2];
  if (separator < 0 || outputFile === undefined) throw new Error('usage: syncDriver <output file> -- <flags>');
  const argv = process.argv.slice(separator + 1);

  const out = createWriteStream(outputFile);
  const startupMs = performance.now();
  let lines = 0;
  let connectedAt: number | undefined;
  let plannedAt: number | undefined;
  let summaryAt: number | undefined;
  const tail: string[] = [];
  const errors: string[] = [];
  let peakHeapUsed = process.memoryUsage().heapUsed;
  // Diagnosis: BENCH_HEAP_PROFILE=<MB>|planned samples allocations and writes what is live when
  // the heap first passes <MB> MB, or when the plan is printed (a .heapprofile next to the output file).
  const profileAt = process.env['BENCH_HEAP_PROFILE'];
  let session: Session | undefined;
  if (profileAt !== undefined && profileAt !== '') {
    session = new Session();
    session.connect();
    session.post('HeapProfiler.startSampling', { samplingInterval: 32768, ...(process.env['BENCH_HEAP_GARBAGE'] === '1' ? { includeObjectsCollectedByMajorGC: true } : {}) } as never);
  }
  const writeHeapProfile = (): void => {
    const s = session;
    if (s === undefined) return;
    session = undefined;
    s.post('HeapProfiler.collectGarbage', () => {
      s.post('HeapProfiler.stopSampling', (error, result) => {
        if (!error) writeFileSync(`${outputFile}.heapprofile`, JSON.stringify(result.profile));
        s.disconnect();
      });
    });
  };
  const sampler = setInterval(() => {
    const used = process.memoryUsage().heapUsed;
    peakHeapUsed = Math.max(peakHeapUsed, used);
    if (profileAt !== 'planned' && used > Number(profileAt) * 1024 * 1024) writeHeapProfile();
  }, 100);

  // With --expose-gc: the heap actually live (after a full collection) when the plan is complete.
  const gc = (globalThis as { gc?: () => void }).gc;
  const liveHeap = (): number | undefined => {
    if (gc === undefined) return undefined;
    gc();
    return process.memoryUsage().heapUsed;
  };
  let liveAtPlanned: number | undefined;
  let liveAtEnd: number | undefined;

  const t0 = performance.now();
  const print = (line: string): void => {
    const now = performance.now();
    lines++;
    // `<source> → <target>` is printed once both registries are found; the plan follows it.
    if (connectedAt === undefined && / → /.test(line) && !line.startsWith('[')) connectedAt = now;
    else if (connectedAt !== undefined && plannedAt === undefined) {
      plannedAt = now;
      if (profileAt === 'planned') writeHeapProfile();
      if (process.env['BENCH_HEAP_SNAPSHOT'] === 'planned') writeHeapSnapshot(`${outputFile}.heapsnapshot`);
      liveAtPlanned = liveHeap();
    }
    if (summaryAt === undefined && /^(Dry run|Run) (succeeded|FAILED)/.test(line)) {
      summaryAt = now;
      liveAtEnd = liveHeap();
    }
    tail.push(line);
    if (tail.length > 8) tail.shift();
    out.write(`${(now - t0).toFixed(0).padStart(7)} ${line}\n`);
  };
  const exitCode = await runCli(argv, process.env, {
    out: print,
    err: (line) => {
      errors.push(line);
      print(`ERR ${line}`);
    },
  });
  const t1 = performance.now();
  clearInterval(sampler);
  peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
  await new Promise<void>((resolve) => out.end(resolve));

  const usage = process.resourceUsage();
  const result: SyncDriverResult = {
    exitCode,
    runMs: t1 - t0,
    startupMs,
    phases: {
      ...(connectedAt !== undefined ? { connectMs: connectedAt - t0 } : {}),
      ...(connectedAt !== undefined && plannedAt !== undefined ? { planMs: plannedAt - connectedAt } : {}),
      ...(plannedAt !== undefined ? { executeMs: (summaryAt ?? t1) - plannedAt } : {}),
    },
    maxRssKb: ownPeakRssKb() ?? usage.maxRSS,
    maxRssKbRusage: usage.maxRSS,
    peakHeapUsed,
    ...(liveAtPlanned !== undefined ? { liveHeapAtPlanned: liveAtPlanned } : {}),
    ...(liveAtEnd !== undefined ? { liveHeapAtEnd: liveAtEnd } : {}),
    cpuUserMs: usage.userCPUTime / 1000,
    cpuSystemMs: usage.systemCPUTime / 1000,
    outputLines: lines,
    summary: tail.filter((l) => l.trim() !== ''),
    errors: errors.slice(0, 20),
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`syncDriver: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 99;
});
