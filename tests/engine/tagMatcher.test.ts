/**
 * The tag matcher (decision 017): pages of both listings matched as they come give the plan
 * that whole listings give, in any interleaving, and hold about a page's worth of tags when
 * both sides list in name order, as registries do.
 */
import { strict as assert } from 'node:assert';
import { decide, type RepositoryPlan, type TagDecision } from '../../src/engine/plan';
import type { TagInfo } from '../../src/engine/ports';
import { applyTagFilter, namePasses, type TagFilter } from '../../src/engine/tagFilter';
import { TagMatcher, type MatchOptions } from '../../src/engine/tagMatcher';
import { D } from './memoryRegistry';

/** A small deterministic generator, so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Source and target listings of one repository: shared, drifted, locked, one-sided tags. */
function listings(rand: () => number, count: number): { source: TagInfo[]; target: TagInfo[] } {
  const source: TagInfo[] = [];
  const target: TagInfo[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${['v', 'pr-', 'latest-', 'rc'][Math.floor(rand() * 4)]}${i}`;
    const digest = D(Math.floor(rand() * (count / 3)) + 1);
    const lastUpdated = 1_000 + Math.floor(rand() * 100);
    const roll = rand();
    if (roll < 0.6) {
      source.push({ name, digest, writeEnabled: true, lastUpdated });
      target.push({ name, digest: rand() < 0.15 ? D(count + i) : digest, writeEnabled: rand() > 0.05, lastUpdated });
    } else if (roll < 0.85) source.push({ name, digest, writeEnabled: true, lastUpdated });
    else target.push({ name, digest, writeEnabled: true, lastUpdated });
  }
  return { source: source.sort(byName), target: target.sort(byName) };
}

function pagesOf<T>(items: readonly T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  return pages;
}

/** What whole listings give (the planner before decision 017): filter, then compare by name. */
function wholeListingPlan(source: readonly TagInfo[], target: readonly TagInfo[], options: MatchOptions): { decisions: TagDecision[]; inSync: number; filteredOut: number; targetOnly: string[]; inSyncDigests: string[] } {
  const { kept, filteredOut } = applyTagFilter(source, options.filter);
  const targetByName = new Map(target.map((t) => [t.name, t]));
  const decisions: TagDecision[] = [];
  let inSync = 0;
  const inSyncDigests = new Set<string>();
  for (const s of [...kept].sort(byName)) {
    const d = decide(s, targetByName.get(s.name), options.force);
    if (d.kind === 'inSync') {
      inSync++;
      inSyncDigests.add(d.sourceDigest);
    } else decisions.push(d);
  }
  const inSource = new Set(source.map((t) => t.name));
  const targetOnly = target.filter((t) => !inSource.has(t.name) && namePasses(options.filter, t.name)).map((t) => t.name).sort();
  return { decisions, inSync, filteredOut, targetOnly, inSyncDigests: [...inSyncDigests].sort() };
}

function summary(plan: RepositoryPlan): ReturnType<typeof wholeListingPlan> {
  return {
    decisions: plan.decisions,
    inSync: plan.inSync,
    filteredOut: plan.filteredOut,
    targetOnly: [...plan.targetOnlyTags],
    inSyncDigests: [...(plan.inSyncDigests ?? [])].sort(),
  };
}

const patterns: TagFilter = { patterns: ['v*', 'rc*'], ignorePatterns: ['*7'], include: (t) => /^(v|rc)/.test(t) && !t.endsWith('7') };
const FILTERS: [string, TagFilter | undefined][] = [
  ['no filter', undefined],
  ['name patterns', patterns],
  ['updated since', { patterns: [], ignorePatterns: [], include: () => true, updatedSince: { text: 't', time: 1_050 } }],
  ['keep latest 40', { ...patterns, keepLatest: 40 }],
];

describe('engine/tagMatcher', () => {
  for (const [label, filter] of FILTERS) {
    for (const force of [false, true]) {
      it(`${label}${force ? ', forced' : ''}: pages in any interleaving give the plan whole listings give`, () => {
        for (let seed = 1; seed <= 25; seed++) {
          const rand = random(seed * 7919);
          const { source, target } = listings(rand, 50 + Math.floor(rand() * 400));
          const options: MatchOptions = { force, keepInSyncDigests: true, ...(filter !== undefined ? { filter } : {}) };
          const expected = wholeListingPlan(source, target, options);
          // Pages of random sizes, fed in a random interleaving of the two sides.
          const sourcePages = pagesOf(source, 1 + Math.floor(rand() * 60));
          const targetPages = pagesOf(target, 1 + Math.floor(rand() * 60));
          const matcher = new TagMatcher(options);
          while (sourcePages.length > 0 || targetPages.length > 0) {
            const fromSource = targetPages.length === 0 || (sourcePages.length > 0 && rand() < 0.5);
            if (fromSource) matcher.addSource(sourcePages.shift()!);
            else matcher.addTarget(targetPages.shift()!);
          }
          const { plan, targetDigests } = matcher.finish('app', 'mirror/app');
          assert.deepEqual(summary(plan), expected, `seed ${seed}`);
          assert.deepEqual([...targetDigests].sort(), [...new Set(target.map((t) => t.digest))].sort(), `seed ${seed}`);
          assert.ok(plan.groups.every((g) => g.repository === 'app' && g.targetRepository === 'mirror/app'));
          assert.equal(plan.groups.reduce((n, g) => n + g.tags.length, 0), expected.decisions.filter((d) => d.kind !== 'locked').length);
        }
      });
    }
  }

  it('holds about two pages of tags while both sides list in name order, not the repository', () => {
    const tags = Array.from({ length: 10_000 }, (_, i) => ({ name: `t${String(i).padStart(5, '0')}`, digest: D(i + 1), writeEnabled: true }));
    const matcher = new TagMatcher({ force: false });
    const sourcePages = pagesOf(tags, 1_000);
    const targetPages = pagesOf(tags, 1_000);
    let most = 0;
    // The target runs a page ahead, then the source catches up: the worst a steady pair of listings does.
    matcher.addTarget(targetPages.shift()!);
    while (sourcePages.length > 0) {
      const target = targetPages.shift();
      if (target !== undefined) matcher.addTarget(target);
      most = Math.max(most, matcher.waiting);
      matcher.addSource(sourcePages.shift()!);
      most = Math.max(most, matcher.waiting);
    }
    const { plan } = matcher.finish('app', 'app');
    assert.equal(plan.inSync, 10_000);
    assert.deepEqual(plan.decisions, []);
    assert.ok(most <= 2_000, `held ${most} tags at most`);
    assert.equal(matcher.waiting, 0);
  });

  it('holds the whole source listing when keepLatest ranks it, and still plans only the newest', () => {
    const source = Array.from({ length: 300 }, (_, i) => ({ name: `v${i}`, digest: D(i + 1), writeEnabled: true, lastUpdated: i }));
    const matcher = new TagMatcher({ force: false, filter: { patterns: [], ignorePatterns: [], include: () => true, keepLatest: 5 } });
    for (const page of pagesOf(source, 100)) matcher.addSource(page);
    assert.equal(matcher.waiting, 300);
    const { plan } = matcher.finish('app', 'app');
    assert.deepEqual(plan.decisions.map((d) => d.tag), ['v295', 'v296', 'v297', 'v298', 'v299']);
    assert.equal(plan.filteredOut, 295);
  });

  it('reads a tag listed twice in a row (the end of a page repeated at the start of the next) once', () => {
    const matcher = new TagMatcher({ force: false });
    matcher.addSource([{ name: 'a', digest: D(1), writeEnabled: true }, { name: 'b', digest: D(2), writeEnabled: true }]);
    matcher.addSource([{ name: 'b', digest: D(2), writeEnabled: true }, { name: 'c', digest: D(3), writeEnabled: true }]);
    matcher.addTarget([{ name: 'b', digest: D(2), writeEnabled: true }]);
    matcher.addTarget([{ name: 'b', digest: D(2), writeEnabled: true }]);
    const { plan } = matcher.finish('app', 'app');
    assert.deepEqual(plan.decisions.map((d) => [d.tag, d.kind]), [['a', 'new'], ['c', 'new']]);
    assert.equal(plan.inSync, 1);
    assert.deepEqual(plan.targetOnlyTags, []);
  });
});
