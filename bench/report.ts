/**
 * Turns benchmark results into the console table and BENCHMARKS.md: the machine and settings,
 * a table per scenario and size, requests per route, the scaling and per-tag ratios, the ARM
 * pacing and read-limit figures, and each target of issue 5 marked met or not with its figure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_HELD_ACCESS_TOKENS, MAX_SCOPES_PER_TOKEN_REQUEST } from '../src/azure/dataplane/acrTokens';
import { DEFAULT_LIST_CONCURRENCY } from '../src/engine/syncOptions';
import { DEFAULT_MAX_CONCURRENCY } from '../src/options/table';
import {
  ARM_READ_BURST,
  ARM_READ_REFILL_PER_SECOND,
  ARM_WRITE_BURST,
  ARM_WRITE_REFILL_PER_SECOND,
  CHAIN_ROUND_TRIPS,
  EMULATOR_AUTHORITY_DISCOVERY,
  START_ROUND_TRIPS_ON_AZURE,
  writeBudgetMs,
} from './costModel';
import { mb, n, ratio, s, throttledPercent } from './format';
import { sum } from './measure';
import { READS_PER_MINUTE } from './readCap';
import { referrersSection } from './referrers';
import { ADDRESS_HEADER, addressComparisons, addressEstimate, addressExplanation, addressRows } from './addressSource';
import { find, largestOf, runName, runsOf, type BenchRun, type LabelledResult } from './results';
import { evaluateTargets } from './targets';
import { retryWindowSection, START_ROUND_TRIPS_NOTE } from './retryReport';
import { whereTheTimeGoes } from './timeSpent';
import { SOURCE, TAGS_PER_REPOSITORY, TARGET } from './world';

function row(cells: (string | number)[]): string {
  return `| ${cells.map(String).join(' | ')} |`;
}

function table(header: string[], rows: (string | number)[][]): string[] {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)];
}

const MAIN_HEADER = [
  'run',
  'repos',
  'tags',
  'requests',
  'listing (expected)',
  'tokens src/tgt (bound; scopes)',
  'manifest reads',
  'imports (groups / pairs / tags)',
  '429 writes',
  'time s',
  'ideal s',
  '× ideal',
  'peak RSS MB',
  'target = source',
];

function mainRow({ label, result: r }: LabelledResult): (string | number)[] {
  const e = r.expected;
  const m = r.measured;
  const importRun = r.spec.scenario !== 'noop' && r.spec.scenario !== 'readlimit';
  return [
    label,
    n(e.repositories),
    n(e.sourceTags),
    n(m.totalRequests),
    `${n(m.listing)} (${n(e.listing)})`,
    `${n(m.sourceTokens)}/${n(m.targetTokens)} (${n(e.sourceTokenBound)}/${n(e.targetTokenBound)}; ${n(e.sourceScopes)}/${n(e.targetScopes)})`,
    n(m.perTagRequests),
    importRun ? `${n(m.importAccepted)} (${n(e.groups)} / ${n(e.pairs)} / ${n(e.tagsToMove)})` : n(m.importAccepted),
    m.importPosts > 0 ? `${n(m.importThrottled)} of ${n(m.importPosts)}` : '—',
    r.repeatedRunMs === undefined ? s(r.sync.runMs) : `${s(r.sync.runMs)} (median of ${r.repeatedRunMs.map(s).join(' / ')})`,
    s(r.ideal.totalMs),
    ratio(r.sync.runMs, r.ideal.totalMs),
    mb(r.sync.maxRssKb),
    r.verification.ok ? 'yes' : `**NO** (${r.verification.problems[0] ?? ''})`,
  ];
}

/** The main table's runs: the source an ACR named by its resource (a source named by address has its own table). */
const listingResults = (bench: BenchRun): LabelledResult[] => bench.results.filter((x) => x.result.spec.sourceBy !== 'address');

