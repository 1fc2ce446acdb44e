/**
 * The benchmark's options: its usage text, and the parser that turns the command line into
 * BenchOptions (sizes, scenarios, latency, limits per scenario, where to write).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_CONCURRENCY_LIMIT } from '../src/options/table';
import type { ScenarioName } from './scenario';
import type { Sku } from './world';

export const USAGE = `npm run bench -- [options]

  --quick                    sizes 100 and 1,000; no-op, full and drift at 100; per-tag at
                             100; the source by address at both (no-op) and 100 (full); no
                             pacing or read-limit run (about 8 minutes on 2 cores)
  --sizes LIST               repository counts (default 100,1000,10000)
  --latency-ms N             latency the emulator adds to every request (default 20)
  --scenarios LIST           noop,full,drift,plan,pacing,readlimit,referrers,registry-source
                             (default: all; quick noop,full,drift,referrers,registry-source)
  --full-max N               full syncs up to N repositories (default 0: the pacing run is the
                             full sync; quick 100). ARM's write budget (10 imports/s) makes a
                             full sync of 1,000 × 20 take about 22 min
  --drift-max N              drift syncs only up to N repositories (default 1000; quick 100)
  --plan-sizes LIST          dry-run plans against an empty target at these sizes (default none)
  --tag-shapes LIST          many tags per repository (issue 15's memory rows), REPOSxTAGS each
                             (default 1000x1000,100x10000; quick none; \`none\` skips them): per
                             shape a no-op row (with noop) and a "drift (dry run)" row (with
                             drift): the 10 %-drifted target planned with --dry-run. A real
                             drift of 1,000 × 1,000 is ~100,000 imports, hours under ARM's write
                             budget (10 imports/s, which the tool paces itself under); the
                             memory question is planning and reporting 100,000 tags with work,
                             which the dry run does in full (plan, report, --report-json). Both
                             rows write the JSON report: writing it is part of the memory
                             measured. A 1,000,000-tag world takes about 20 s to set up and
                             this process (generator, emulator) near 3 GB at its peak
  --pertag-max N             per-tag strategy up to N repositories (default 1000; quick 100)
  --registry-source-max N    the source named by address (--source-registry-uri, read as any
                             OCI registry: one HEAD per tag, 8 in flight) up to N repositories:
                             a no-op at each size, a full sync at sizes up to --full-max
                             (default 1000; a no-op of 10,000 × 20 takes about 12 min)
  --pacing-imports N         imports of the ARM write pacing run (default 5000)
  --readlimit-size N         repositories of the read-limit run (default 1500: more reads than a
                             Basic registry's one-minute burst, so it must throttle)
  --readlimit-sku SKU        Basic, Standard or Premium (default Basic)
  --referrers-size N         repositories of the referrers runs, each with one signed image
                             whose SBOM is signed too (default 1000; quick 100)
  --import-concurrency N     --max-concurrency of the tool in import runs (default ${MAX_CONCURRENCY_LIMIT})
  --retry-after S            Retry-After of the emulator's import answers, seconds (default 1)
  --ca-compare               also run the largest no-op up to 1,000 with --ca-file (default on, not in quick)
  --profile                  CPU-profile the largest no-op sync (node --cpu-prof) and summarise it
  --work-dir DIR             where outputs, profiles and results.json go (default: a temp folder)
  --out FILE                 the Markdown file to rewrite (default BENCHMARKS.md)
  --no-write                 print only; leave BENCHMARKS.md alone
`;

/** A shape of many tags per repository: `repositories` × `tags`. */
export interface TagShape {
  repositories: number;
  tags: number;
}

/** `1000x1000,100x10000` (or `none`): the shapes of the many-tags rows. */
export function tagShapes(text: string): TagShape[] {
  if (text.trim() === '' || text.trim() === 'none') return [];
  return text.split(',').map((part) => {
    const m = /^\s*([\d_]+)\s*[x×]\s*([\d_]+)\s*$/.exec(part);
    const [repositories, tags] = m ? [Number(m[1]?.replace(/_/g, '')), Number(m[2]?.replace(/_/g, ''))] : [NaN, NaN];
    if (!(repositories > 0 && tags > 0)) throw new Error(`--tag-shapes: "${part}" is not REPOSITORIESxTAGS (e.g. 1000x1000)`);
    return { repositories, tags };
  });
}

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
  /** The many-tags rows (issue 15): a no-op and a drift dry run per shape. */
  tagShapes: TagShape[];
  perTagMax: number;
  /** The `registry-source` runs (the source named by address) up to this many repositories. */
  registrySourceMax: number;
  pacingImports: number;
  readLimitSize: number;
  readLimitSku: Sku;
  /** Repositories of the referrers runs (bench/referrers.ts). */
  referrersSize: number;
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
      'tag-shapes': { type: 'string' },
      'pertag-max': { type: 'string' },
      'registry-source-max': { type: 'string' },
      'pacing-imports': { type: 'string' },
      'readlimit-size': { type: 'string' },
      'readlimit-sku': { type: 'string' },
      'referrers-size': { type: 'string' },
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
  const all: ScenarioName[] = ['noop', 'full', 'drift', 'plan', 'pacing', 'readlimit', 'referrers', 'registry-source'];
  const scenarios = new Set((values.scenarios ?? (quick ? 'noop,full,drift,referrers,registry-source' : all.join(','))).split(',').map((s) => s.trim()) as ScenarioName[]);
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
    tagShapes: tagShapes(values['tag-shapes'] ?? (quick ? 'none' : '1000x1000,100x10000')),
    perTagMax: num(values['pertag-max'], quick ? 100 : 1000),
    registrySourceMax: num(values['registry-source-max'], 1000),
    pacingImports: num(values['pacing-imports'], 5000),
    readLimitSize: num(values['readlimit-size'], 1500),
    readLimitSku: sku,
    referrersSize: num(values['referrers-size'], quick ? 100 : 1000),
    importConcurrency: num(values['import-concurrency'], MAX_CONCURRENCY_LIMIT),
    retryAfterSeconds: num(values['retry-after'], 1),
    caCompare: values['no-ca-compare'] === true ? false : values['ca-compare'] === true || !quick,
    profile: values.profile === true,
    workDir: resolve(values['work-dir'] ?? mkdtempSync(join(tmpdir(), 'acr-transfer-bench-'))),
    out: resolve(values.out ?? 'BENCHMARKS.md'),
    write: values['no-write'] !== true,
  };
}
