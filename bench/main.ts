/**
 * `npm run bench`: the benchmark of issue 5. For each size and scenario it starts the emulator
 * with generated registries and injected latency, runs the real command line in a child
 * process, and records requests per route, wall time against the ideal time, peak RSS, import
 * calls against the (repository, digest) pairs to move, token requests against repository
 * scopes, and whether the target ended equal to the source. It also runs the per-tag strategy
 * of skopeo sync / regsync on the same data, a full sync of about 5,000 imports under ARM's
 * write budget, and a no-op sync under an ACR tier's read limit. It prints a table and rewrites
 * BENCHMARKS.md.
 *
 *   npm run bench -- [--quick] [--sizes 100,1000,10000] [--latency-ms 20]
 *                    [--scenarios noop,full,drift,plan,pacing,readlimit] [--no-write] …
 *   (--help lists every option)
 */
import '../testkit/loopbackGuard';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_CONCURRENCY_LIMIT } from '../src/options/table';
import { runScenario } from './harness';
import { machine } from './machine';
import { newestProfile, summariseProfile, type ProfileSummary } from './profile';
import { readCapFlag } from './readCap';
import { renderConsoleTable, renderMarkdown, type BenchRun } from './report';
import type { ScenarioName, ScenarioResult, ScenarioSpec } from './scenario';
import { fullSyncImports, type Sku } from './world';

const USAGE = `npm run bench -- [options]

  --quick                    sizes 100 and 1,000; no-op, full and drift at 100; per-tag at
                             100; no pacing or read-limit run (about 3 minutes)
  --sizes LIST               repository counts (default 100,1000,10000)
  --latency-ms N             latency the emulator adds to every request (default 20)
  --scenarios LIST           noop,full,drift,plan,pacing,readlimit (default: all)
  --full-max N               full syncs up to N repositories (default 0: the pacing run is the
                             full sync; quick 100). ARM's write budget (10 imports/s) makes a
                             full sync of 1,000 × 20 take about 22 min
  --drift-max N              drift syncs only up to N repositories (default 1000; quick 100)
  --plan-sizes LIST          dry-run plans against an empty target at these sizes (default none)
  --pertag-max N             per-tag strategy up to N repositories (default 1000; quick 100)
  --pacing-imports N         imports of the ARM write pacing run (default 5000)
  --readlimit-size N         repositories of the read-limit run (default 1500: more reads than a
                             Basic registry's one-minute burst, so it must throttle)
  --readlimit-sku SKU        Basic, Standard or Premium (default Basic)
  --import-concurrency N     --max-concurrency of the tool in import runs (default ${MAX_CONCURRENCY_LIMIT})
  --retry-after S            Retry-After of the emulator's import answers, seconds (default 1)
  --ca-compare               also run the largest no-op up to 1,000 with --ca-file (default on, not in quick)
  --profile                  CPU-profile the largest no-op sync (node --cpu-prof) and summarise it
  --work-dir DIR             where outputs, profiles and results.json go (default: a temp folder)
  --out FILE                 the Markdown file to rewrite (default BENCHMARKS.md)
  --no-write                 print only; leave BENCHMARKS.md alone
`;

function list(text: string): number[] {
  return text.split(',').map((s) => Number(s.replace(/_/g, '').trim())).filter((n) => Number.isInteger(n) && n > 0);
}

export interface BenchOptions {
  quick: boolean;
  sizes: number[];
  latencyMs: number;
  scenarios: Set<ScenarioName>;
  fullMax: number;
  driftMax: number;
  planSizes: number[];
  perTagMax: number;
  pacingImports: number;
  readLimitSize: number;
  readLimitSku: Sku;
  importConcurrency: number;
  retryAfterSeconds: number;
  caCompare: boolean;
  profile: boolean;
  workDir: string;
  out: string;
  write: boolean;
}

