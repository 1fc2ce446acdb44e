/**
 * The plan table of a first sync of a large registry (bench/findings.md §3): column widths came
 * from `Math.max(...column)`, one argument per row, and past about 120,000 rows V8 threw
 * "Maximum call stack size exceeded" — a dry run of 7,000 repositories × 20 tags into an empty
 * target ended with exit 3 before printing anything.
 */
import { strict as assert } from 'node:assert';
import { renderPlan } from '../../src/cli/render';
import type { PlannedRepository, RunPlan } from '../../src/engine/events';
import { planRepository } from '../../src/engine/tagMatcher';
import type { TagInfo } from '../../src/engine/ports';
import { D } from '../engine/memoryRegistry';

function newTags(repositoryIndex: number, count: number): TagInfo[] {
  return Array.from({ length: count }, (_, t) => ({ name: `v${t}`, digest: D(repositoryIndex * 100_000 + t), writeEnabled: true }));
}

describe('command-line output of a large plan', () => {
  it('prints a plan of 150,000 new tags, one row each, in aligned columns', function () {
    this.slow(3000);
    // 7,000 repositories × 20 new tags, and one of 10,000 new tags (each tag's import found once).
    const repositories: PlannedRepository[] = [];
    for (let r = 0; r < 7000; r++) {
      const name = `repo${String(r).padStart(4, '0')}`;
      repositories.push({ repository: name, plan: planRepository(name, newTags(r, 20), [], false) });
    }
    repositories.push({ repository: 'wide', plan: planRepository('wide', newTags(9999, 10_000), [], false) });
    const plan: RunPlan = { selection: { scanned: repositories.length, selected: repositories.map((r) => r.repository), ignored: [] }, repositories };

    const lines: string[] = [];
    // A row per tag, as --plan tags asks (by itself a plan this large is printed per repository).
    renderPlan(plan, true, (line) => lines.push(line), 'tags');

    const header = lines.findIndex((l) => l.startsWith('REPOSITORY'));
    assert.ok(header >= 0, 'the table is printed');
    const rows = lines.slice(header + 1).filter((l) => l.startsWith('repo') || l.startsWith('wide'));
    assert.equal(rows.length, 150_000);
    // Every row's IMPORT column starts where the header's does: widths are the widest cell.
    const importColumn = lines[header].indexOf('IMPORT');
    assert.ok(rows.every((row) => row.indexOf('would import NoForce') === importColumn));
    assert.ok(rows.some((row) => row.startsWith('wide  ') && row.includes(' v9999 ')));
    assert.ok(lines.includes('0 repositories already in sync.'));
  });
});