export function renderConsoleTable(bench: BenchRun): string {
  const rows = [MAIN_HEADER, ...listingResults(bench).map(mainRow).map((r) => r.map(String))];
  const widths = MAIN_HEADER.map((_, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), 0));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const perTag = perTagRows(bench);
  if (perTag.length > 0) {
    lines.push('', 'per-tag strategy vs listing (same data, same concurrency):');
    for (const p of perTag) lines.push(`  ${p.size} repos: per-tag ${n(p.perTagRequests)} requests in ${s(p.perTagMs)} s, listing ${n(p.toolRequests)} in ${s(p.toolMs)} s: ×${p.requestRatio.toFixed(1)} requests, ×${p.timeRatio.toFixed(1)} time`);
  }
  const byAddress = addressComparisons(bench);
  if (byAddress.length > 0) {
    lines.push('', 'source named by address (one HEAD per tag) vs the ACR listing (same data):');
    for (const c of byAddress) {
      const a = c.address;
      const l = c.listing;
      lines.push(
        `  ${c.label} ${n(a.expected.repositories)}: ${n(a.measured.totalRequests)} requests (${(a.measured.totalRequests / a.expected.sourceTags).toFixed(2)} per tag, ${n(a.sourceHeads?.ok ?? 0)} HEADs) in ${s(a.sync.runMs)} s, RSS ${mb(a.sync.maxRssKb)} MB` +
          (l ? `; listing ${n(l.measured.totalRequests)} (${(l.measured.totalRequests / l.expected.sourceTags).toFixed(2)} per tag) in ${s(l.sync.runMs)} s` : '') +
          `; imports ${l && a.importSet?.fingerprint === l.importSet?.fingerprint ? 'the same' : l ? 'DIFFERENT' : 'not compared'}; ${a.verification.ok ? 'verified' : 'NOT VERIFIED'}`,
      );
    }
  }
  lines.push('', ...evaluateTargets(bench).map((t) => `${t.met === true ? 'MET    ' : t.met === false ? 'NOT MET' : 'n/a    '} ${t.target}: ${t.figure}`));
  return lines.join('\n');
}

interface PerTagRow {
  size: number;
  repositories: number;
  perTagRequests: number;
  perTagManifest: number;
  perTagTokens: number;
  perTagMs: number;
  perTagIdealMs: number;
  toolRequests: number;
  toolMs: number;
  requestRatio: number;
  timeRatio: number;
}

function perTagRows(bench: BenchRun): PerTagRow[] {
  return bench.results
    .filter((x) => x.result.perTag !== undefined && x.result.spec.scenario === 'noop')
    .map(({ result: r }) => {
      const p = r.perTag!;
      return {
        size: r.expected.repositories,
        repositories: p.repositories,
        perTagRequests: p.totalRequests,
        perTagManifest: p.manifestRequests,
        perTagTokens: p.tokenRequests,
        perTagMs: p.result.runMs,
        perTagIdealMs: p.idealMs,
        toolRequests: r.measured.totalRequests,
        toolMs: r.sync.runMs,
        requestRatio: p.totalRequests / r.measured.totalRequests,
        timeRatio: p.result.runMs / r.sync.runMs,
      };
    });
}

function requestsPerRoute(bench: BenchRun): string[] {
  const routes = new Set<string>();
  for (const { result } of bench.results) {
    for (const [service, byRoute] of Object.entries(result.measured.counts)) for (const route of Object.keys(byRoute)) routes.add(`${service} ${route}`);
  }
  const ordered = [...routes].sort();
  const header = ['service route', ...bench.results.map((x) => runName(x.label, x.result.spec))];
  const rows = ordered.map((key) => {
    const [service, route] = key.split(' ') as [string, string];
    return [
      `${service.replace(`acr:${SOURCE}`, 'acr:source').replace(`acr:${TARGET}`, 'acr:target')} ${route}`,
      ...bench.results.map((x) => {
        const byStatus = x.result.measured.counts[service]?.[route];
        if (!byStatus) return '';
        const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
        const odd = Object.entries(byStatus).filter(([st]) => !st.startsWith('2'));
        return `${n(total)}${odd.length > 0 ? ` (${odd.map(([st, c]) => `${c}×${st}`).join(', ')})` : ''}`;
      }),
    ];
  });
  return table(header, rows);
}

