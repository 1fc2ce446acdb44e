/**
 * The plan in a layout that fits a screen (issue 16), from real engine plans: a row per tag when
 * small, a row of counts per repository when large (at most 50 of them unless asked for all), the
 * counts alone; re-tagged, locked and too-big tags named in every layout.
 */
import { strict as assert } from 'node:assert';
import { MAX_REPOSITORY_ROWS, MAX_TAG_ROWS } from '../../src/cli/plan';
import { renderPlan } from '../../src/cli/render';
import type { PlanLayout } from '../../src/options/parse';
import type { RawOptions } from '../../src/options/table';
import { D, type Tags } from '../engine/memoryRegistry';
import { setup } from '../engine/syncHarness';

/** `repositories` × `tags` new tags, each of its own digest, named team/app0…, v0…. */
function newTags(repositories: number, tags: number): Record<string, Tags> {
  return Object.fromEntries(
    Array.from({ length: repositories }, (_, r) => [`team/app${r}`, Object.fromEntries(Array.from({ length: tags }, (_, t) => [`v${t}`, D(1000 * (r + 1) + t)]))]),
  );
}

async function planLines(source: Record<string, Tags>, target: Record<string, Tags>, layout?: PlanLayout, raw: Partial<RawOptions> = {}): Promise<string[]> {
  const { run } = setup(source, target);
  const lines: string[] = [];
  await run({ dryRun: true, ...raw }, { events: { planned: (p) => renderPlan(p, true, (line) => lines.push(line), layout) } });
  return lines;
}

const SHORT = /sha256:[0-9a-f]{12}/.source;

