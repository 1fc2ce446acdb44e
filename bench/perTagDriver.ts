/**
 * Child process of the benchmark: the per-tag strategy of skopeo sync and regsync, on the
 * same emulator and data as the tool. For every repository it lists the tags on both sides,
 * then asks each side for each source tag's manifest (HEAD, `Docker-Content-Digest`) to learn
 * the digests, and compares them. It uses the project's own data-plane client (AcrClient,
 * with its token cache), so the difference from the tool is the strategy alone.
 *
 *   node build/bench/perTagDriver.js '<json PerTagSpec>'
 *
 * Prints one line `BENCH_RESULT {json}`.
 */
import '../testkit/loopbackGuard';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { AzurePublicCloud, clientSecretCredential, createTransport, customizeCloud } from '../src/azure';
import { createAcrClient, type AcrClient } from '../src/azure/dataplane/acrClient';
import { systemClock } from '../src/engine/clock';
import { Pacer } from '../src/engine/pacer';

export interface PerTagSpec {
  sourceLoginServer: string;
  targetLoginServer: string;
  authorityHost: string;
  armEndpoint: string;
  acrAudience: string;
  caFile: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Repositories listed at once (the tool's listing concurrency, for a like-for-like run). */
  repositoryConcurrency: number;
  /** Requests in flight at once over both registries. */
  requestConcurrency: number;
  /** Only the first N repositories of the catalog (a sample); all when absent. */
  limit?: number;
}

export interface PerTagResult {
  runMs: number;
  repositories: number;
  tags: number;
  /** Tags whose digests differ or are missing in the target. */
  differing: number;
  maxRssKb: number;
  failures: string[];
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as PerTagSpec;
  const transport = createTransport({ version: 'bench', caPem: readFileSync(spec.caFile, 'utf8') });
  const cloud = customizeCloud(AzurePublicCloud, { authorityHost: spec.authorityHost, armEndpoint: spec.armEndpoint, acrAudience: spec.acrAudience });
  const credential = clientSecretCredential(spec.tenantId, spec.clientId, spec.clientSecret, cloud, transport);
  const source: AcrClient = createAcrClient(spec.sourceLoginServer, credential, cloud, transport);
  const target: AcrClient = createAcrClient(spec.targetLoginServer, credential, cloud, transport);

  const t0 = performance.now();
  const repositories: string[] = [];
  for await (const name of source.listRepositories()) {
    if (spec.limit !== undefined && repositories.length >= spec.limit) break;
    repositories.push(name);
  }
  // The engine's own limiter (no spacing), as the tool's listing uses it: only the strategy differs.
  const requests = new Pacer(spec.requestConcurrency, 0, systemClock);
  const repos = new Pacer(spec.repositoryConcurrency, 0, systemClock);
  let tags = 0;
  let differing = 0;
  const failures: string[] = [];

  const one = async (repository: string): Promise<void> => {
    try {
      // The tag lists (names only matter to this strategy), both sides at once.
      const [sourceTags] = await Promise.all([
        requests.run(() => source.listTags(repository)),
        requests.run(() => target.listTags(repository)),
      ]);
      const names = (sourceTags ?? []).map((t) => t.name);
      tags += names.length;
      // Then one manifest request per tag on each side, to learn the digests.
      const compared = await Promise.all(
        names.map(async (tag) => {
          const [a, b] = await Promise.all([
            requests.run(() => source.getManifestDigest(repository, tag)),
            requests.run(() => target.getManifestDigest(repository, tag)),
          ]);
          return a !== b;
        }),
      );
      differing += compared.filter(Boolean).length;
    } catch (error) {
      if (failures.length < 10) failures.push(`${repository}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await Promise.all(repositories.map((r) => repos.run(() => one(r))));
  const result: PerTagResult = {
    runMs: performance.now() - t0,
    repositories: repositories.length,
    tags,
    differing,
    maxRssKb: process.resourceUsage().maxRSS,
    failures,
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`perTagDriver: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 99;
});
