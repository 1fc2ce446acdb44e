/**
 * The targets of issue 5, each judged met, not met or not measured from a benchmark run, with
 * the figure it rests on: listing economy, no-op time against the ideal, peak RSS, import calls
 * per (repository, digest) pair, ARM write pacing, linear growth and registry read limits.
 */
import { MAX_SCOPES_PER_TOKEN_REQUEST } from '../src/azure/dataplane/acrTokens';
import { DEFAULT_LIST_CONCURRENCY } from '../src/engine/syncOptions';
import { ARM_WRITE_BURST, ARM_WRITE_REFILL_PER_SECOND, CHAIN_ROUND_TRIPS, writeBudgetMs } from './costModel';
import { mb, n, ratio, s, throttledPercent } from './format';
import { retryWindowTarget, startTarget } from './issue15Targets';
import { find, isListingRun, isTagShapeRun, largestOf, tagShapeRuns, type BenchRun, type LabelledResult } from './results';
import { TAGS_PER_REPOSITORY } from './world';

export interface TargetVerdict {
  target: string;
  met: boolean | undefined;
  figure: string;
  gap?: string;
}

export function evaluateTargets(bench: BenchRun): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const runs = bench.results.map((x) => x.result).filter((r) => isListingRun(r) && r.spec.scenario !== 'readlimit');

  // 1. Listing economy.
  {
    const listingOk = runs.every((r) => r.measured.listing === r.expected.listing);
    const tokensOk = runs.every((r) => r.measured.sourceTokens <= r.expected.sourceTokenBound && r.measured.targetTokens <= r.expected.targetTokenBound);
    const noops = runs.filter((r) => r.spec.scenario === 'noop' && !isTagShapeRun(r));
    const noPerTagInNoop = noops.every((r) => r.measured.perTagRequests === 0);
    const importRuns = runs.filter((r) => r.spec.scenario !== 'noop');
    // The index-size check costs what indexSize.ts's rule says (a listing per repository with more than 2 digests to import, reads of indexes), no more.
    const perDigest = importRuns.every((r) => r.measured.manifestListings === r.expected.manifestListings && r.measured.manifestReads === r.expected.manifestReads);
    // The target-lock check costs what targetLocks.ts's rule says: a repository read per target repository with imports, manifest reads for what its tags name.
    const lockReads = (x: { repositoryReads: number; lockManifestListings: number; lockManifestReads: number }): string =>
      `${n(x.repositoryReads)} + ${n(x.lockManifestReads)} + ${n(x.lockManifestListings)}`;
    const locksOk = importRuns.every((r) => lockReads(r.measured) === lockReads(r.expected));
    const big = largestOf(bench, 'noop');
    verdicts.push({
      target: `Listing: one request per page of ≤ 1000 tags per repository per side, plus catalog pages and about one token request per ${MAX_SCOPES_PER_TOKEN_REQUEST} repository scopes; no per-tag requests`,
      met: listingOk && tokensOk && noPerTagInNoop && perDigest && locksOk,
      figure:
        (big
          ? `${n(big.expected.repositories)} × ${TAGS_PER_REPOSITORY} no-op: ${n(big.measured.listing)} listing requests (expected ${n(big.expected.listing)}: ${big.expected.catalogPages} catalog pages + ${n(big.expected.sourceTagPages)} + ${n(big.expected.targetTagPages)} tag pages), ` +
            `${n(big.measured.sourceTokens)} + ${n(big.measured.targetTokens)} token requests (at most ${n(big.expected.sourceTokenBound)} + ${n(big.expected.targetTokenBound)}) for ${n(big.expected.sourceScopes)} + ${n(big.expected.targetScopes)} scopes, ${n(big.measured.perTagRequests)} per-tag requests; `
          : '') +
        `every run: listing ${listingOk ? '=' : '≠'} expected, token requests ${tokensOk ? '≤' : '>'} bound` +
        (importRuns.length > 0
          ? `; runs with imports add the index-size check (a manifest listing per repository with more than 2 digests to import, then a read per index), not per tag: ${importRuns.map((r) => `${n(r.measured.manifestListings)} listings + ${n(r.measured.manifestReads)} reads for ${n(r.expected.pairs)} pairs (expected ${n(r.expected.manifestListings)} + ${n(r.expected.manifestReads)})`).join(', ')}`
          : '') +
        (importRuns.length > 0
          ? `; and the target-lock check (a repository read per target repository with imports, then reads of the manifests its tags name, or a listing above 2): ${importRuns.map((r) => `${lockReads(r.measured)} (expected ${lockReads(r.expected)})`).join(', ')} repository reads + manifest reads + listings`
          : '') +
        (noops.length > 0 ? `; requests per repository in a no-op: ${noops.map((r) => `${(r.measured.totalRequests / r.expected.repositories).toFixed(2)} at ${n(r.expected.repositories)}`).join(', ')}` : ''),
    });
  }

  // 2. No-op within 1.2× ideal (issue 15: 1.5× at 100 repositories or fewer); 10,000 × 20 under 30 s.
  {
    const noops = runs.filter((r) => r.spec.scenario === 'noop' && !isTagShapeRun(r)).sort((a, b) => a.expected.repositories - b.expected.repositories);
    if (noops.length > 0) {
      const allowed = (r: (typeof noops)[number]): number => (r.expected.repositories <= 100 ? 1.5 : 1.2);
      const over = noops.filter((r) => r.sync.runMs > allowed(r) * r.ideal.totalMs);
      const worst = noops.reduce((w, r) => (r.sync.runMs / r.ideal.totalMs > w.sync.runMs / w.ideal.totalMs ? r : w));
      verdicts.push({
        target:
          `No-op within 1.5× the ideal time at 100 repositories and within 1.2× at 1,000 and 10,000, at the default listing concurrency (${DEFAULT_LIST_CONCURRENCY} repositories × 2 registries = ${2 * DEFAULT_LIST_CONCURRENCY} requests in flight); ` +
          `the ideal counts the ${CHAIN_ROUND_TRIPS} round trips no client can overlap (decision 018)`,
        met: over.length === 0,
        figure: noops
          .map(
            (r) =>
              `${n(r.expected.repositories)}: ${s(r.sync.runMs)} s${r.repeatedRunMs === undefined ? '' : ` (median of ${r.repeatedRunMs.length} runs: ${r.repeatedRunMs.map(s).join(', ')} s)`} / ${s(r.ideal.totalMs)} s = ${ratio(r.sync.runMs, r.ideal.totalMs)}× (≤ ${allowed(r)}×; ${ratio(r.sync.runMs, r.ideal.throughputOnlyMs)}× of the throughput-only ideal ${s(r.ideal.throughputOnlyMs)} s)`,
          )
          .join('; '),
        ...(over.length === 0 ? {} : { gap: `worst ${ratio(worst.sync.runMs, worst.ideal.totalMs)}× at ${n(worst.expected.repositories)}: the "connect" column of the phase table and the cold first requests; Findings, 6` }),
      });
      const tenK = find(bench, 'noop', 10000);
      verdicts.push({
        target: `10,000 × 20 no-op under 30 s at ${bench.options.latencyMs} ms latency`,
        met: tenK ? tenK.sync.runMs < 30_000 : undefined,
        figure: tenK
          ? `${s(tenK.sync.runMs)} s for ${n(tenK.measured.totalRequests)} requests; the ideal at ${tenK.ideal.listConcurrency} in flight is ${s(tenK.ideal.totalMs)} s, so 30 s needs ≤ ${n(Math.floor((30_000 * tenK.ideal.listConcurrency) / bench.options.latencyMs))} requests at this concurrency (${((30_000 * tenK.ideal.listConcurrency) / bench.options.latencyMs / 10000).toFixed(1)} per repository; the tool sends ${(tenK.measured.totalRequests / 10000).toFixed(2)})`
          : 'not run (no 10,000 no-op in this run)',
      });
    }
  }

  // 3. Peak RSS (issue 15: memory independent of the tag count).
  verdicts.push(...memoryVerdicts(bench));

  // 4. Import calls = distinct pairs.
  {
    // A drift planned with --dry-run (a tag-shape row) imports nothing: not judged here.
    const importRuns = runs.filter((r) => ['full', 'drift', 'pacing'].includes(r.spec.scenario) && r.spec.dryRun !== true);
    if (importRuns.length > 0) {
      const equal = importRuns.every((r) => r.measured.importAccepted === r.expected.groups && r.verification.ok);
      verdicts.push({
        target: 'Import calls equal the distinct (repository, digest) pairs to move, never one per tag',
        met: equal,
        figure: importRuns
          .map((r) => `${r.spec.scenario} ${n(r.expected.repositories)}: ${n(r.measured.importAccepted)} calls for ${n(r.expected.pairs)} pairs${r.expected.groups !== r.expected.pairs ? ` (${n(r.expected.groups)} counting NoForce and Force of one digest apart)` : ''} and ${n(r.expected.tagsToMove)} tags`)
          .join('; '),
      });
    }
  }

  // 5. ARM write pacing.
  {
    const pacing = find(bench, 'pacing');
    verdicts.push({
      target: `ARM writes paced: ~5,000-import full sync under ARM throttling (${ARM_WRITE_BURST} burst, +${ARM_WRITE_REFILL_PER_SECOND}/s) with ≤ 1 % of writes throttled`,
      met: pacing ? pacing.measured.importThrottled <= 0.01 * pacing.measured.importPosts && pacing.verification.ok : undefined,
      figure: pacing
        ? `${n(pacing.measured.importThrottled)} of ${n(pacing.measured.importPosts)} writes throttled (${throttledPercent(pacing.measured)} %), ${n(pacing.measured.importAccepted)} imports in ${s(pacing.sync.runMs)} s (the write budget alone needs ${s(writeBudgetMs(pacing.expected.groups))} s)`
        : 'not run',
    });
  }

  // 6. Linear growth.
  {
    const a = find(bench, 'noop', 1000);
    const b = find(bench, 'noop', 10000);
    verdicts.push({
      target: 'time(10,000) ÷ time(1,000) ≤ 11 (no-op)',
      met: a && b ? b.sync.runMs / a.sync.runMs <= 11 : undefined,
      figure: a && b ? `${s(b.sync.runMs)} s ÷ ${s(a.sync.runMs)} s = ${ratio(b.sync.runMs, a.sync.runMs)}; requests ${ratio(b.measured.totalRequests, a.measured.totalRequests)}×` : 'not run (needs no-op at 1,000 and 10,000)',
    });
  }

  // 7. Read limits.
  {
    const limited = bench.results.filter((x) => x.result.spec.scenario === 'readlimit');
    const uncapped = limited.filter((x) => (x.result.spec.toolFlags ?? []).length === 0);
    const capped = limited.filter((x) => (x.result.spec.toolFlags ?? []).length > 0);
    const describe = (x: LabelledResult): string =>
      `${x.label} at ${n(x.result.expected.repositories)} repositories: ${x.result.verification.ok ? 'completed' : 'FAILED'} in ${s(x.result.sync.runMs)} s with ${n(x.result.measured.readThrottled)} reads answered 429`;
    verdicts.push({
      target: "Reads under the registry's limit: the listing adapts to 429 TOOMANYREQUESTS instead of failing",
      met: uncapped.length > 0 ? uncapped.every((x) => x.result.verification.ok && x.result.measured.readThrottled > 0) : undefined,
      figure: uncapped.length > 0 ? uncapped.map(describe).join('; ') : 'not run',
    });
    const flag = capped[0]?.result.spec.toolFlags?.join(' ');
    verdicts.push({
      target: 'An option caps the read rate',
      met: capped.length > 0 ? capped.every((x) => x.result.verification.ok && x.result.measured.readThrottled <= Math.max(2, 0.01 * x.result.measured.totalRequests)) : undefined,
      figure: capped.length > 0 ? `\`${flag ?? ''}\`: ${capped.map(describe).join('; ')}` : 'no capped run (the command line has no read-cap flag, or the read-limit run was not selected)',
    });
    // Issue 15: the cap holds the tier's burst, so it costs no time against adapting to 429s.
    // Both runs are bound by the same read rate (a minute's burst, then the tier's rate), so
    // they take the same time; 2 % is the noise of two runs on this machine, not a cost.
    const pairs = capped
      .map((c) => ({ c, u: uncapped.find((x) => x.result.spec.readLimitSku === c.result.spec.readLimitSku && x.result.expected.repositories === c.result.expected.repositories) }))
      .filter((p): p is { c: LabelledResult; u: LabelledResult } => p.u !== undefined);
    verdicts.push({
      target: 'The capped run is no slower than the uncapped one (within 2 %, two runs’ noise) and sees no 429 (the cap holds the tier’s burst)',
      met: pairs.length > 0 ? pairs.every(({ c, u }) => c.result.verification.ok && c.result.measured.readThrottled === 0 && c.result.sync.runMs <= CAP_NOISE * u.result.sync.runMs) : undefined,
      figure:
        pairs.length > 0
          ? pairs.map(({ c, u }) => `${c.label} ${s(c.result.sync.runMs)} s with ${n(c.result.measured.readThrottled)} × 429 vs ${u.label} ${s(u.result.sync.runMs)} s with ${n(u.result.measured.readThrottled)} × 429`).join('; ')
          : 'not run (needs the read-limit run with and without the cap)',
    });
  }
  // 8. Issue 15: the start's round trips, and retries within their Retry-After window.
  verdicts.push(startTarget(bench), retryWindowTarget(bench));
  return verdicts;
}

