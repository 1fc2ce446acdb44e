/**
 * The option table is the one place an option is defined: the command line's flags and usage
 * text come from it, and its entries are coherent (names unique, numbers with a rule whose
 * default passes it, each option in a part the parser fills).
 */
import { strict as assert } from 'node:assert';
import { parseCliArguments } from '../../src/cli/args';
import { USAGE } from '../../src/cli/usage';
import { parseNumber } from '../../src/options/numberRule';
import { parseOptions } from '../../src/options/parse';
import { OPTIONS, type OptionSpec } from '../../src/options/table';

const specs = OPTIONS as readonly OptionSpec[];
const withFlags = specs.filter((spec) => spec.cli !== undefined);

describe('the option table', () => {
  it('names each option, flag and task input once', () => {
    const unique = (values: string[]): void => assert.equal(new Set(values).size, values.length, values.join(', '));
    unique(specs.map((s) => s.name));
    unique(withFlags.map((s) => s.cli!.flag));
    unique(specs.flatMap((s) => (s.task ? [s.task.input] : [])));
  });

  it('gives every number a rule that its own default passes', () => {
    for (const spec of specs.filter((s) => s.kind === 'number')) {
      assert.ok(spec.rule, spec.name);
      if (spec.default !== undefined) assert.equal(parseNumber(String(spec.default), spec.rule), spec.default, spec.name);
    }
  });

  it('fills the documented defaults when nothing is given', () => {
    const options = parseOptions({ sourceRegistry: 'sourceacr', targetRegistry: 'targetacr' });
    const values: Record<string, unknown> = { ...options.sync, ...options.http, requestTimeoutSeconds: options.http.requestTimeoutMs / 1000 };
    for (const spec of specs.filter((s) => s.default !== undefined)) assert.equal(values[spec.name], spec.default, spec.name);
  });
});

describe('command-line flags from the option table', () => {
  it('accepts every flag and hands its value to the option of the same entry', () => {
    for (const spec of withFlags) {
      const flag = `--${spec.cli!.flag}`;
      const args = parseCliArguments(spec.kind === 'flag' ? [flag] : [flag, '7']);
      const value = (args.options as Record<string, unknown>)[spec.name];
      assert.deepEqual(value, spec.kind === 'flag' ? true : spec.cli!.multiple ? ['7'] : '7', flag);
    }
  });

  it('takes a flag from its environment variable when it is not given', () => {
    const sub = '0a1b2c3d-1111-4222-8333-444455556666';
    assert.equal(parseCliArguments([], { AZURE_SUBSCRIPTION_ID: sub }).options.sourceSubscriptionId, sub);
    assert.equal(parseCliArguments(['--source-subscription-id', 'x'], { AZURE_SUBSCRIPTION_ID: sub }).options.sourceSubscriptionId, 'x');
  });

  it('lists every flag in --help with its placeholder, its text and its default', () => {
    for (const spec of withFlags) {
      const cli = spec.cli!;
      const head = `  --${cli.flag}${cli.value ? ` ${cli.value}` : ''} `;
      const at = USAGE.indexOf(head);
      assert.ok(at >= 0, head);
      const entry = USAGE.slice(at, USAGE.indexOf('\n  --', at + 1) >>> 0 || undefined).replace(/\s+/g, ' ');
      assert.ok(entry.includes(cli.help.split('\n')[0]), `${cli.flag}: ${entry}`);
      if (spec.default !== undefined) assert.ok(entry.includes(`(default ${spec.default})`), `${cli.flag}: ${entry}`);
    }
  });
});
