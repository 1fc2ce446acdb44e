import { parseArgs } from 'node:util';
import { OptionsError } from '../options/optionsError';
import { OPTIONS, type OptionSpec, type RawOptions } from '../options/table';

/**
 * Command-line flags, one per option of the table that has a `cli` entry (the reference
 * script's flags keep their names and meaning), plus --help and --version.
 */
export interface CliArguments {
  help: boolean;
  version: boolean;
  options: RawOptions;
}

type Flag = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

const WITH_FLAGS = (OPTIONS as readonly OptionSpec[]).filter((spec) => spec.cli !== undefined);

const FLAGS: Record<string, Flag> = {
  ...Object.fromEntries(
    WITH_FLAGS.map((spec) => [spec.cli!.flag, { type: spec.kind === 'flag' ? 'boolean' : 'string', ...(spec.cli!.multiple ? { multiple: true } : {}) }]),
  ),
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
};

/**
 * `--delay-seconds -2` would otherwise be refused as "ambiguous" without naming the value; joining
 * a number that starts with a dash to its flag lets validation say what is wrong with it.
 */
function joinNegativeNumbers(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const name = flag.startsWith('--') ? flag.slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && FLAGS[name]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${flag}=${next}`);
      i++;
    } else {
      out.push(flag);
    }
  }
  return out;
}

type Token = { kind: string; name?: string; value?: string | undefined };

/**
 * Refuses, from parseArgs' tokens, what a shell script gets wrong silently: a blank value
 * (`--repository "$UNSET"` would otherwise select the whole registry) and a flag given twice
 * with different values (parseArgs keeps the last). The same value twice is harmless, and a
 * repeatable flag (`--ignore-pattern`) adds each of its values.
 */
function refuseAmbiguousFlags(tokens: readonly Token[]): void {
  const first = new Map<string, string>();
  for (const token of tokens) {
    const flag = token.name === undefined ? undefined : FLAGS[token.name];
    if (token.kind !== 'option' || token.name === undefined || flag?.type !== 'string') continue;
    const name = `--${token.name}`;
    const value = token.value ?? '';
    if (value.trim() === '') throw new OptionsError('FlagBlank', [name], `${name} "${value}" is empty: give a value or leave the flag out`);
    const earlier = first.get(token.name);
    if (earlier === undefined) first.set(token.name, value);
    else if (flag.multiple !== true && earlier.trim() !== value.trim()) {
      throw new OptionsError('FlagRepeated', [name, earlier, value], `${name} is given twice with different values ("${earlier}", then "${value}"): give it once`);
    }
  }
}

/** Where the command line takes the source password from, since it takes none from a flag. */
export const SOURCE_PASSWORD_ENV = 'ACR_TRANSFER_SOURCE_PASSWORD';

/** Flags people try for a password; refused by name, their value never echoed. */
const PASSWORD_FLAGS = ['--source-password', '--password', '--source-token'];

/**
 * A password on the command line is visible to every user of the machine (`ps`) and stays in
 * shell histories and CI logs, so the flags people reach for are refused before anything else,
 * with where the password goes instead — and without repeating the value.
 */
function refusePasswordFlags(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    const flag = PASSWORD_FLAGS.find((name) => arg === name || arg.startsWith(`${name}=`));
    if (flag !== undefined) {
      throw new OptionsError('PasswordAsFlag', [flag], `${flag} is not taken: a password on the command line is visible to every user of the machine; set ${SOURCE_PASSWORD_ENV} or pass --source-password-file FILE`);
    }
  }
}

/**
 * Turns argv into raw options; a flag's environment variable (the table's `env`) stands in
 * when the flag is not given. Unknown flags and stray arguments are bad input too.
 */
export function parseCliArguments(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliArguments {
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  let tokens: Token[];
  refusePasswordFlags(argv);
  try {
    ({ values, tokens } = parseArgs({ args: joinNegativeNumbers(argv), options: FLAGS, strict: true, allowPositionals: false, tokens: true }));
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new OptionsError('ArgumentInvalid', [message], `${message} (see --help)`);
  }
  refuseAmbiguousFlags(tokens);
  const options: RawOptions & Record<string, unknown> = {};
  for (const spec of WITH_FLAGS) {
    const cli = spec.cli!;
    const value = values[cli.flag] ?? (cli.env !== undefined ? env[cli.env] : undefined);
    if (value !== undefined) options[spec.name] = value;
  }
  if (env[SOURCE_PASSWORD_ENV] !== undefined && env[SOURCE_PASSWORD_ENV] !== '') options.sourcePassword = env[SOURCE_PASSWORD_ENV];
  return { help: values['help'] === true, version: values['version'] === true, options };
}
