/**
 * A run lets each repository's plan go once its report is built (sync.ts letGo): a dry run of
 * 100,000 tags with work held the plan and the report of every repository at once (decision
 * 016). Checked with weak references and a full collection while the referrers are listed —
 * after every report of the dry run is built and before the run returns.
 */
import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RepositoryPlan } from '../../src/engine/plan';
import type { Referrer } from '../../src/engine/ports';
import { runSync } from '../../src/engine/sync';
import { parseOptions } from '../../src/options/parse';
import { D, MemoryImporter, MemoryRegistry, type Tags } from './memoryRegistry';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A source whose first referrers listing runs `during` (once), in a task of its own. */
class Watched extends MemoryRegistry {
  during: (() => void) | undefined;
  async listReferrers(): Promise<Referrer[]> {
    const once = this.during;
    this.during = undefined;
    if (once !== undefined) {
      // A task of its own: weak references made in an earlier one are no longer kept for it.
      await new Promise((resolve) => setImmediate(resolve));
      once();
    }
    return [];
  }
}

describe('engine: a run lets each plan go once its report is built', () => {
  it('a dry run holds no repository plan while it lists the referrers', async () => {
    const content: Record<string, Tags> = {};
    for (let r = 0; r < 6; r++) content[`app-${r}`] = { a: D(r * 10 + 1), b: D(r * 10 + 2) };
    const source = new Watched(content);
    const target = new Watched({});
    const plans: Array<WeakRef<RepositoryPlan>> = [];
    let alive: number | undefined;
    source.during = () => {
      collectGarbage();
      alive = plans.filter((p) => p.deref() !== undefined).length;
    };
    const options = parseOptions({ sourceRegistry: 'sourceacr', targetRegistry: 'targetacr', dryRun: true, referrers: 'imported' }).sync;
    const report = await runSync(options, { source, target, importer: new MemoryImporter(source, target) }, {
      toolVersion: 't',
      // Kept weakly, as a front end that counts at `planned` and keeps nothing.
      events: { planned: (plan) => plans.push(...plan.repositories.map((p) => new WeakRef(p.plan!))) },
    });
    assert.equal(plans.length, 6);
    assert.equal(alive, 0, 'no plan reachable while the referrers are listed');
    // The report still says everything the plans did.
    assert.deepEqual(report.repositories.map((r) => [r.name, r.status, r.tags.map((t) => `${t.tag}:${t.decision}:${t.outcome}`)]), Object.keys(content).map((name) => [name, 'planned', ['a:new:planned', 'b:new:planned']]));
    assert.deepEqual(report.repositories.map((r) => r.imports.length), [2, 2, 2, 2, 2, 2]);
  });
});