describe('command-line plan layouts', () => {
  it('auto prints a small plan a row per tag, with the counts line', async () => {
    const lines = await planLines(newTags(2, 3), {});
    assert.equal(lines.filter((l) => /^team\/app\d\s+v\d\s+new\s/.test(l)).length, 6, lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('REPOSITORY  TAG ')));
    assert.ok(lines.includes('Plan: 2 repositories have work: tags 6 new, 0 re-tagged, 0 locked, 0 in sync; 6 import calls.'), lines.join('\n'));
    assert.ok(!lines.includes('Needs a person:'));
  });

  it(`auto prints a plan of more than ${MAX_TAG_ROWS} tag rows a row per repository, with re-tagged and locked tags named`, async () => {
    const source = newTags(6, 10);
    source['team/app0'] = { ...source['team/app0'], latest: D(7) };
    source['team/app1'] = { ...source['team/app1'], stable: D(8) };
    source['done'] = { '1.0': D(9) };
    const target: Record<string, Tags> = { 'team/app0': { latest: D(17) }, 'team/app1': { stable: { digest: D(18), writeEnabled: false } }, done: { '1.0': D(9) } };
    const lines = await planLines(source, target);
    const header = lines.findIndex((l) => l.startsWith('REPOSITORY'));
    assert.match(lines[header], /^REPOSITORY\s+NEW\s+RE-TAGGED\s+IN SYNC\s+LOCKED\s+FILTERED\s+IMPORTS\s+STATUS$/);
    assert.match(lines[header + 1], /^team\/app0\s+10\s+1\s+0\s+0\s+0\s+11\s+would import$/);
    assert.match(lines[header + 2], /^team\/app1\s+10\s+0\s+0\s+1\s+0\s+10\s+would import$/);
    assert.equal(lines.filter((l) => /^team\/app\d\s+\d/.test(l)).length, 6, 'a row per repository with work');
    assert.ok(!lines.some((l) => /\sv\d\s+new\s/.test(l)), 'no row per new tag');
    assert.ok(!lines.some((l) => l.startsWith('done')), 'a repository in sync is counted, not listed');
    assert.ok(lines.includes('Plan: 6 repositories have work: tags 60 new, 1 re-tagged, 1 locked, 1 in sync; 61 import calls.'), lines.join('\n'));
    const named = lines.slice(lines.indexOf('Needs a person:') + 1);
    assert.match(named[0], /^ {2}REPOSITORY\s+TAG\s+DECISION\s+SOURCE\s+TARGET\s+IMPORT$/);
    assert.match(named[1], new RegExp(`^ {2}team/app0\\s+latest\\s+re-tagged\\s+${SHORT}\\s+${SHORT}\\s+would import Force$`));
    assert.match(named[2], new RegExp(`^ {2}team/app1\\s+stable\\s+LOCKED\\s+${SHORT}\\s+${SHORT}\\s+never \\(locked tag\\)$`));
    assert.equal(named[3], '1 repository already in sync.');
  });

  it('the boundary: 50 tag rows are printed per tag, 51 per repository', async () => {
    const fifty = await planLines(newTags(5, 10), {});
    assert.equal(fifty.filter((l) => /\sv\d\s+new\s/.test(l)).length, MAX_TAG_ROWS);
    const more = await planLines({ ...newTags(5, 10), extra: { x: D(1) } }, {});
    assert.ok(more.some((l) => l.startsWith('REPOSITORY  NEW')), more.join('\n'));
  });

  it(`auto lists at most ${MAX_REPOSITORY_ROWS} repositories; --plan repositories lists them all`, async () => {
    const source = newTags(60, 1);
    const auto = await planLines(source, {});
    assert.equal(auto.filter((l) => /^team\/app\d+\s+1\s/.test(l)).length, MAX_REPOSITORY_ROWS);
    assert.ok(auto.includes('… and 10 more repositories with work (--plan repositories lists them all; the JSON and Markdown reports list every tag).'), auto.join('\n'));
    const all = await planLines(source, {}, 'repositories');
    assert.equal(all.filter((l) => /^team\/app\d+\s+1\s/.test(l)).length, 60);
    assert.ok(!all.some((l) => l.startsWith('…')));
  });

  it('--plan repositories adds FORCED and TOO MANY MANIFESTS columns only when the plan has such tags', async () => {
    const { source, run } = setup({ app: { big: D(2), small: D(1), same: D(3) } }, { app: { same: D(3) } });
    source.manifestCounts.set(D(2), 64);
    const lines: string[] = [];
    await run({ dryRun: true, force: true }, { events: { planned: (p) => renderPlan(p, true, (line) => lines.push(line), 'repositories') } });
    assert.match(lines.find((l) => l.startsWith('REPOSITORY')) ?? '', /^REPOSITORY\s+NEW\s+RE-TAGGED\s+FORCED\s+IN SYNC\s+LOCKED\s+TOO MANY MANIFESTS\s+FILTERED\s+IMPORTS\s+STATUS$/);
    assert.match(lines.find((l) => l.startsWith('app ')) ?? '', /^app\s+1\s+0\s+1\s+0\s+0\s+1\s+0\s+2\s+would import$/);
    assert.ok(lines.some((l) => /^ {2}app\s+big\s+TOO MANY MANIFESTS\s.*never \(index of 64 manifests/.test(l)), lines.join('\n'));
    assert.ok(lines.includes('Plan: 1 repository has work: tags 1 new, 0 re-tagged, 1 forced, 0 locked, 1 too many manifests, 0 in sync; 2 import calls.'), lines.join('\n'));
  });

  it('--plan none prints the counts and the tags that need a person, no table', async () => {
    const source = { ...newTags(2, 2), frozen: { v1: D(5) } };
    const { target, run } = setup(source, { frozen: { v0: D(6) } });
    target.lockRepository('frozen');
    const lines: string[] = [];
    await run({ dryRun: true }, { events: { planned: (p) => renderPlan(p, true, (line) => lines.push(line), 'none') } });
    assert.deepEqual(lines.slice(0, 3), ['Selected 3 of 3 repositories.', '', 'Plan: 3 repositories have work: tags 4 new, 0 re-tagged, 1 locked, 0 in sync; 4 import calls.']);
    assert.equal(lines[3], 'Needs a person:');
    assert.match(lines[5], /^ {2}frozen\s+v1\s+LOCKED\s.*never \(locked repository\)$/);
    assert.deepEqual(lines.slice(6), ['0 repositories already in sync.', '']);
  });

  it('shows a repository that could not be read: a row in each table, named with --plan none', async () => {
    const { source, run } = setup({ ...newTags(1, 1), broken: { a: D(1) } });
    source.failListing.add('broken');
    const layouts: Record<string, string[]> = {};
    for (const layout of ['tags', 'repositories', 'none'] as const) {
      const lines: string[] = [];
      await run({ dryRun: true }, { events: { planned: (p) => renderPlan(p, true, (line) => lines.push(line), layout) } });
      layouts[layout] = lines;
    }
    assert.ok(layouts['tags'].some((l) => /^broken\s+—\s+UNREADABLE\s+—\s+—\s+listing broken failed: 500 internal error$/.test(l)), layouts['tags'].join('\n'));
    assert.ok(layouts['repositories'].some((l) => /^broken\s+—\s+—\s+—\s+—\s+—\s+—\s+UNREADABLE: listing broken failed: 500 internal error$/.test(l)), layouts['repositories'].join('\n'));
    assert.ok(layouts['none'].includes('Plan: 1 repository has work: tags 1 new, 0 re-tagged, 0 locked, 0 in sync; 1 import call; 1 repository could not be read.'), layouts['none'].join('\n'));
    assert.ok(layouts['none'].some((l) => /^ {2}broken\s+—\s+UNREADABLE\s/.test(l)), layouts['none'].join('\n'));
  });

  it('says "Nothing to import." in every layout when everything is in sync', async () => {
    for (const layout of ['auto', 'tags', 'repositories', 'none'] as const) {
      const lines = await planLines({ app: { a: D(1) } }, { app: { a: D(1) } }, layout);
      assert.deepEqual(lines, ['Selected 1 of 1 repository.', '', 'Nothing to import.', '1 repository already in sync.', ''], layout);
    }
  });

  it('names the repositories ignored by pattern in the layout per tag, counts them in the others', async () => {
    const source = { ...newTags(1, 1), 'legacy/a': { x: D(1) }, 'legacy/b': { x: D(2) } };
    const tags = await planLines(source, {}, 'tags', { ignorePatterns: ['legacy/*'] });
    assert.deepEqual(tags.slice(0, 3), ['Selected 1 of 3 repositories (2 ignored by pattern).', '  ignored legacy/a  (pattern legacy/*)', '  ignored legacy/b  (pattern legacy/*)']);
    for (const layout of ['repositories', 'none'] as const) {
      const lines = await planLines(source, {}, layout, { ignorePatterns: ['legacy/*'] });
      assert.deepEqual(lines.slice(0, 2), ['Selected 1 of 3 repositories (2 ignored by pattern).', ''], layout);
    }
  });

  it('names at most 10 repositories the tag filters left tags out of', async () => {
    const source = Object.fromEntries(Array.from({ length: 12 }, (_, r) => [`r${String(r).padStart(2, '0')}`, { keep: D(r + 1), drop: D(r + 100) }]));
    const lines = await planLines(source, {}, undefined, { ignoreTagPatterns: ['drop'] });
    assert.ok(lines.includes('Tag filters left out 12 tags in 12 repositories: r00 1, r01 1, r02 1, r03 1, r04 1, r05 1, r06 1, r07 1, r08 1, r09 1 and 2 more.'), lines.join('\n'));
  });
});
