/**
 * The referrers rows of the benchmark (`--scenarios referrers`): the generated registry of N
 * repositories × 20 tags, where the first tag's image of every repository is signed (Notation)
 * and has an SBOM that is signed too — three referrers per repository. Against an empty target,
 * on one emulator, four runs of the real command line in a child process:
 * 1. `--referrers imported`, first sync: every tag and every referrer copied;
 * 2. `--referrers imported`, no-op: no referrers listing at all (budget: none for digests in sync);
 * 3. a late signature added to each signed image, then `--referrers imported`: still nothing;
 * 4. `--referrers all`: one listing per digest in sync and side (and per referrer present), the
 *    late signatures copied.
 * Each row says requests, referrers listings per side, imports, wall time and whether the
 * target then holds every source tag and every source referrer.
 */
import { join } from 'node:path';
import type { Emulator } from '../testkit/emulator';
import { runChild } from './child';
import { cliArguments, snapshot, startBenchEmulator } from './harness';
import type { BenchOptions } from './options';
import type { ScenarioSpec } from './scenario';
import type { SyncDriverResult } from './syncDriver';
import { buildWorld, type World } from './world';

const NOTATION = 'application/vnd.cncf.notary.signature';
const SPDX = 'application/spdx+json';

export interface ReferrersRow {
  label: string;
  repositories: number;
  exitCode: number;
  requests: number;
  sourceListings: number;
  targetListings: number;
  /** importImage POSTs: with tags, and untagged (referrers). */
  tagImports: number;
  referrerImports: number;
  /** Digests whose referrers the run had reason to list (imported, or with `all` in sync). */
  runMs: number;
  verified: boolean;
  problems: string[];
}

/** Every referrer digest of `digest`, recursively. */
function tree(em: Emulator, registry: string, repository: string, digest: string): string[] {
  return em
    .registry(registry)
    .referrers(repository, digest)
    .flatMap((d) => [d.digest, ...tree(em, registry, repository, d.digest)]);
}

function sign(em: Emulator, world: World): Map<string, string> {
  const source = em.registry(world.source);
  const subjects = new Map<string, string>();
  for (const repository of source.repositories()) {
    const first = [...source.tags(repository).entries()].sort(([a], [b]) => (a < b ? -1 : 1))[0];
    if (first === undefined) continue;
    const subject = first[1];
    subjects.set(repository, subject);
    source.attach(repository, subject, { artifactType: NOTATION, seed: `${repository}-signature` });
    const sbom = source.attach(repository, subject, { artifactType: SPDX, seed: `${repository}-sbom` });
    source.attach(repository, sbom, { artifactType: NOTATION, seed: `${repository}-sbom-signature` });
  }
  return subjects;
}

function check(em: Emulator, world: World, subjects: Map<string, string>, exitCode: number): string[] {
  const problems: string[] = [];
  if (exitCode !== 0) problems.push(`the command line exited ${exitCode}`);
  const source = snapshot(em, world.source);
  const target = snapshot(em, world.target);
  for (const [repository, tags] of source) {
    for (const [tag, digest] of tags) if (target.get(repository)?.get(tag) !== digest) problems.push(`target ${repository}:${tag} differs`);
  }
  for (const [repository, subject] of subjects) {
    const want = tree(em, world.source, repository, subject).sort().join();
    const got = tree(em, world.target, repository, subject).sort().join();
    if (want !== got) problems.push(`target ${repository}@${subject.slice(0, 19)} lacks referrers`);
  }
  return problems.slice(0, 10);
}

