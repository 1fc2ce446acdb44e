import { strict as assert } from 'node:assert';
import { fnv1a32, shardOf } from '../../src/engine/sharding';
import { D, type Tags } from './memoryRegistry';
import { repositories, setup } from './syncHarness';

/** 60 repositories, mixed: some in sync, some with work, some ignored, nested names. */
function registry(): { source: Record<string, Tags>; target: Record<string, Tags> } {
  const source: Record<string, Tags> = { ...repositories(40, 'team/svc'), ...repositories(10, 'legacy/app', 100), ...repositories(10, 'base/img', 200) };
  const target: Record<string, Tags> = Object.fromEntries(Object.entries(source).filter((_, i) => i % 3 === 0));
  return { source, target };
}

describe('sharding', () => {
  it('hashes names with 32-bit FNV-1a over UTF-8 (published test vectors)', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
    assert.equal(fnv1a32('ü'), 0x119dd44a, 'bytes, not UTF-16 code units');
  });

  it('puts a repository in the same shard in every run and every version (1-based)', () => {
    // Frozen: changing the hash would move repositories between the shards of one migration.
    assert.deepEqual(
      ['team/api', 'team/web', 'legacy/app', 'base/node', 'helm/ingress', 'sandbox/x'].map((name) => shardOf(name, 4)),
      [4, 2, 3, 2, 2, 4],
    );
    assert.equal(shardOf('team/api', 1), 1);
  });

  for (const count of [1, 2, 3, 5]) {
    it(`${count} shards together select exactly the unsharded repositories, none twice`, async () => {
      const { source, target } = registry();
      const options = { ignorePatterns: ['legacy/app0[0-4]'], dryRun: true };
      const whole = await setup(source, target).run(options);
      assert.equal(whole.selection.ignored.length, 5);
      const seen: string[] = [];
      const ignored: string[] = [];
      for (let index = 1; index <= count; index++) {
        const shard = await setup(source, target).run({ ...options, shardIndex: String(index), shardCount: String(count) });
        assert.deepEqual(shard.selection.shard, { index, count, selectedInAllShards: whole.totals.repositories.selected });
        seen.push(...shard.repositories.map((r) => r.name));
        ignored.push(...shard.selection.ignored.map((i) => i.name));
      }
      assert.equal(new Set(seen).size, seen.length, 'no repository in two shards');
      assert.deepEqual([...seen].sort(), whole.repositories.map((r) => r.name));
      assert.deepEqual([...ignored].sort(), whole.selection.ignored.map((i) => i.name), 'each ignored repository is listed by one shard');
    });
  }

  it('shards of a real sync do the unsharded sync together: same target, same import calls', async () => {
    const { source, target } = registry();
    const whole = setup(source, target);
    await whole.run();
    const shared = setup(source, target);
    let calls = 0;
    for (let index = 1; index <= 3; index++) {
      const report = await shared.run({ shardIndex: String(index), shardCount: '3' });
      assert.equal(report.result, 'succeeded');
      calls += report.totals.importCalls;
    }
    assert.deepEqual(shared.target.snapshot(), whole.target.snapshot());
    assert.equal(calls, whole.importer.calls.length);
    assert.equal(shared.importer.calls.length, whole.importer.calls.length, 'nothing imported twice');
  });

  it('spreads repositories over the shards and is stable across runs', async () => {
    const { source } = registry();
    const first = await setup(source).run({ shardIndex: '2', shardCount: '4', dryRun: true });
    const again = await setup(source).run({ shardIndex: '2', shardCount: '4', dryRun: true });
    assert.deepEqual(first.repositories.map((r) => r.name), again.repositories.map((r) => r.name));
    assert.ok(first.totals.repositories.selected > 5 && first.totals.repositories.selected < 25, `shard 2 of 4 took ${first.totals.repositories.selected} of 60`);
  });

  it('applies max repositories per shard', async () => {
    const { source } = registry();
    for (let index = 1; index <= 3; index++) {
      const report = await setup(source).run({ shardIndex: String(index), shardCount: '3', maxRepositories: '2' });
      assert.equal(report.totals.repositories.done, 2);
      assert.equal(report.totals.repositories.deferred, report.totals.repositories.withWork - 2);
      assert.ok(report.repositories.every((r) => r.status !== 'deferred' || r.deferredBy === 'maxRepositories'));
    }
  });

  it('applies to a named repository too: another shard skips it', async () => {
    const name = 'team/api';
    const mine = shardOf(name, 2);
    const other = mine === 1 ? 2 : 1;
    const content = { [name]: { t: D(1) } };
    assert.equal((await setup(content).run({ repository: name, shardIndex: String(mine), shardCount: '2' })).totals.importCalls, 1);
    assert.deepEqual((await setup(content).run({ repository: name, shardIndex: String(other), shardCount: '2' })).repositories, []);
  });

  it('is absent from an unsharded report', async () => {
    const report = await setup({ app: { t: D(1) } }).run();
    assert.ok(!('shard' in report.selection));
  });
});
