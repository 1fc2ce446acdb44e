/**
 * N command lines with --shard-index 1..N against one emulator do, together, exactly what one
 * unsharded run does: the same target, the same import calls, no repository imported twice.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator, RegistryFixture } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import { importBodies, registries, release, runCli, snapshot, SOURCE, TARGET, twoRegistries } from './support/cliHarness';

const SHARDS = 3;

function sourceRepositories(): RegistryFixture['repositories'] {
  const repos: RegistryFixture['repositories'] = {};
  for (let i = 0; i < 15; i++) repos[`team/svc${i}`] = { ...release(`svc${i}-1`, '1.0', 'latest'), ...release(`svc${i}-2`, '2.0') };
  return repos;
}

/** Every importImage call an emulator received, as comparable text, in sorted order. */
function importCalls(emulator: Emulator): string[] {
  return importBodies(emulator).map((b) => `${b.source.sourceImage} ${b.mode} ${b.targetTags.join(',')}`).sort();
}

describe('acr-transfer command line: sharding', function () {
  this.timeout(120_000);
  const work = mkdtempSync(join(tmpdir(), 'cli-shard-'));
  let emulators: Emulator[] = [];
  afterEach(async () => {
    await Promise.all(emulators.map((e) => e.stop()));
    emulators = [];
  });

  async function start(): Promise<Emulator> {
    const e = await startEmulator({ fixture: twoRegistries(sourceRepositories(), { 'team/svc0': release('svc0-1', '1.0') }), importRetryAfterSeconds: 1, importDurationMs: 0 });
    emulators.push(e);
    return e;
  }

  it(`${SHARDS} shards together do exactly the unsharded sync`, async () => {
    const whole = await start();
    assert.equal((await runCli(whole, registries())).code, 0);
    const expectedImports = importCalls(whole);

    const sharded = await start();
    const selected: string[] = [];
    for (let index = 1; index <= SHARDS; index++) {
      const reportPath = join(work, `shard-${index}.json`);
      const result = await runCli(sharded, [...registries(), '--shard-index', String(index), '--shard-count', String(SHARDS), '--report-json', reportPath]);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.stdout.includes(`Shard ${index} of ${SHARDS}: `), result.stdout);
      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
      assert.deepEqual(report.selection.shard, { index, count: SHARDS, selectedInAllShards: 15 });
      selected.push(...report.repositories.map((r) => r.name));
    }
    assert.equal(new Set(selected).size, 15, 'every repository in exactly one shard');
    assert.equal(selected.length, 15);
    assert.deepEqual(snapshot(sharded, TARGET), snapshot(whole, TARGET));
    assert.deepEqual(snapshot(sharded, TARGET), snapshot(sharded, SOURCE));
    const shardedImports = importCalls(sharded);
    assert.deepEqual(shardedImports, expectedImports, 'the same import calls, none twice');
  });
});
