/**
 * A whole benchmark run as main.ts records it (results.json) and the report reads it: the
 * machine, the options, each run's labelled result; and the look-ups of a scenario's results.
 */
import type { Machine } from './machine';
import type { BenchOptions } from './options';
import type { ProfileSummary } from './profile';
import type { ReferrersRow } from './referrers';
import type { ScenarioResult } from './scenario';

export interface LabelledResult {
  label: string;
  result: ScenarioResult;
}

export interface BenchRun {
  machine: Machine;
  options: BenchOptions;
  results: LabelledResult[];
  /** Runs the harness could not complete (the sync process ended without a result). */
  failures?: string[];
  totalMs: number;
  profile?: ProfileSummary;
  /** The referrers rows (bench/referrers.ts), when that scenario ran. */
  referrers?: ReferrersRow[];
}

/** A run of the ACR-listing source, as the targets of issue 5 judge: not a `--ca-file` comparison, not a source named by address, not the start probe. */
export const isListingRun = (r: ScenarioResult): boolean => r.spec.caVia !== 'flag' && r.spec.sourceBy !== 'address' && r.spec.startProbe !== true;

/** A run of many tags per repository (`--tag-shapes`, issue 15's memory rows): judged by its own targets, not by the N × 20 ones. */
export const isTagShapeRun = (r: ScenarioResult): boolean => r.spec.tagsPerRepository !== undefined;

/** The tag-shape runs, in run order. */
export const tagShapeRuns = (bench: BenchRun): LabelledResult[] => bench.results.filter((x) => isTagShapeRun(x.result));

/** A run's name in tables and logs: its label and size (a tag-shape label already says its shape). */
export const runName = (label: string, spec: Pick<ScenarioResult['spec'], 'repositories' | 'tagsPerRepository'>): string =>
  spec.tagsPerRepository !== undefined ? label : `${label} ${spec.repositories.toLocaleString('en-US')}`;

/**
 * A scenario's N × 20 results in run order, without the `--ca-file` comparison runs, the runs
 * with a source named by address, the start probe and the tag-shape runs.
 */
export const runsOf = (bench: BenchRun, scenario: string): ScenarioResult[] =>
  bench.results.filter((x) => x.result.spec.scenario === scenario && isListingRun(x.result) && !isTagShapeRun(x.result)).map((x) => x.result);

/** The runs whose source was named by its address (`registry-source`), in run order. */
export const addressRuns = (bench: BenchRun): LabelledResult[] => bench.results.filter((x) => x.result.spec.sourceBy === 'address');

export const find = (bench: BenchRun, scenario: string, size?: number): ScenarioResult | undefined =>
  runsOf(bench, scenario).find((r) => size === undefined || r.expected.repositories === size);

export const largestOf = (bench: BenchRun, scenario: string): ScenarioResult | undefined =>
  runsOf(bench, scenario).sort((a, b) => b.expected.repositories - a.expected.repositories)[0];
