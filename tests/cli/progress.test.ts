/**
 * The command line's progress line (issue 16), driven by the real engine's events over
 * in-memory registries and by a manual clock: in place on a terminal at most every 250 ms and
 * cleared before any other line; plain lines without a terminal at most every 10 s and at each
 * phase change. Rates come from the manual clock, never from real time.
 */
import { strict as assert } from 'node:assert';
import type { Clock } from '../../src/engine/clock';
import type { PlannedRepository, RunPlan, SyncEvents } from '../../src/engine/events';
import type { ImportGroup } from '../../src/engine/plan';
import { ProgressReporter, type Screen } from '../../src/cli/progress';
import { repositories, setup } from '../engine/syncHarness';

/** Time that moves only when the test says so; timers fire as it passes them. */
class ManualClock implements Clock {
  private current = 1_000_000;
  private timers: { at: number; callback: () => void }[] = [];
  now(): number {
    return this.current;
  }
  after(ms: number, callback: () => void): () => void {
    const timer = { at: this.current + ms, callback };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  }
  advance(ms: number): void {
    this.current += ms;
    const due = this.timers.filter((t) => t.at <= this.current);
    this.timers = this.timers.filter((t) => t.at > this.current);
    for (const timer of due) timer.callback();
  }
  get pending(): number {
    return this.timers.length;
  }
}

/** What reached the stream: raw writes of the screen and printed lines, in order. */
function fakeTerminal(tty: boolean): { screen: Screen; writes: string[]; print: (line: string) => void } {
  const writes: string[] = [];
  return { screen: { tty, write: (text) => writes.push(text) }, writes, print: (line) => writes.push(`${line}\n`) };
}

const CLEAR = '\r\x1b[2K';
const listed = (n: number): PlannedRepository => ({ repository: `r${n}`, plan: { groups: n % 2 === 0 ? [{}] : [] } as unknown as PlannedRepository['plan'] });
const group = { repository: 'r', targetRepository: 'r', sourceDigest: `sha256:${'a'.repeat(64)}`, tags: ['v1'], mode: 'NoForce' } as unknown as ImportGroup;
const plan = (imports: number): RunPlan => ({ selection: { scanned: 1, selected: ['r'], ignored: [] }, repositories: [{ repository: 'r', plan: { groups: Array.from({ length: imports }, () => ({ tags: ['t'] })), decisions: [] } as unknown as PlannedRepository['plan'] }] });