export function parseBenchArguments(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      sizes: { type: 'string' },
      'latency-ms': { type: 'string' },
      scenarios: { type: 'string' },
      'full-max': { type: 'string' },
      'drift-max': { type: 'string' },
      'plan-sizes': { type: 'string' },
      'pertag-max': { type: 'string' },
      'pacing-imports': { type: 'string' },
      'readlimit-size': { type: 'string' },
      'readlimit-sku': { type: 'string' },
      'import-concurrency': { type: 'string' },
      'retry-after': { type: 'string' },
      'ca-compare': { type: 'boolean' },
      'no-ca-compare': { type: 'boolean' },
      profile: { type: 'boolean' },
      'work-dir': { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  const sizes = list(values.sizes ?? (quick ? '100,1000' : '100,1000,10000')).sort((a, b) => a - b);
  if (sizes.length === 0) throw new Error('--sizes needs at least one whole number');
  const all: ScenarioName[] = ['noop', 'full', 'drift', 'plan', 'pacing', 'readlimit'];
  const scenarios = new Set((values.scenarios ?? (quick ? 'noop,full,drift' : all.join(','))).split(',').map((s) => s.trim()) as ScenarioName[]);
  for (const s of scenarios) if (!all.includes(s)) throw new Error(`unknown scenario "${s}" (use ${all.join(', ')})`);
  const num = (text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text.replace(/_/g, ''));
    if (!Number.isFinite(n) || n < 0) throw new Error(`"${text}" is not a number`);
    return n;
  };
  const sku = (values['readlimit-sku'] ?? 'Basic') as Sku;
  if (!['Basic', 'Standard', 'Premium'].includes(sku)) throw new Error('--readlimit-sku must be Basic, Standard or Premium');
  return {
    quick,
    sizes,
    latencyMs: num(values['latency-ms'], 20),
    scenarios,
    fullMax: num(values['full-max'], quick ? 100 : 0),
    driftMax: num(values['drift-max'], quick ? 100 : 1000),
    planSizes: list(values['plan-sizes'] ?? ''),
    perTagMax: num(values['pertag-max'], quick ? 100 : 1000),
    pacingImports: num(values['pacing-imports'], 5000),
    readLimitSize: num(values['readlimit-size'], 1500),
    readLimitSku: sku,
    importConcurrency: num(values['import-concurrency'], MAX_CONCURRENCY_LIMIT),
    retryAfterSeconds: num(values['retry-after'], 1),
    caCompare: values['no-ca-compare'] === true ? false : values['ca-compare'] === true || !quick,
    profile: values.profile === true,
    workDir: resolve(values['work-dir'] ?? mkdtempSync(join(tmpdir(), 'acr-transfer-bench-'))),
    out: resolve(values.out ?? 'BENCHMARKS.md'),
    write: values['no-write'] !== true,
  };
}

/** Repositories of a full sync that needs about `imports` imports. */
export function pacingRepositories(imports: number): number {
  let low = 1;
  let high = 64;
  while (fullSyncImports(high) < imports) high *= 2;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (fullSyncImports(mid) < imports) low = mid + 1;
    else high = mid;
  }
  return low;
}

type Planned = Omit<ScenarioSpec, 'workDir' | 'log'> & { label: string; profile?: boolean };

export function planRuns(o: BenchOptions): Planned[] {
  const base = { latencyMs: o.latencyMs, importConcurrency: o.importConcurrency, importRetryAfterSeconds: o.retryAfterSeconds, armWriteThrottling: false };
  const runs: Planned[] = [];
  const largest = o.sizes[o.sizes.length - 1];
  for (const size of o.sizes) {
    if (o.scenarios.has('noop')) {
      runs.push({
        ...base,
        label: 'noop',
        scenario: 'noop',
        repositories: size,
        ...(size <= o.perTagMax ? { perTag: {} } : {}),
        ...(o.profile && size === largest ? { profile: true } : {}),
      });
    }
    if (o.scenarios.has('full') && size <= o.fullMax) runs.push({ ...base, label: 'full', scenario: 'full', repositories: size });
    if (o.scenarios.has('drift') && size <= o.driftMax) runs.push({ ...base, label: 'drift', scenario: 'drift', repositories: size });
  }
  if (o.scenarios.has('plan')) for (const size of o.planSizes) runs.push({ ...base, label: 'plan', scenario: 'plan', repositories: size });
  if (o.caCompare && o.scenarios.has('noop')) {
    const size = [...o.sizes].reverse().find((s) => s <= 1000);
    if (size !== undefined) runs.push({ ...base, label: 'noop --ca-file', scenario: 'noop', repositories: size, caVia: 'flag' });
  }
  if (o.scenarios.has('readlimit')) {
    const flag = readCapFlag();
    runs.push({ ...base, label: `readlimit ${o.readLimitSku}`, scenario: 'readlimit', repositories: o.readLimitSize, readLimitSku: o.readLimitSku });
    if (flag !== undefined) {
      runs.push({
        ...base,
        label: `readlimit ${o.readLimitSku} + cap`,
        scenario: 'readlimit',
        repositories: o.readLimitSize,
        readLimitSku: o.readLimitSku,
        toolFlags: flag.argsFor(o.readLimitSku),
      });
    }
  }
  if (o.scenarios.has('pacing')) {
    runs.push({ ...base, label: 'pacing', scenario: 'pacing', repositories: pacingRepositories(o.pacingImports), armWriteThrottling: true });
  }
  return runs;
}