/** How much longer a capped read-limit run may take than the uncapped one and still count as no slower. */
const CAP_NOISE = 1.02;

/** Issue 15's memory budgets, MB of peak RSS of the sync process. */
export const TAG_SHAPE_RSS_MB = 256;
export const NOOP_10K_RSS_MB = 160;
/** The shapes issue 15 names: repositories × tags per repository. */
export const JUDGED_TAG_SHAPES: readonly { repositories: number; tags: number }[] = [
  { repositories: 1000, tags: 1000 },
  { repositories: 100, tags: 10000 },
];

/**
 * Peak RSS against issue 15's budgets: ≤ 256 MB in the no-op and drift dry run of 1,000 × 1,000
 * and 100 × 10,000 (met only when all four ran; any one over is not met), ≤ 160 MB in the
 * 10,000 × 20 no-op, and the other 10,000 × 20 runs under 256 MB as before. Tag shapes other
 * than the judged ones are shown, not judged.
 */
export function memoryVerdicts(bench: BenchRun): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const shaped = tagShapeRuns(bench).filter((x) => isListingRun(x.result));
  const judged = (x: LabelledResult): boolean =>
    JUDGED_TAG_SHAPES.some((j) => j.repositories === x.result.spec.repositories && j.tags === x.result.spec.tagsPerRepository);
  const over = (x: LabelledResult, limitMb: number): boolean => x.result.sync.maxRssKb > limitMb * 1024;
  const inBudget = shaped.filter(judged);
  const others = shaped.filter((x) => !judged(x));
  const wanted = JUDGED_TAG_SHAPES.length * 2;
  const describe = (x: LabelledResult): string =>
    `${x.label}: ${mb(x.result.sync.maxRssKb)} MB in ${s(x.result.sync.runMs)} s, ${n(x.result.measured.totalRequests)} requests` +
    (x.result.reportJsonBytes !== undefined ? `, JSON report ${(x.result.reportJsonBytes / 1024 / 1024).toFixed(1)} MB` : '') +
    (x.result.verification.ok ? '' : ' (NOT VERIFIED)');
  verdicts.push({
    target: `Peak RSS ≤ ${TAG_SHAPE_RSS_MB} MB at 1,000 × 1,000 and 100 × 10,000 (no-op and drift dry run, JSON report written)`,
    met: inBudget.some((x) => over(x, TAG_SHAPE_RSS_MB)) ? false : inBudget.length >= wanted ? true : undefined,
    figure:
      (inBudget.length > 0 ? inBudget.map(describe).join('; ') : 'not run (no 1,000 × 1,000 or 100 × 10,000 row: --tag-shapes)') +
      (inBudget.length > 0 && inBudget.length < wanted ? ` (${inBudget.length} of ${wanted} rows run)` : '') +
      (others.length > 0 ? `; other shapes, not judged: ${others.map(describe).join('; ')}` : ''),
  });
  const noop10k = find(bench, 'noop', 10000);
  verdicts.push({
    target: `Peak RSS ≤ ${NOOP_10K_RSS_MB} MB in the 10,000 × ${TAGS_PER_REPOSITORY} no-op`,
    met: noop10k ? noop10k.sync.maxRssKb <= NOOP_10K_RSS_MB * 1024 : undefined,
    figure: noop10k ? `${mb(noop10k.sync.maxRssKb)} MB` : 'not run (no 10,000 no-op in this run)',
  });
  const rest = bench.results
    .map((x) => x.result)
    .filter((r) => isListingRun(r) && !isTagShapeRun(r) && r.spec.scenario !== 'readlimit' && r.spec.scenario !== 'noop' && r.expected.repositories === 10000);
  if (rest.length > 0) {
    verdicts.push({
      target: `Peak RSS under 256 MB in the other 10,000 × ${TAGS_PER_REPOSITORY} runs`,
      met: rest.every((r) => r.sync.maxRssKb < 256 * 1024),
      figure: rest.map((r) => `${r.spec.scenario}${r.spec.scenario === 'plan' ? ' (dry run, empty target)' : ''}: ${mb(r.sync.maxRssKb)} MB`).join('; '),
    });
  }
  return verdicts;
}
