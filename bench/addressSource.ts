/**
 * The rows of a source named by its address (issue 14), beside the ACR-listing rows of the same
 * scenario and size: the same generated registry, read once through ARM and the ACR listing API
 * (`_tags` pages with digests) and once as any OCI registry (`tags/list`, then one manifest HEAD
 * per tag for its digest). Both syncs are verified on the target, and the imports of a full
 * sync are compared call for call (importSet), so the difference shown is the reading alone.
 */
import { DEFAULT_TAG_READS_IN_FLIGHT } from '../src/azure/oci/ociReader';
import { DEFAULT_LIST_CONCURRENCY } from '../src/engine/syncOptions';
import { mb, n, s } from './format';
import { sum } from './measure';
import { addressRuns, runsOf, type BenchRun } from './results';
import type { ScenarioResult } from './scenario';
import { SOURCE } from './world';

export interface AddressComparison {
  label: string;
  scenario: string;
  address: ScenarioResult;
  /** The ACR-listing run of the same scenario and size, when it ran. */
  listing?: ScenarioResult;
}

export function addressComparisons(bench: BenchRun): AddressComparison[] {
  return addressRuns(bench).map(({ label, result }) => {
    const listing = runsOf(bench, result.spec.scenario).find((r) => r.expected.repositories === result.expected.repositories);
    return { label, scenario: result.spec.scenario, address: result, ...(listing ? { listing } : {}) };
  });
}

const perTag = (count: number, r: ScenarioResult): string => (count / Math.max(1, r.expected.sourceTags)).toFixed(2);

function sourceRequests(r: ScenarioResult): number {
  return sum(r.measured.counts, (service) => service === `acr:${SOURCE}`);
}

/** Source-side listing answers (catalog, `_tags` or `tags/list` pages) of a run. */
function sourceListing(r: ScenarioResult): number {
  return sum(r.measured.counts, (service, route, status) => service === `acr:${SOURCE}` && (route === 'acr.catalog' || route === 'acr.tags' || route === 'acr.tagList') && status !== 401 && status !== 429);
}

function sameImports(c: AddressComparison): string {
  if (!c.listing) return '—';
  const a = c.address.importSet;
  const b = c.listing.importSet;
  if (a === undefined || b === undefined) return '—';
  if (a.fingerprint === b.fingerprint) return a.count === 0 ? 'yes (none)' : `yes (${n(a.count)} calls)`;
  return `**NO** (${n(a.count)} vs ${n(b.count)} calls)`;
}

/** The least time the source's HEADs take: one after another in each of the reader's slots, at the injected latency. */
const headFloorMs = (heads: number, latencyMs: number): number => (heads * latencyMs) / DEFAULT_TAG_READS_IN_FLIGHT;

function row(kind: string, c: AddressComparison, r: ScenarioResult): (string | number)[] {
  const heads = r.sourceHeads?.ok ?? 0;
  return [
    `${c.scenario} ${n(r.expected.repositories)}`,
    kind,
    n(r.expected.sourceTags),
    n(r.measured.totalRequests),
    perTag(r.measured.totalRequests, r),
    `${n(sourceRequests(r))} (${n(sourceListing(r))} / ${n(heads)} / ${n(r.measured.sourceTokens)})`,
    perTag(heads, r),
    n(r.measured.importAccepted),
    r === c.address ? sameImports(c) : '',
    s(r.sync.runMs),
    heads > 0 ? s(headFloorMs(heads, r.spec.latencyMs)) : '—',
    mb(r.sync.maxRssKb),
    r.verification.ok ? 'yes' : `**NO** (${r.verification.problems[0] ?? ''})`,
  ];
}

export const ADDRESS_HEADER = [
  'run',
  'source',
  'tags',
  'requests',
  'per tag',
  'source requests (listing / HEADs / tokens)',
  'HEADs per tag',
  'imports',
  'same imports',
  'time s',
  'HEADs alone s',
  'peak RSS MB',
  'target = source',
];

export function addressRows(bench: BenchRun): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const c of addressComparisons(bench)) {
    if (c.listing) rows.push(row('ACR by name (listing)', c, c.listing));
    rows.push(row('by address (per tag)', c, c.address));
  }
  return rows;
}

/** The prose of the section: how a source read by address is read, and what that costs. */
export function addressExplanation(latencyMs: number): string {
  return (
    'A source named by its address (`--source-registry-uri`, issue 14: Docker Hub, GHCR, Quay, any OCI registry, an ACR in another tenant) is read over the distribution API: ' +
    `the catalog, one \`tags/list\` per repository (${DEFAULT_LIST_CONCURRENCY} repositories at once), then one \`HEAD /v2/{name}/manifests/{tag}\` per tag for its digest (\`Docker-Content-Digest\`), at most ${DEFAULT_TAG_READS_IN_FLIGHT} HEADs in flight for the whole source. ` +
    'An ACR named by its resource lists its tags with their digests, up to 1,000 to a `_tags` page, so the same registry costs about one request per tag by address against about one per repository by name, ' +
    `and the HEADs set the time: tags × ${latencyMs} ms ÷ ${DEFAULT_TAG_READS_IN_FLIGHT} at least ("HEADs alone"). ` +
    'The registry\'s token service also sees two token requests per repository (`metadata_read` for the list, `pull` for the HEADs) where the ACR listing asks one per 16 repositories. ' +
    'The imports are the same calls either way (importImage by `registryUri`, pinned to the digest; "same imports" compares them call for call), ' +
    "but before them the index-size check reads each image index to import by `GET` (the distribution API has no manifest listing; a single image is known as one from its HEAD's `Content-Type`), where an ACR by name needs a `_manifests` listing per repository and a read per index. " +
    "On Docker Hub the HEADs do not count against the pull rate limit; those GETs and the imports' own manifest GETs do. " +
    'Here the source is the emulated ACR itself with anonymous pull, named by its login server: the same data as the ACR-listing rows beside it.'
  );
}

/** What the largest no-op by name would cost by address, scaled by tags from the largest no-op by address (a line), or undefined when nothing to scale. */
export function addressEstimate(bench: BenchRun): string | undefined {
  const noops = addressComparisons(bench).filter((c) => c.scenario === 'noop' && c.address.verification.ok);
  const measured = noops[noops.length - 1]?.address;
  const big = runsOf(bench, 'noop').sort((a, b) => b.expected.repositories - a.expected.repositories)[0];
  if (!measured || !big || big.expected.repositories <= measured.expected.repositories) return undefined;
  const scale = big.expected.sourceTags / measured.expected.sourceTags;
  return (
    `At ${n(big.expected.repositories)} repositories the source by address was not run (\`--registry-source-max\`); scaled by tags from ${n(measured.expected.repositories)}, ` +
    `a no-op would send about ${n(Math.round(measured.measured.totalRequests * scale))} requests (${(((measured.measured.totalRequests * scale) / big.measured.totalRequests)).toFixed(1)}× the listing's ${n(big.measured.totalRequests)}) ` +
    `and take about ${((measured.sync.runMs * scale) / 60000).toFixed(0)} min (the listing: ${s(big.sync.runMs)} s).`
  );
}