async function main(): Promise<void> {
  const parsed = parseBenchArguments(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const o = parsed;
  mkdirSync(o.workDir, { recursive: true });
  const started = Date.now();
  const runs = planRuns(o);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  log(`acr-transfer benchmark: ${runs.length} runs, latency ${o.latencyMs} ms, work folder ${o.workDir}`);
  const results: { label: string; result: ScenarioResult }[] = [];
  let profile: ProfileSummary | undefined;
  const failures: string[] = [];
  for (const run of runs) {
    const { label, profile: profiled, ...spec } = run;
    const workDir = join(o.workDir, `${label.replace(/[^a-z0-9]+/gi, '-')}-${spec.repositories}`);
    const nodeFlags = profiled ? ['--cpu-prof', `--cpu-prof-dir=${join(workDir, 'profile')}`] : undefined;
    let result: ScenarioResult;
    try {
      result = await runScenario({ ...spec, ...(nodeFlags ? { nodeFlags } : {}), workDir, log });
    } catch (error) {
      // A harness failure (the sync process crashed without a result) skips this run, loudly.
      failures.push(`${label} ${spec.repositories}: ${error instanceof Error ? error.message : String(error)}`);
      log(`  → ${label} ${spec.repositories}: HARNESS FAILURE: ${failures[failures.length - 1]}`);
      continue;
    }
    results.push({ label, result });
    const r = result;
    log(
      `  → ${label} ${spec.repositories}: ${(r.sync.runMs / 1000).toFixed(1)} s (ideal ${(r.ideal.totalMs / 1000).toFixed(1)} s), ` +
        `${r.measured.totalRequests} requests, ${r.measured.importAccepted} imports (expected ${r.expected.groups}), ` +
        `RSS ${(r.sync.maxRssKb / 1024).toFixed(0)} MB, ${r.verification.ok ? 'verified' : `NOT VERIFIED: ${r.verification.problems[0] ?? ''}`}` +
        (r.perTag ? `; per-tag ${(r.perTag.result.runMs / 1000).toFixed(1)} s, ${r.perTag.totalRequests} requests` : ''),
    );
    if (profiled) {
      const file = newestProfile(join(workDir, 'profile'));
      if (file) profile = summariseProfile(file);
    }
  }
  const bench: BenchRun = { machine: machine(), options: o, results, failures, totalMs: Date.now() - started, ...(profile ? { profile } : {}) };
  writeFileSync(join(o.workDir, 'results.json'), `${JSON.stringify(bench, (_k, v: unknown) => (v instanceof Set ? [...v] : v), 2)}\n`);
  process.stdout.write(`\n${renderConsoleTable(bench)}\n`);
  if (o.write) {
    writeFileSync(o.out, renderMarkdown(bench));
    log(`Wrote ${o.out}; raw results in ${join(o.workDir, 'results.json')}.`);
  } else {
    log(`Raw results in ${join(o.workDir, 'results.json')} (BENCHMARKS.md left alone).`);
  }
  if (failures.length > 0 || results.some((r) => !r.result.verification.ok)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