function readLimitTable(bench: BenchRun): string[] {
  const noop = largestOf(bench, 'noop');
  if (!noop) return ['No no-op run, so no read-limit estimate.'];
  const src = sum(noop.measured.counts, (service) => service === `acr:${SOURCE}`);
  const dst = sum(noop.measured.counts, (service) => service === `acr:${TARGET}`);
  const reads = Math.max(src, dst);
  const lines = [
    `Reads of the ${n(noop.expected.repositories)} × ${TAGS_PER_REPOSITORY} no-op (every data-plane request counts, token requests included, as the emulator meters them): source ${n(src)}, target ${n(dst)}. ` +
      'Each registry has its own limit and both are read at once, so the time is set by the busier one: reads ÷ rate.',
    '',
    ...table(
      ['tier', 'reads / min', 'time under the limit', 'measured without a limit'],
      (Object.keys(READS_PER_MINUTE) as (keyof typeof READS_PER_MINUTE)[]).map((tier) => [
        tier,
        n(READS_PER_MINUTE[tier]),
        `${((reads / READS_PER_MINUTE[tier]) * 60).toFixed(0)} s (${(reads / READS_PER_MINUTE[tier]).toFixed(1)} min)`,
        `${s(noop.sync.runMs)} s`,
      ]),
    ),
  ];
  const limited = bench.results.filter((x) => x.result.spec.scenario === 'readlimit');
  for (const { label, result: r } of limited) {
    const sku = r.spec.readLimitSku ?? 'Basic';
    const rate = READS_PER_MINUTE[sku];
    const readsSrc = sum(r.measured.counts, (service, _route, status) => service === `acr:${SOURCE}` && status !== 429);
    const readsDst = sum(r.measured.counts, (service, _route, status) => service === `acr:${TARGET}` && status !== 429);
    const busier = Math.max(readsSrc, readsDst);
    // The emulator's bucket starts full with one minute's worth.
    const predicted = (Math.max(0, busier - rate) / rate) * 60_000;
    lines.push(
      '',
      `Measured (${label}): a no-op of ${n(r.expected.repositories)} × ${TAGS_PER_REPOSITORY} with both registries at ${sku} (${n(rate)} reads/min, bucket starting full with one minute's worth)` +
        `${r.spec.toolFlags && r.spec.toolFlags.length > 0 ? ` and the tool's cap \`${r.spec.toolFlags.join(' ')}\`` : ''}: ` +
        `${r.verification.ok ? 'completed' : '**failed**'} in ${s(r.sync.runMs)} s; ${n(busier)} reads on the busier registry, so the limit allows it in ${s(predicted)} s at best; ` +
        `${n(r.measured.readThrottled)} requests answered 429 and were retried.`,
    );
  }
  return lines;
}

