/**
 * The run matrix: which scenarios run at which sizes for given BenchOptions (with per-tag,
 * `--ca-file`, read-limit and ARM pacing runs), each a labelled ScenarioSpec.
 */
import { n } from './format';
import type { BenchOptions } from './options';
import { readCapFlag } from './readCap';
import type { ScenarioSpec } from './scenario';
import { SHARED_WRITES_IMPORTS, sharedWritesRun } from './sharedWrites';
import { startProbeRun } from './startProbe';
import { fullSyncImports } from './world';

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

/**
 * No-op rows of at most this many repositories take under a second (0.5 s at 100), where one
 * run varies by ±6 % between runs on this machine: they run SUB_SECOND_REPEATS times and the
 * median run stands for the row (harness.ts).
 */
export const SUB_SECOND_SIZE = 100;
export const SUB_SECOND_REPEATS = 3;

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
        ...(size <= SUB_SECOND_SIZE ? { repeats: SUB_SECOND_REPEATS } : {}),
        ...(size <= o.perTagMax ? { perTag: {} } : {}),
        ...(o.profile && size === largest ? { profile: true } : {}),
      });
    }
    if (o.scenarios.has('full') && size <= o.fullMax) runs.push({ ...base, label: 'full', scenario: 'full', repositories: size });
    if (o.scenarios.has('drift') && size <= o.driftMax) runs.push({ ...base, label: 'drift', scenario: 'drift', repositories: size });
    // The same data with the source named by its address: the ACR-listing rows above are its comparison.
    if (o.scenarios.has('registry-source') && size <= o.registrySourceMax) {
      runs.push({ ...base, label: 'registry-source noop', scenario: 'noop', repositories: size, sourceBy: 'address' });
      if (size <= o.fullMax) runs.push({ ...base, label: 'registry-source full', scenario: 'full', repositories: size, sourceBy: 'address' });
    }
  }
  if (o.scenarios.has('noop')) runs.push(startProbeRun(base));
  // Issue 15: many tags per repository, for the sync's memory. The drift is planned only (see tagShapeRuns).
  runs.push(...tagShapeRuns(o, base));
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
    runs.push(sharedWritesRun(base, pacingRepositories(Math.min(o.pacingImports, SHARED_WRITES_IMPORTS))));
  }
  return runs;
}

/** The row label of a shape of many tags per repository: `noop 1,000 × 1,000`. */
export const shapeLabel = (what: string, repositories: number, tags: number): string => `${what} ${n(repositories)} × ${n(tags)}`;

/**
 * Per shape of `--tag-shapes`: a no-op (with the noop scenario) and the 10 %-drifted target
 * planned with `--dry-run` (with the drift scenario). A real drift of 1,000 × 1,000 is ~100,000
 * imports, hours under ARM's write budget (10/s); the memory question is planning and
 * reporting that many tags with work, which the dry run does in full. Both write the JSON
 * report, as its writing is part of the memory measured.
 */
export function tagShapeRuns(o: BenchOptions, base: Pick<Planned, 'latencyMs' | 'importConcurrency' | 'importRetryAfterSeconds' | 'armWriteThrottling'>): Planned[] {
  const runs: Planned[] = [];
  for (const { repositories, tags } of o.tagShapes) {
    const shape = { ...base, repositories, tagsPerRepository: tags, reportJson: true };
    if (o.scenarios.has('noop')) runs.push({ ...shape, label: shapeLabel('noop', repositories, tags), scenario: 'noop' });
    if (o.scenarios.has('drift')) runs.push({ ...shape, label: shapeLabel('drift (dry run)', repositories, tags), scenario: 'drift', dryRun: true });
  }
  return runs;
}