describe('command-line progress line', () => {
  it('on a terminal rewrites one line in place at most every 250 ms, and ends the phase with a newline', () => {
    const clock = new ManualClock();
    const t = fakeTerminal(true);
    const events = new ProgressReporter({ screen: t.screen, print: t.print, clock, requests: () => ({ requests: 42, throttled: 3, retried: 1 }) }).events();
    events.planningStarted({ scanned: 100, selected: Array.from({ length: 100 }, (_, i) => `r${i}`), ignored: [] });
    assert.deepEqual(t.writes, [`${CLEAR}Listing tags: 0/100 repositories (0 with work), 42 requests (3 throttled)`]);
    for (let i = 1; i <= 30; i++) events.repositoryPlanned(i, 100, listed(i));
    assert.equal(t.writes.length, 1, 'thirty completions within the same instant: no redraw yet');
    clock.advance(249);
    assert.equal(t.writes.length, 1);
    clock.advance(1);
    assert.equal(t.writes.length, 2, 'one redraw when 250 ms have passed');
    // 30 repositories in 250 ms: 120/s, 70 left: about 1 s.
    assert.equal(t.writes[1], `${CLEAR}Listing tags: 30/100 repositories (15 with work), 120/s, about 1 s left, 42 requests (3 throttled)`);
    for (let i = 31; i <= 100; i++) {
      clock.advance(10);
      events.repositoryPlanned(i, 100, listed(i));
    }
    // 700 ms more at one event per 10 ms: a draw every 250 ms at most.
    const draws = t.writes.slice(2);
    assert.ok(draws.length >= 2 && draws.length <= 3, `${draws.length} redraws in 700 ms`);
    events.planned(plan(2));
    const last = t.writes.at(-1)!;
    assert.ok(last.startsWith(CLEAR) && last.endsWith('\n'), JSON.stringify(last));
    assert.match(last.slice(CLEAR.length), /^Listing tags: 100\/100 repositories \(50 with work\), done in 0\.\d s, 10\d\/s, 42 requests \(3 throttled\)\n$/);
    assert.equal(clock.pending, 0, 'no redraw left waiting');
    assert.ok(t.writes.every((w) => w.startsWith(CLEAR)), 'every write rewrites the line in place');
  });

  it('on a terminal clears the line before any other line and draws it again under it', () => {
    const clock = new ManualClock();
    const t = fakeTerminal(true);
    const reporter = new ProgressReporter({ screen: t.screen, print: t.print, clock });
    const say = reporter.around(t.print);
    const events = reporter.events();
    events.planned(plan(3));
    events.importStarted(group);
    say('[1/3] imported r@sha256:aaaaaaaaaaaa → v1');
    events.importFinished(group, undefined);
    assert.deepEqual(t.writes.slice(0, 3), [`${CLEAR}Importing: 0/3 import calls`, CLEAR, '[1/3] imported r@sha256:aaaaaaaaaaaa → v1\n']);
    assert.equal(t.writes.length, 3, 'the redraw waits for its 250 ms');
    clock.advance(250);
    assert.equal(t.writes[3], `${CLEAR}Importing: 1/3 import calls, 4.0/s, about 1 s left`);
    // A line printed while the progress line shows: cleared first, never on the same line.
    say('Time budget: 30 s left or less; no new work starts, imports in flight finish.');
    assert.deepEqual(t.writes.slice(4, 6), [CLEAR, 'Time budget: 30 s left or less; no new work starts, imports in flight finish.\n']);
    reporter.finish();
    assert.ok(t.writes.at(-1)!.startsWith(CLEAR));
    assert.match(t.writes.at(-1)!.slice(CLEAR.length), /^Importing: 1\/3 import calls, done in 0\.3 s, .*\n$/);
    say('Run succeeded in 0.3 s.');
    assert.equal(t.writes.at(-1), 'Run succeeded in 0.3 s.\n', 'after the last phase, nothing to clear');
    assert.equal(clock.pending, 0);
  });

  it('cuts the line to the terminal width so it can be rewritten in place', () => {
    const clock = new ManualClock();
    const writes: string[] = [];
    const events = new ProgressReporter({ screen: { tty: true, columns: 20, write: (text) => writes.push(text) }, print: () => undefined, clock }).events();
    events.catalogProgress(5);
    assert.equal(writes[0], `${CLEAR}Reading the catalo…`, '19 characters: never the last column');
  });

  it('without a terminal prints a plain line at each phase change and at most every 10 s, never a carriage return', () => {
    const clock = new ManualClock();
    const t = fakeTerminal(false);
    const events = new ProgressReporter({ screen: t.screen, print: t.print, clock }).events();
    for (let n = 1; n <= 500; n++) {
      events.catalogProgress(n);
      clock.advance(100);
    }
    // 500 names over 50 s: the start, then one line each 10 s.
    assert.deepEqual(t.writes, [
      'Reading the catalog: 1 repository\n',
      'Reading the catalog: 101 repositories, 10/s\n',
      'Reading the catalog: 201 repositories, 10/s\n',
      'Reading the catalog: 301 repositories, 10/s\n',
      'Reading the catalog: 401 repositories, 10/s\n',
    ]);
    events.planningStarted({ scanned: 500, selected: ['a', 'b'], ignored: [] });
    events.repositoryPlanned(1, 2, listed(2));
    events.repositoryPlanned(2, 2, listed(1));
    events.planned(plan(0));
    assert.deepEqual(t.writes.slice(5), [
      'Reading the catalog: 500 repositories, done in 50.0 s, 10/s\n',
      'Listing tags: 0/2 repositories (0 with work)\n',
      'Listing tags: 2/2 repositories (1 with work), done in 0.0 s\n',
    ]);
    assert.ok(!t.writes.some((w) => w.includes('\r')));
    assert.equal(clock.pending, 0, 'no timer without a terminal');
  });

  it('follows the real engine through the catalog, the listings and the imports', async () => {
    const { run } = setup(repositories(12));
    const clock = new ManualClock();
    const t = fakeTerminal(false);
    const reporter = new ProgressReporter({ screen: t.screen, print: t.print, clock });
    const seen: string[] = [];
    const moving = reporter.events();
    const events: SyncEvents = {
      ...moving,
      catalogProgress: (n) => {
        seen.push(`catalog ${n}`);
        moving.catalogProgress(n);
      },
      repositoryPlanned: (done, total, planned) => {
        seen.push(`planned ${done}/${total}`);
        moving.repositoryPlanned(done, total, planned);
      },
    };
    const report = await run({ ignorePatterns: ['repo1*'] }, { events });
    reporter.finish();
    assert.equal(report.totals.tags.imported, 10);
    assert.deepEqual(seen, [...Array.from({ length: 12 }, (_, i) => `catalog ${i + 1}`), ...Array.from({ length: 10 }, (_, i) => `planned ${i + 1}/10`)]);
    assert.deepEqual(t.writes, [
      'Reading the catalog: 1 repository\n',
      'Reading the catalog: 12 repositories, done in 0.0 s\n',
      'Listing tags: 0/10 repositories (0 with work)\n',
      'Listing tags: 10/10 repositories (10 with work), done in 0.0 s\n',
      'Importing: 0/10 import calls\n',
      'Importing: 10/10 import calls, done in 0.0 s\n',
    ]);
  });
});
