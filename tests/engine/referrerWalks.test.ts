/**
 * A dry run walks the referrers of every repository's digests to import, and used to start
 * every repository's walk at once: 100 repositories × 1,000 digests held 100,000 waiting
 * listings, more memory than the plan. The walks now take a repository per slot of the listing
 * concurrency, and each walk gives the listings as many subjects at a time as they have slots
 * (12 repositories of 1,000 digests each still held 12,000 waiting listings).
 */
import { strict as assert } from 'node:assert';
import { systemClock } from '../../src/engine/clock';
import { referrersOf, type ExecutionContext } from '../../src/engine/execute';
import { Pacer } from '../../src/engine/pacer';
import type { Referrer } from '../../src/engine/ports';
import { TimeBudget } from '../../src/engine/timeBudget';
import { runSync } from '../../src/engine/sync';
import { parseOptions } from '../../src/options/parse';
import { D, MemoryImporter, MemoryRegistry, type Tags } from './memoryRegistry';

/** A registry whose referrers listings answer none, after a tick, and record what was in flight. */
class ReferrerCounting extends MemoryRegistry {
  readonly inFlight = new Map<string, number>();
  maxRepositories = 0;
  listed = 0;
  async listReferrers(repository: string): Promise<Referrer[]> {
    this.listed++;
    this.inFlight.set(repository, (this.inFlight.get(repository) ?? 0) + 1);
    this.maxRepositories = Math.max(this.maxRepositories, this.inFlight.size);
    await new Promise((resolve) => setTimeout(resolve, 1));
    const left = (this.inFlight.get(repository) ?? 1) - 1;
    if (left === 0) this.inFlight.delete(repository);
    else this.inFlight.set(repository, left);
    return [];
  }
}

describe('engine/referrer walks in a dry run', () => {
  it('walk a few repositories at a time (the listing concurrency), every digest to import listed in the source', async () => {
    const content: Record<string, Tags> = {};
    for (let r = 0; r < 8; r++) content[`app-${r}`] = { a: D(r * 10 + 1), b: D(r * 10 + 2), c: D(r * 10 + 3) };
    const source = new ReferrerCounting(content);
    const target = new ReferrerCounting({});
    const options = parseOptions({ sourceRegistry: 'sourceacr', targetRegistry: 'targetacr', dryRun: true, referrers: 'imported' }).sync;
    const report = await runSync({ ...options, listConcurrency: 2 }, { source, target, importer: new MemoryImporter(source, target) }, { toolVersion: 't' });
    assert.equal(report.repositories.length, 8);
    assert.equal(source.listed, 24, 'each digest to import listed in the source');
    assert.equal(target.listed, 0, 'and the target for none: the source has no referrers');
    assert.ok(source.maxRepositories <= 2, `repositories walked at once: ${source.maxRepositories}`);
  });

  it('hold a few listings waiting: a few repositories, each a few subjects at a time', async () => {
    const source = new ReferrerCounting({});
    const target = new ReferrerCounting({});
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const blocked = async (): Promise<Referrer[]> => {
      await gate;
      return [];
    };
    source.listReferrers = blocked;
    target.listReferrers = blocked;
    const listings = new Pacer(2, 0, systemClock);
    const run: ExecutionContext = {
      ports: { importer: new MemoryImporter(source, target), target, source },
      imports: new Pacer(4, 0, systemClock),
      referrerListings: listings,
      referrerWalks: new Pacer(2, 0, systemClock),
      events: {},
      budget: new TimeBudget(systemClock, systemClock.now()),
      clock: systemClock,
      importTimeoutMinutes: 1,
      referrers: 'imported',
    };
    const subjects = (r: number) => Array.from({ length: 50 }, (_, i) => D(r * 100 + i));
    const walks = Array.from({ length: 20 }, (_, r) => referrersOf(`app-${r}`, `app-${r}`, subjects(r), run, true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Two repositories walk, each a subject per listing slot at a time: 2 × 2 given to the
    // listings, 2 of them listing — not 2 × 50, nor 20 × 50.
    assert.equal(listings.waiting, 2 * 2 - 2, 'the other subjects and repositories are not waiting as tasks');
    release();
    const found = await Promise.all(walks);
    assert.ok(found.every((f) => f.referrers === undefined && f.referrersUnlisted === undefined));
  });
});