export function renderMarkdown(bench: BenchRun): string {
  const { machine: m, options: o } = bench;
  const out: string[] = [];
  const push = (...lines: string[]): void => void out.push(...lines);
  push(
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/main.ts) on ${m.date.slice(0, 10)}; rerun it to refresh this file. ` +
      'Every figure below is measured on the emulator (testkit/emulator) over HTTPS on 127.0.0.1 with an injected latency per request; ' +
      'the sync runs the real command line (`runCli`, the code of `acr-transfer`) in its own process.',
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpuModel}, ${m.cores} cores`,
    `- Memory: ${m.memoryGiB} GiB`,
    `- Node.js ${m.node}, ${m.os}`,
    `- Date: ${m.date}`,
    `- Whole benchmark: ${(bench.totalMs / 60000).toFixed(1)} min`,
    '',
    '## Settings',
    '',
    `- Data: \`generateRegistries\` of the emulator (seed fixed): N repositories × ${TAGS_PER_REPOSITORY} tags, releases sharing manifests (\`1.4.2\`, \`1.4\`, \`1\`, \`latest\`), about 10 % multi-arch indexes and 5 % Helm charts; ` +
      'target identical (no-op), empty (full, plan, pacing) or with 10 % of the tags drifted (half missing, half pointing at another manifest).' +
      (o.tagShapes.length > 0 ? ` The many-tags rows (issue 15) use the same generator at ${o.tagShapes.map((t) => `${n(t.repositories)} × ${n(t.tags)}`).join(' and ')}; their label says their shape.` : ''),
    ...(o.tagShapes.length > 0
      ? [
          '- Many-tags rows (`--tag-shapes`): per shape a no-op and a "drift (dry run)", the 10 %-drifted target planned with `--dry-run`. ' +
            "A real 10 % drift of 1,000 × 1,000 is about 100,000 tags to import, hours under ARM's write budget (10 imports/s, which the tool paces itself under); " +
            'the memory question is planning and reporting 100,000 tags with work, which the dry run does in full: the plan, the report and the JSON report. ' +
            'Both rows write the JSON report (`--report-json` into the run\'s work folder), as writing it is part of the memory measured; the other rows write none.',
        ]
      : []),
    `- Latency: ${o.latencyMs} ms added by the emulator to every request (Entra, ARM and both registries).`,
    `- The tool at its defaults except \`--max-concurrency ${o.importConcurrency}\` (imports in flight; default ${DEFAULT_MAX_CONCURRENCY}). ` +
      `Listing runs ${DEFAULT_LIST_CONCURRENCY} repositories at once (\`DEFAULT_LIST_CONCURRENCY\`), each on both registries at once, so up to ${2 * DEFAULT_LIST_CONCURRENCY} requests are in flight.`,
    `- Ideal time = ${CHAIN_ROUND_TRIPS} × latency for the round trips no client can overlap before its first tag listing (decision 018: the start of ${START_ROUND_TRIPS_ON_AZURE} on Azure, ` +
      `${EMULATOR_AUTHORITY_DISCOVERY} more for the emulator authority's openid-configuration, the first catalog page, the first repository token), ` +
      `+ the other requests outside imports × latency ÷ ${2 * DEFAULT_LIST_CONCURRENCY}, plus for imports the largest of: ⌈imports ÷ ${o.importConcurrency}⌉ × (3 × latency + Retry-After); ` +
      `ARM's write budget (imports − ${ARM_WRITE_BURST}) ÷ ${ARM_WRITE_REFILL_PER_SECOND}/s; ARM's read budget for the polls (2 × imports − ${ARM_READ_BURST}) ÷ ${ARM_READ_REFILL_PER_SECOND}/s. ` +
      'The budgets bind any client in Azure, and the tool paces itself under them by default, so they are part of the ideal whether or not the emulator enforces them.',
    `- Imports: a fast setting of the emulator, scaled down from Azure's recorded one (Retry-After 10 s, done by the first poll after it): importImage answers 202 with \`Retry-After: ${o.retryAfterSeconds}\` and each import runs ${o.retryAfterSeconds} s server-side on the emulator's clock; the SDK's poller polls at once (still running: 202, Retry-After ${o.retryAfterSeconds} s), waits, and the second poll finds the import done — ` +
      `so an import takes at least ${o.retryAfterSeconds} s, as a real one does, and costs one POST and two polls. ` +
      `The emulator's ARM write throttling (${ARM_WRITE_BURST} burst, +${ARM_WRITE_REFILL_PER_SECOND}/s per subscription) is on in the pacing run only; its ARM read throttling is off.`,
    "- The sync trusts the emulator's CA through `NODE_EXTRA_CA_CERTS`, as a machine talking to Azure needs no extra CA; the `--ca-file` row shows the cost of the per-client CA path (a TLS-inspecting proxy's).",
    '- Time is `runCli` from call to return (sign-in, registry lookup, listing, imports, verification, report); peak RSS is the sync process\'s own high-water mark (Linux `VmHWM`; `process.resourceUsage().maxRSS` elsewhere, which on Linux can carry the bench process\'s pages from the fork before exec).',
    '- Every import run is verified: afterwards each source tag is in the target at the source digest, target-only tags are untouched, the source is unchanged, and accepted imports equal the expected (repository, digest, mode) groups. A dry run and a no-op must leave the target as it was.',
    '',
    '## Results',
    '',
    ...((bench.failures ?? []).length > 0 ? ['**Runs that did not complete:**', '', ...(bench.failures ?? []).map((f) => `- ${f}`), ''] : []),
    'Columns: listing = catalog + `_tags` requests answered (expected from the generated data: catalog pages + tag pages of both sides, up to 1,000 tags a page, + the pages of the read-back of each repository with imports, one at 20 tags); ' +
      `tokens = \`/oauth2/token\` requests per registry (a 429 and its retry count once) against their bound (the catalog's, then ${MAX_SCOPES_PER_TOKEN_REQUEST} repository scopes per request, one request short; read-backs ask again only when the ${MAX_HELD_ACCESS_TOKENS} held tokens no longer include theirs) and the scopes the run needs; ` +
      'manifest reads = manifest, single-tag, manifest-listing and manifest-properties requests (per-tag reads: none in a no-op; in runs with imports, the tool\'s index-size check: one `_manifests` listing per repository with more than 2 digests to import and a read per index among them, a read per digest in smaller repositories); ' +
      'imports = accepted importImage calls (expected groups / distinct (repository, digest) pairs / tags to move).',
    '',
    ...table(MAIN_HEADER, listingResults(bench).map(mainRow)),
    '',
    'Phases of each sync (from its output): sign-in and registry lookup / plan (catalog, listings) / imports, verification and report; CPU of the sync process. ' +
      START_ROUND_TRIPS_NOTE,
    '',
    ...table(
      ['run', 'repos', 'connect s', 'start round trips', 'plan s', 'execute s', 'CPU user+sys s', 'exit'],
      bench.results.map(({ label, result: r }) => [
        label,
        n(r.expected.repositories),
        r.sync.phases.connectMs !== undefined ? s(r.sync.phases.connectMs) : '—',
        r.startRoundTrips !== undefined ? r.startRoundTrips : '—',
        r.sync.phases.planMs !== undefined ? s(r.sync.phases.planMs) : '—',
        r.sync.phases.executeMs !== undefined ? s(r.sync.phases.executeMs) : '—',
        s(r.sync.cpuUserMs + r.sync.cpuSystemMs),
        String(r.sync.exitCode) + (r.sync.errors.length > 0 ? ` (${r.sync.errors[0]?.slice(0, 120) ?? ''})` : ''),
      ]),
    ),
    '',
    ...retryWindowSection(bench),
    '### Where the time goes',
    '',
    ...bench.results.flatMap((x) => [whereTheTimeGoes(x), '']),
    '### Requests per route',
    '',
    'Statuses other than 2xx in brackets (401 = the challenge of a first, bare request; 404 = a repository missing in the target; 429 = throttled).',
    '',
    ...requestsPerRoute(bench),
    '',
  );

  // Scaling.
  const noops = runsOf(bench, 'noop');
  push('## Scaling', '');
  if (noops.length > 1) {
    push(
      ...table(
        ['from', 'to', 'time ratio', 'request ratio', 'repository ratio'],
        noops.slice(1).map((b, i) => {
          const a = noops[i];
          return [n(a.expected.repositories), n(b.expected.repositories), ratio(b.sync.runMs, a.sync.runMs), ratio(b.measured.totalRequests, a.measured.totalRequests), ratio(b.expected.repositories, a.expected.repositories)];
        }),
      ),
      '',
    );
  } else push('Only one no-op size was run.', '');

  // Per-tag.
  const perTag = perTagRows(bench);
  push('## Per-tag strategy vs listing', '');
  push(
    'The per-tag strategy is what skopeo sync and regsync do: list the tags of each repository on both sides, then ask each side for every source tag\'s manifest (HEAD) to learn its digest. ' +
      `It runs in bench/perTagDriver.ts with the project's own data-plane client (AcrClient, same token cache, same HTTP pipeline), ${DEFAULT_LIST_CONCURRENCY} repositories at once and at most ${2 * DEFAULT_LIST_CONCURRENCY} requests in flight — the tool's own parallelism — against the same emulator and data as the no-op sync. ` +
      '(Its tag lists use `/acr/v1/{repo}/_tags`, as the emulator has no `/v2/{repo}/tags/list`; for ≤ 1000 tags that is the same one request. Its manifest requests need a `pull` token besides the `metadata_read` one, as they would with this client against ACR.)',
    '',
  );
  if (perTag.length > 0) {
    push(
      ...table(
        ['repos', 'per-tag requests (manifest HEADs, tokens)', 'per-tag time s (ideal)', 'listing requests', 'listing time s', 'requests ×', 'time ×'],
        perTag.map((p) => [n(p.size), `${n(p.perTagRequests)} (${n(p.perTagManifest)}, ${n(p.perTagTokens)})`, `${s(p.perTagMs)} (${s(p.perTagIdealMs)})`, n(p.toolRequests), s(p.toolMs), `${p.requestRatio.toFixed(1)}×`, `${p.timeRatio.toFixed(1)}×`]),
      ),
      '',
    );
    const big = noops[noops.length - 1];
    if (big && !perTag.some((p) => p.size === big.expected.repositories)) {
      const perRepo = (perTag[perTag.length - 1]).perTagRequests / (perTag[perTag.length - 1]).size;
      push(
        `At ${n(big.expected.repositories)} repositories the per-tag strategy was not run (it would take about ${((perRepo * big.expected.repositories * o.latencyMs) / (2 * DEFAULT_LIST_CONCURRENCY) / 60000).toFixed(0)} min at its ideal); ` +
          `by its request count per repository it would send about ${n(Math.round(perRepo * big.expected.repositories))} requests, ${((perRepo * big.expected.repositories) / big.measured.totalRequests).toFixed(1)}× the listing's ${n(big.measured.totalRequests)}.`,
        '',
      );
    }
  } else push('Not run.', '');

  // A source named by address, beside the listing.
  push('## A source named by address', '', addressExplanation(o.latencyMs), '');
  const byAddress = addressRows(bench);
  push(...(byAddress.length > 0 ? [...table(ADDRESS_HEADER, byAddress), ''] : ['Not run.', '']));
  const estimate = addressEstimate(bench);
  if (estimate !== undefined) push(estimate, '');

  // Pacing.
  const pacing = find(bench, 'pacing');
  push('## ARM write pacing', '');
  if (pacing) {
    push(
      `A full sync of ${n(pacing.expected.repositories)} repositories (${n(pacing.expected.groups)} imports, ${n(pacing.expected.tagsToMove)} tags) with the emulator's ARM write bucket on (${ARM_WRITE_BURST} burst, +${ARM_WRITE_REFILL_PER_SECOND}/s per subscription, 429 \`SubscriptionRequestsThrottled\` + Retry-After when empty), \`--max-concurrency ${pacing.spec.importConcurrency}\`, Retry-After ${pacing.spec.importRetryAfterSeconds} s on the import 202s:`,
      '',
      `- importImage POSTs: ${n(pacing.measured.importPosts)}, accepted ${n(pacing.measured.importAccepted)}, throttled (429) ${n(pacing.measured.importThrottled)} = ${throttledPercent(pacing.measured)} %`,
      `- polls: ${n(pacing.measured.importPolls)}`,
      `- time: ${s(pacing.sync.runMs)} s; the write budget alone needs (${n(pacing.expected.groups)} − ${ARM_WRITE_BURST}) ÷ ${ARM_WRITE_REFILL_PER_SECOND}/s = ${s(writeBudgetMs(pacing.expected.groups))} s`,
      `- target equals source afterwards: ${pacing.verification.ok ? 'yes' : `**no** (${pacing.verification.problems.join('; ')})`}`,
      '',
    );
  } else push('Not run in this benchmark.', '');

  push('## Registry read limits', '', ...readLimitTable(bench), '');
  push(...referrersSection(bench.referrers ?? [], bench.options.latencyMs));

  push('## Targets (issue 5)', '');
  for (const t of evaluateTargets(bench)) {
    push(`- **${t.met === true ? 'Met' : t.met === false ? 'Not met' : 'Not measured'}** — ${t.target}. ${t.figure}${t.gap ? ` (${t.gap})` : ''}.`);
  }
  push('');

  if (bench.profile) {
    const p = bench.profile;
    push(
      '## Where the time goes (CPU profile of the largest no-op)',
      '',
      `node --cpu-prof of the sync process: ${s(p.totalMs)} s sampled, of which ${s(p.idleMs)} s idle (waiting on the network). Busy time by area:`,
      '',
      ...table(['area', 'ms', 'share of busy'], p.byArea.slice(0, 12).map((a) => [a.area, a.ms.toFixed(0), `${(a.share * 100).toFixed(1)} %`])),
      '',
      'Top functions by self time:',
      '',
      ...table(['function', 'where', 'ms', 'share'], p.topFunctions.slice(0, 10).map((f) => [`\`${f.name}\``, `\`${f.where}\``, f.ms.toFixed(0), `${(f.share * 100).toFixed(1)} %`])),
      '',
    );
  }
  // The analysis of the gaps, kept by hand next to the harness (profiles and patched-build experiments).
  const findings = join(__dirname, '..', '..', 'bench', 'findings.md');
  if (existsSync(findings)) push(readFileSync(findings, 'utf8').trimEnd(), '');
  return `${out.join('\n')}\n`;
}