export async function runReferrersRows(o: BenchOptions, log: (line: string) => void): Promise<ReferrersRow[]> {
  const repositories = o.referrersSize;
  const spec: ScenarioSpec = {
    scenario: 'referrers',
    repositories,
    latencyMs: o.latencyMs,
    importConcurrency: o.importConcurrency,
    importRetryAfterSeconds: o.retryAfterSeconds,
    armWriteThrottling: false,
    workDir: join(o.workDir, `referrers-${repositories}`),
  };
  const world = buildWorld({ repositories, target: 'empty' });
  const em = await startBenchEmulator(world, spec);
  const rows: ReferrersRow[] = [];
  try {
    const subjects = sign(em, world);
    const run = async (label: string, mode: string, checkAll: boolean): Promise<void> => {
      em.log.clear();
      const output = join(o.workDir, `referrers-${repositories}-${rows.length + 1}.out.txt`);
      const child = await runChild<SyncDriverResult>('syncDriver.js', [output, '--', ...cliArguments(world, em, spec), '--referrers', mode], {
        AZURE_TENANT_ID: world.tenantId,
        AZURE_CLIENT_ID: world.clientId,
        AZURE_CLIENT_SECRET: world.clientSecret,
        NODE_EXTRA_CA_CERTS: em.caFile,
      });
      if (child.result === undefined) throw new Error(`the sync driver ended ${child.code} without a result:\n${child.stderr.slice(0, 2000)}`);
      const entries = em.log.entries();
      const listings = (registry: string): number => entries.filter((e) => e.route === 'acr.referrers' && e.service === `acr:${registry}` && e.status === 200).length;
      const imports = entries.filter((e) => e.route === 'arm.importImage');
      const untagged = imports.filter((e) => (e.body as { untaggedTargetRepositories?: unknown }).untaggedTargetRepositories !== undefined).length;
      const problems = checkAll ? check(em, world, subjects, child.result.exitCode) : child.result.exitCode === 0 ? [] : [`exit ${child.result.exitCode}`];
      const row: ReferrersRow = {
        label,
        repositories,
        exitCode: child.result.exitCode,
        requests: entries.length,
        sourceListings: listings(world.source),
        targetListings: listings(world.target),
        tagImports: imports.length - untagged,
        referrerImports: untagged,
        runMs: child.result.runMs,
        verified: problems.length === 0,
        problems,
      };
      rows.push(row);
      log(
        `  → ${label} ${repositories}: ${(row.runMs / 1000).toFixed(1)} s, ${row.requests} requests (${(row.requests / repositories).toFixed(2)} per repository), ` +
          `referrers listings ${row.sourceListings} source / ${row.targetListings} target, imports ${row.tagImports} tagged + ${row.referrerImports} referrers, ${row.verified ? 'verified' : `NOT VERIFIED: ${problems[0]}`}`,
      );
    };
    log(`  referrers ${repositories}: ${subjects.size} signed images, ${3 * subjects.size} referrers; syncing…`);
    await run('referrers imported, first sync', 'imported', true);
    await run('referrers imported, no-op', 'imported', true);
    for (const [repository, subject] of subjects) em.registry(world.source).attach(repository, subject, { artifactType: NOTATION, seed: `${repository}-late-signature` });
    await run('referrers imported, no-op after new signatures', 'imported', false);
    await run('referrers all, new signatures', 'all', true);
  } finally {
    await em.stop();
  }
  return rows;
}

/** The Markdown section of BENCHMARKS.md for the referrers rows. */
export function referrersSection(rows: readonly ReferrersRow[], latencyMs: number): string[] {
  if (rows.length === 0) return [];
  const [first] = rows;
  return [
    '## Referrers (issue 13)',
    '',
    `The generated registry of ${first.repositories.toLocaleString('en-US')} repositories × 20 tags, the first tag's image of each signed (Notation) with an SBOM that is signed too: three referrers per repository, ${(3 * first.repositories).toLocaleString('en-US')} in all; an empty target; ${latencyMs} ms per request. Four runs in a row on one emulator: a first sync, a no-op, a no-op after a late signature was added to each signed image (\`imported\` does not look at digests in sync), and \`--referrers all\`, which copies the late signatures. Referrers listings count 200 answers per registry (every page). Verified: every source tag in the target at its digest and every source referrer listed for the same subject in the target (the third run is not expected to have the late signatures).`,
    '',
    renderReferrersRows(rows),
    '',
    'Budget: `imported` lists at most one referrers page per imported digest and side (tag imports and referrer copies both count as imported digests) and none for digests in sync, so a no-op costs what it cost without referrers.',
    '',
  ];
}

export function renderReferrersRows(rows: readonly ReferrersRow[]): string {
  const lines = ['| run | repositories | requests | per repository | referrers listings (source / target) | imports (tagged + referrers) | time | verified |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(
      `| ${r.label} | ${r.repositories.toLocaleString('en-US')} | ${r.requests.toLocaleString('en-US')} | ${(r.requests / r.repositories).toFixed(2)} | ${r.sourceListings} / ${r.targetListings} | ${r.tagImports} + ${r.referrerImports} | ${(r.runMs / 1000).toFixed(1)} s | ${r.verified ? 'yes' : 'NO'} |`,
    );
  }
  return lines.join('\n');
}
