import { strict as assert } from 'node:assert';
import { planRepository } from '../../src/engine/tagMatcher';
import type { TagInfo } from '../../src/engine/ports';
import { D } from './memoryRegistry';

const tag = (name: string, n: number, writeEnabled = true): TagInfo => ({ name, digest: D(n), writeEnabled });

describe('planRepository', () => {
  it('classifies new, re-tagged and in-sync tags by digest; in-sync ones only counted', () => {
    const plan = planRepository('app', [tag('2.0', 2), tag('1.0', 1), tag('latest', 3)], [tag('1.0', 1), tag('latest', 2), tag('old', 9)], false);
    assert.deepEqual(
      plan.decisions.map((d) => [d.tag, d.kind, d.targetDigest]),
      [
        ['2.0', 'new', undefined],
        ['latest', 'retagged', D(2)],
      ],
    );
    assert.equal(plan.inSync, 1);
    assert.equal(plan.inSyncDigests, undefined);
    assert.deepEqual(plan.groups, [
      { repository: 'app', targetRepository: 'app', sourceDigest: D(2), mode: 'NoForce', tags: ['2.0'] },
      { repository: 'app', targetRepository: 'app', sourceDigest: D(3), mode: 'Force', tags: ['latest'] },
    ]);
  });

  it('groups every tag of one digest and mode into one import, NoForce and Force apart', () => {
    const plan = planRepository('app', [tag('a', 1), tag('b', 1), tag('c', 1), tag('d', 1)], [tag('c', 2), tag('d', 3)], false);
    assert.deepEqual(
      plan.groups.map((g) => [g.sourceDigest, g.mode, g.tags]),
      [
        [D(1), 'NoForce', ['a', 'b']],
        [D(1), 'Force', ['c', 'd']],
      ],
    );
  });

  it('force re-imports in-sync tags with Force', () => {
    const plan = planRepository('app', [tag('1.0', 1)], [tag('1.0', 1)], true);
    assert.equal(plan.decisions[0].kind, 'forced');
    assert.deepEqual(plan.groups, [{ repository: 'app', targetRepository: 'app', sourceDigest: D(1), mode: 'Force', tags: ['1.0'] }]);
  });

  it('never plans a write to a locked tag that would change, and leaves a locked in-sync tag alone', () => {
    const plan = planRepository('app', [tag('moved', 1), tag('same', 2)], [tag('moved', 5, false), tag('same', 2, false)], false);
    assert.deepEqual(plan.decisions.map((d) => [d.kind, d.lockedBy]), [['locked', 'tag']]);
    assert.equal(plan.inSync, 1);
    assert.deepEqual(plan.groups, []);
    const forced = planRepository('app', [tag('same', 2)], [tag('same', 2, false)], true);
    assert.deepEqual(forced.decisions.map((d) => d.kind), ['locked']);
    assert.deepEqual(forced.groups, []);
  });

  it('plans nothing for an identical repository, and holds no decision for it', () => {
    const plan = planRepository('app', [tag('1', 1), tag('2', 2)], [tag('2', 2), tag('1', 1)], false);
    assert.deepEqual(plan.groups, []);
    assert.deepEqual(plan.decisions, []);
    assert.equal(plan.inSync, 2);
  });

  it('keeps the distinct in-sync digests only when asked (referrers all)', () => {
    const source = [tag('1', 1), tag('1.0', 1), tag('2', 2), tag('new', 3)];
    const target = [tag('1', 1), tag('1.0', 1), tag('2', 2)];
    const plan = planRepository('app', source, target, false, 'app', true);
    assert.deepEqual([...(plan.inSyncDigests ?? [])].sort(), [D(1), D(2)]);
    assert.equal(plan.inSync, 3);
    assert.deepEqual(plan.decisions.map((d) => d.tag), ['new']);
  });
});
