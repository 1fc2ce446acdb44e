/**
 * `npm run demo` is the first thing a newcomer runs: it must work from the built tree and show
 * a dry run, a sync and a no-op sync against the emulator, ending with what the emulator saw.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { runGuarded } from '../support/runGuarded';

const DEMO = join(__dirname, '..', '..', 'testkit', 'demo', 'main.js');

describe('the demo', function () {
  this.timeout(120_000);

  it('runs the command line three times against the emulator and reports what the emulator saw', async () => {
    const run = await runGuarded(DEMO, [], {});
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Dry run: contosoprod → contosodr/);
    assert.match(run.stdout, /imports: fast setting, each runs 1 s server-side, Retry-After 1 s \(recorded Azure: 10 s\)/);
    assert.match(run.stdout, /importImage calls: dry run 0, sync 34 \(for 59 tags\), second sync 0/);
    assert.match(run.stdout, /billing\/api {4}2\.0 ✗ \(target sha256:[0-9a-f]{12}\)/);
    assert.match(run.stdout, /exit codes: dry run 0, sync 0, second sync 0/);
  });
});
