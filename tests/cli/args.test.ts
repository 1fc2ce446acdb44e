/**
 * Flags to raw options, in process: each new flag reaches the engine's option of the same
 * meaning, and a bad value is one line and exit code 2 before anything is read.
 */
import { strict as assert } from 'node:assert';
import { parseCliArguments } from '../../src/cli/args';
import { ExitCode } from '../../src/cli/exitCodes';
import { runCli } from '../../src/cli/run';

const REGISTRIES = ['--source-registry-name', 'sourceacr', '--target-registry-name', 'targetacr', '--source-subscription-id', '0a1b2c3d-1111-4222-8333-444455556666'];

describe('command-line flags', () => {
  it('passes time limits and the shard to the engine', () => {
    const args = parseCliArguments([...REGISTRIES, '--time-budget-minutes', '50', '--import-timeout-minutes', '10', '--shard-index', '2', '--shard-count', '4']);
    assert.equal(args.options.timeBudgetMinutes, '50');
    assert.equal(args.options.importTimeoutMinutes, '10');
    assert.equal(args.options.shardIndex, '2');
    assert.equal(args.options.shardCount, '4');
  });

  it('leaves them unset when not given', () => {
    const args = parseCliArguments(REGISTRIES);
    assert.equal(args.options.timeBudgetMinutes, undefined);
    assert.equal(args.options.importTimeoutMinutes, undefined);
    assert.equal(args.options.shardIndex, undefined);
    assert.equal(args.options.shardCount, undefined);
  });

  const bad: Array<[string[], string]> = [
    [['--time-budget-minutes', '-5'], 'acr-transfer: time budget minutes "-5" is not valid: give a number of minutes above 0 and at most 10080, such as 50'],
    [['--import-timeout-minutes', 'never'], 'acr-transfer: import timeout minutes "never" is not valid: give a number of minutes above 0 and at most 1440, such as 30'],
    [['--shard-index', '-1', '--shard-count', '2'], 'acr-transfer: shard index "-1" is not valid: give a whole number from 1 to the shard count'],
    [['--shard-index', '3', '--shard-count', '2'], 'acr-transfer: shard index "3" is not valid: shards are numbered from 1 to the shard count (2)'],
    [['--shard-count', 'four', '--shard-index', '1'], 'acr-transfer: shard count "four" is not valid: give a whole number of at least 1'],
    [['--shard-index'], "acr-transfer: Option '--shard-index <value>' argument missing (see --help)"],
  ];
  for (const [flags, message] of bad) {
    it(`rejects ${flags.join(' ')}: one line, exit 2, no sign-in`, async () => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli([...REGISTRIES, ...flags], {}, { out: (l) => out.push(l), err: (l) => err.push(l) });
      assert.equal(code, ExitCode.BadInput);
      assert.deepEqual(err, [message]);
      assert.deepEqual(out, [], 'nothing else printed: no sign-in was attempted');
    });
  }

  it('documents the new flags in --help', async () => {
    const out: string[] = [];
    await runCli(['--help'], {}, { out: (l) => out.push(l), err: () => undefined });
    for (const flag of ['--time-budget-minutes', '--import-timeout-minutes', '--shard-index', '--shard-count']) assert.ok(out.join('\n').includes(flag), flag);
  });
});
