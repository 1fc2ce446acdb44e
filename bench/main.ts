/**
 * `npm run bench`: the benchmark of issue 5. For each size and scenario it starts the emulator
 * with generated registries and injected latency, runs the real command line in a child
 * process, and records requests per route, wall time against the ideal time, peak RSS, import
 * calls against the (repository, digest) pairs to move, token requests against repository
 * scopes, and whether the target ended equal to the source. It also runs the per-tag strategy
 * of skopeo sync / regsync on the same data, the sync with the same source named by its address
 * (read as any OCI registry: one HEAD per tag), a full sync of about 5,000 imports under ARM's
 * write budget, and a no-op sync under an ACR tier's read limit. It prints a table and rewrites
 * BENCHMARKS.md.
 *
 *   npm run bench -- [--quick] [--sizes 100,1000,10000] [--latency-ms 20]
 *                    [--scenarios noop,full,drift,plan,pacing,readlimit,referrers,registry-source] [--no-write] …
 *   (--help lists every option)
 */
import '../testkit/loopbackGuard';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from './harness';
import { machine } from './machine';
import { planRuns } from './matrix';
import { parseBenchArguments, USAGE } from './options';
import { renderReferrersRows, runReferrersRows, type ReferrersRow } from './referrers';
import { newestProfile, summariseProfile, type ProfileSummary } from './profile';
import { renderConsoleTable, renderMarkdown } from './report';
import { runName, type BenchRun } from './results';
import type { ScenarioResult } from './scenario';

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
    const name = runName(label, spec);
    const workDir = join(o.workDir, name.replace(/,/g, '').replace(/[^a-z0-9]+/gi, '-'));
    const nodeFlags = profiled ? ['--cpu-prof', `--cpu-prof-dir=${join(workDir, 'profile')}`] : undefined;
    let result: ScenarioResult;
    try {
      result = await runScenario({ ...spec, ...(nodeFlags ? { nodeFlags } : {}), workDir, log });
    } catch (error) {
      // A harness failure (the sync process crashed without a result) skips this run, loudly.
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      log(`  → ${name}: HARNESS FAILURE: ${failures[failures.length - 1]}`);
      continue;
    }
    results.push({ label, result });
    const r = result;
    log(
      `  → ${name}: ${(r.sync.runMs / 1000).toFixed(1)} s (ideal ${(r.ideal.totalMs / 1000).toFixed(1)} s), ` +
        `${r.measured.totalRequests} requests, ${r.measured.importAccepted} imports (expected ${r.expected.groups}), ` +
        `RSS ${(r.sync.maxRssKb / 1024).toFixed(0)} MB, ${r.verification.ok ? 'verified' : `NOT VERIFIED: ${r.verification.problems[0] ?? ''}`}` +
        (r.perTag ? `; per-tag ${(r.perTag.result.runMs / 1000).toFixed(1)} s, ${r.perTag.totalRequests} requests` : ''),
    );
    if (profiled) {
      const file = newestProfile(join(workDir, 'profile'));
      if (file) profile = summariseProfile(file);
    }
  }
  let referrerRows: ReferrersRow[] = [];
  if (o.scenarios.has('referrers')) {
    try {
      referrerRows = await runReferrersRows(o, log);
    } catch (error) {
      failures.push(`referrers: ${error instanceof Error ? error.message : String(error)}`);
      log(`  → referrers: HARNESS FAILURE: ${failures[failures.length - 1]}`);
    }
  }
  // The emulator's memory (this process) is not a measured figure, but the many-tags rows hold a million tags here.
  log(`bench process (generator, emulator, snapshots) peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  const bench: BenchRun = { machine: machine(), options: o, results, failures, totalMs: Date.now() - started, ...(profile ? { profile } : {}), ...(referrerRows.length > 0 ? { referrers: referrerRows } : {}) };
  writeFileSync(join(o.workDir, 'results.json'), `${JSON.stringify(bench, (_k, v: unknown) => (v instanceof Set ? [...v] : v), 2)}\n`);
  process.stdout.write(`\n${renderConsoleTable(bench)}\n`);
  if (referrerRows.length > 0) {
    writeFileSync(join(o.workDir, 'referrers.json'), `${JSON.stringify(referrerRows, null, 2)}\n`);
    process.stdout.write(`\nReferrers (${o.latencyMs} ms per request):\n${renderReferrersRows(referrerRows)}\n`);
  }
  if (o.write) {
    writeFileSync(o.out, renderMarkdown(bench));
    log(`Wrote ${o.out}; raw results in ${join(o.workDir, 'results.json')}.`);
  } else {
    log(`Raw results in ${join(o.workDir, 'results.json')} (BENCHMARKS.md left alone).`);
  }
  if (failures.length > 0 || results.some((r) => !r.result.verification.ok) || referrerRows.some((r) => !r.verified)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
