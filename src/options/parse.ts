/**
 * The one way from what a front end collected (RawOptions) to checked options: every value is
 * read by its kind in the option table, then the rules that span options are applied. Both
 * front ends reject the same bad input with the same messages (OptionsError: a key and
 * arguments the task localises, an English line the command line prints), before anything is
 * read from or written to a registry.
 */
import { DEFAULT_LIST_CONCURRENCY, type LetterFilter, type SyncOptions } from '../engine/syncOptions';
import type { ReferrersMode } from '../engine/referrers';
import { readCaFile } from './caFile';
import { checkRegistryHost } from './registryHost';
import { readRepositoryList } from './repositoryList';
import { readSecretFile } from './secretFile';
import { checkDomainName } from './domainName';
import { checkHttpsUrl } from './httpsUrl';
import { loadIgnoreConfig } from './ignoreConfig';
import { compileIgnorePatterns, splitPatternList } from './ignorePatterns';
import { parseLetters } from './letters';
import { compileTagFilter } from './tagPatterns';
import { parseUpdatedSince } from './updatedSince';
import { parseNumber } from './numberRule';
import { OptionsError } from './optionsError';
import { checkReportPath } from './reportPath';
import { pairShard } from './shard';
import { OPTIONS, type OptionPart, type OptionSpec, type RawOptions } from './table';

/** Which registries, where and as whom. */
/** User and password (or token) for a source named by its address; never printed. */
export interface SourceCredentials {
  username: string;
  password: string;
}

export interface ConnectionOptions {
  /** The source ACR's name; absent when the source is named by its address. */
  sourceRegistry?: string;
  /** Any registry as the source, by host[:port] (`--source-registry-uri`); absent for an ACR by name. */
  sourceRegistryUri?: string;
  /** For `sourceRegistryUri`; absent: anonymous pull. */
  sourceCredentials?: SourceCredentials;
  /** The task's choice: an ACR through ARM (`acr`) or any registry through a Docker Registry connection (`registry`). */
  sourceType?: string;
  targetRegistry: string;
  /** The task's service connections (ids, never printed). */
  sourceConnection?: string;
  /** The task's Docker Registry service connection of the source (id, never printed). */
  sourceRegistryConnection?: string;
  targetConnection?: string;
  /** Absent when a service connection gives it. */
  sourceSubscriptionId?: string;
  /** Defaults to the source subscription. */
  targetSubscriptionId?: string;
  /** A cloud name of the table's list. */
  cloud?: string;
  armEndpoint?: string;
  /** ARM tokens' audience, when not the endpoint (Azure Stack Hub). */
  armAudience?: string;
  authorityHost?: string;
  acrAudience?: string;
  /** The DNS domain registry addresses must be under, when not the cloud's own. */
  registryDomain?: string;
}

/** How the Azure clients talk HTTP, in the transport's units. */
export interface HttpOptions {
  requestTimeoutMs: number;
  maxReadsPerSecond?: number;
  /** The text of an extra CA file. */
  caPem?: string;
}

export interface ReportOptions {
  json?: string;
  markdown?: string;
}

/** How the plan is printed: a row per tag, a row per repository, counts only, or chosen by its size. */
export type PlanLayout = 'auto' | 'tags' | 'repositories' | 'none';

/** How the command line shows the run; the task ignores these. */
export interface OutputOptions {
  plan: PlanLayout;
  quiet: boolean;
  /** `json`: the run report on stdout, the lines for a person on stderr. */
  format: 'text' | 'json';
}

export interface RunOptions {
  sync: SyncOptions;
  connection: ConnectionOptions;
  http: HttpOptions;
  reports: ReportOptions;
  output: OutputOptions;
}

/** ARM's rule for registry names: 5 to 50 letters and digits. */
const REGISTRY_NAME = /^[a-zA-Z0-9]{5,50}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** OCI repository names: lower-case path components joined by '/'. */
const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
/**
 * ACR's naming rules for repositories are those of the Docker registry API it links to (ACR's
 * "About registries, repositories, and artifacts"): a name, slashes included, is shorter than
 * 256 characters.
 */
export const MAX_REPOSITORY_NAME_LENGTH = 255;

/** Trimmed text, or undefined when blank or not given. */
function present(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

function registryNameMissing(side: string): OptionsError {
  return new OptionsError('RequiredMissing', [`${side} registry name`], `${side} registry name is required`);
}

/** A registry name, checked; absent is allowed here (a source may be named by address), the rules across options decide. */
function registryName(spec: OptionSpec, value: unknown): string | undefined {
  const side = spec.side ?? 'source';
  const name = present(value);
  if (name === undefined) return undefined;
  if (!REGISTRY_NAME.test(name)) {
    throw new OptionsError('RegistryNameInvalid', [side, name], `${side} registry name "${name}" is not valid: use 5 to 50 letters and digits`);
  }
  return name;
}

function subscriptionId(spec: OptionSpec, value: unknown): string | undefined {
  const side = spec.side ?? 'source';
  const id = present(value);
  if (id !== undefined && !GUID.test(id)) {
    // The value itself is not echoed: subscription ids never appear in output.
    throw new OptionsError('SubscriptionIdInvalid', [side], `${side} subscription id is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  }
  return id;
}

function repositoryName(value: unknown): string | undefined {
  const repository = present(value);
  // Checked first: the pattern below need not run over an overlong value.
  if (repository !== undefined && repository.length > MAX_REPOSITORY_NAME_LENGTH) {
    throw new OptionsError(
      'RepositoryNameTooLong',
      [repository, String(repository.length), String(MAX_REPOSITORY_NAME_LENGTH)],
      `repository "${repository}" is ${repository.length} characters long: ACR allows at most ${MAX_REPOSITORY_NAME_LENGTH}`,
    );
  }
  if (repository !== undefined && !REPOSITORY_NAME.test(repository)) {
    throw new OptionsError('RepositoryNameInvalid', [repository], `repository "${repository}" is not a valid repository name (lower-case letters, digits, separators . _ - and /)`);
  }
  return repository;
}

function prefixInvalid(prefix: string, reason: string): OptionsError {
  return new OptionsError('PrefixInvalid', [prefix, reason], `target repository prefix "${prefix}" is not valid: ${reason}`);
}

/**
 * A prefix is good when every name it makes is: `prefix + a` must be a repository name (so
 * `mirror/`, `mirror-`, `dr/eu/` pass, `Mirror/`, `/mirror`, `mirror//` do not), with room
 * for at least one character under ACR's 255.
 */
function checkRepositoryPrefix(prefix: string): string {
  if (prefix.length >= MAX_REPOSITORY_NAME_LENGTH) {
    throw prefixInvalid(prefix, `it is ${prefix.length} characters long, and a repository name may have at most ${MAX_REPOSITORY_NAME_LENGTH}`);
  }
  if (!REPOSITORY_NAME.test(`${prefix}a`)) {
    throw prefixInvalid(prefix, 'with a repository name after it, it must make a valid repository name (lower-case letters, digits, separators . _ - and /, no leading or doubled /)');
  }
  return prefix;
}

function choice(spec: OptionSpec, value: unknown): string | undefined {
  const name = present(value);
  const allowed = spec.allowed ?? [];
  if (name !== undefined && !allowed.includes(name)) {
    const choices = `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
    const label = spec.label ?? spec.name;
    throw new OptionsError('ChoiceUnknown', [label, name, choices], `${label} "${name}" is not known: use ${choices}`);
  }
  return name ?? spec.defaultChoice;
}

function cloudName(spec: OptionSpec, value: unknown): string | undefined {
  const name = present(value);
  const allowed = spec.allowed ?? [];
  if (name !== undefined && !allowed.includes(name)) {
    const choices = `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
    throw new OptionsError('CloudUnknown', [name, choices], `${spec.label ?? spec.name} "${name}" is not known: use ${choices}`);
  }
  return name;
}

function httpsUrl(spec: OptionSpec, value: unknown): string | undefined {
  const url = present(value);
  return url === undefined ? undefined : checkHttpsUrl(spec.label ?? spec.name, url);
}

/** A CA file read and checked now, so that a bad path or file fails before any request. */
function pemFile(spec: OptionSpec, value: unknown): string | undefined {
  const path = present(value);
  return path === undefined ? undefined : readCaFile(spec.label ?? spec.name, path);
}

/** Repository names from repeated flags, comma lists or the task's one text input. */
function repositoryNames(value: unknown): string[] {
  const entries = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value];
  const names = entries.flatMap((entry) => String(entry).split(',')).map((name) => name.trim()).filter((name) => name !== '');
  return names.map((name) => repositoryName(name)!);
}

function patterns(value: unknown): string[] {
  const entries = Array.isArray(value) ? (value as unknown[]) : [];
  return entries.flatMap((entry) => splitPatternList(String(entry)));
}

/** One value, read and checked by its kind. */
function valueOf(spec: OptionSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'flag':
      return value === true;
    case 'number':
      return parseNumber(value as string | number | undefined, spec.rule!) ?? spec.default;
    case 'registryName':
      return registryName(spec, value);
    case 'subscriptionId':
      return subscriptionId(spec, value);
    case 'repositoryName':
      return repositoryName(value);
    case 'repositoryNames':
      return repositoryNames(value);
    case 'repositoryList': {
      const path = present(value);
      return path === undefined ? undefined : readRepositoryList(spec.label ?? spec.name, path).map((name) => repositoryName(name)!);
    }
    case 'registryHost': {
      const host = present(value);
      return host === undefined ? undefined : checkRegistryHost(spec.label ?? spec.name, host);
    }
    case 'secretFile': {
      const path = present(value);
      return path === undefined ? undefined : readSecretFile(spec.label ?? spec.name, path);
    }
    case 'letters': {
      const text = present(value);
      return text === undefined ? undefined : parseLetters(text);
    }
    case 'patterns':
      return patterns(value);
    case 'repositoryPrefix': {
      const prefix = present(value);
      return prefix === undefined ? undefined : checkRepositoryPrefix(prefix);
    }
    case 'outOfSync': {
      const text = present(value);
      if (text === undefined) return undefined;
      const allowed = spec.allowed ?? [];
      const choice = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
      if (choice === undefined) {
        const choices = `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
        throw new OptionsError('ChoiceUnknown', [spec.label ?? spec.name, text, choices], `${spec.label ?? spec.name} "${text}" is not known: use ${choices}`);
      }
      return choice === 'off' ? undefined : choice === 'Failed' ? 'failed' : 'succeededWithIssues';
    }
    case 'sinceTime': {
      const text = present(value);
      return text === undefined ? undefined : parseUpdatedSince(text, Date.now());
    }
    case 'cloudName':
      return cloudName(spec, value);
    case 'choice':
      return choice(spec, value);
    case 'httpsUrl':
      return httpsUrl(spec, value);
    case 'domainName': {
      const domain = present(value);
      return domain === undefined ? undefined : checkDomainName(spec.label ?? spec.name, domain);
    }
    case 'pemFile':
      return pemFile(spec, value);
    case 'reportPath': {
      const path = present(value);
      return path === undefined ? undefined : checkReportPath(spec.label ?? spec.name, path);
    }
    case 'text':
    case 'path':
    case 'connection':
      return present(value);
  }
}

type Entry = (typeof OPTIONS)[number];

/** The checked value's type, by the entry's kind. */
type ValueOf<E extends Entry> = E extends { kind: 'flag' }
  ? boolean
  : E extends { kind: 'number'; default: number }
    ? number
    : E extends { kind: 'number' }
      ? number | undefined
      : E extends { kind: 'repositoryNames' }
        ? string[]
        : E extends { kind: 'repositoryList' }
          ? string[] | undefined
        : E extends { kind: 'letters' }
          ? LetterFilter | undefined
          : E extends { kind: 'patterns' }
            ? string[]
            : E extends { kind: 'outOfSync' }
              ? 'failed' | 'succeededWithIssues' | undefined
              : E extends { kind: 'repositoryPrefix' }
              ? string | undefined
              : E extends { kind: 'sinceTime' }
              ? { text: string; time: number } | undefined
            : E extends { kind: 'choice'; defaultChoice: string }
              ? string
              : string | undefined;

/** The checked values of one part, named as in the table. */
type PartValues<P extends OptionPart> = { [E in Entry as E extends { part: P } ? E['name'] : never]: ValueOf<E> };

function partValues<P extends OptionPart>(raw: RawOptions, part: P): PartValues<P> {
  const values: Record<string, unknown> = {};
  for (const spec of OPTIONS as readonly OptionSpec[]) {
    if (spec.part === part) values[spec.name] = valueOf(spec, (raw as Record<string, unknown>)[spec.name]);
  }
  // valueOf returns, for each kind, exactly the type ValueOf names.
  return values as PartValues<P>;
}

type SourceValues = Pick<ConnectionOptions, 'sourceRegistry' | 'sourceRegistryUri' | 'sourceType'>;
interface CredentialValues {
  username?: string;
  password?: string;
  passwordFile?: string;
}

/**
 * The source: an ACR by name, or any registry by address with optional credentials. A password
 * needs a user and a user a password; credentials need an address (an ACR by name is read with
 * the Entra identity, and credentials given there would be silently unused).
 */
function sourceOf(values: SourceValues, credentials: CredentialValues): Pick<ConnectionOptions, 'sourceRegistry' | 'sourceRegistryUri' | 'sourceCredentials'> {
  const { sourceRegistry, sourceRegistryUri } = values;
  if (sourceRegistry !== undefined && sourceRegistryUri !== undefined) {
    throw new OptionsError(
      'SourceTwice',
      [sourceRegistry, sourceRegistryUri],
      `the source is named twice, as registry "${sourceRegistry}" and as address "${sourceRegistryUri}": give --source-registry-name for an Azure Container Registry, or --source-registry-uri for any registry, not both`,
    );
  }
  if (credentials.password !== undefined && credentials.passwordFile !== undefined) {
    throw new OptionsError('SourcePasswordTwice', [], 'the source password is given twice, in ACR_TRANSFER_SOURCE_PASSWORD and in --source-password-file: give one');
  }
  const password = credentials.password ?? credentials.passwordFile;
  const { username } = credentials;
  if (sourceRegistryUri === undefined) {
    if (sourceRegistry === undefined) throw registryNameMissing('source');
    if (username !== undefined || password !== undefined) {
      throw new OptionsError(
        'SourceCredentialsWithoutUri',
        [],
        'source credentials (--source-username, a source password) are for a source named by --source-registry-uri; an Azure Container Registry named by --source-registry-name is read with the Azure sign-in',
      );
    }
    return { sourceRegistry };
  }
  if (password !== undefined && username === undefined) {
    throw new OptionsError('SourcePasswordWithoutUser', [], 'a source password is given without a user: add --source-username (for a token, the token name)');
  }
  if (username !== undefined && password === undefined) {
    throw new OptionsError(
      'SourceUserWithoutPassword',
      [username],
      `source user "${username}" has no password: set ACR_TRANSFER_SOURCE_PASSWORD or pass --source-password-file FILE`,
    );
  }
  return { sourceRegistryUri, ...(username !== undefined && password !== undefined ? { sourceCredentials: { username, password } } : {}) };
}

export function parseOptions(raw: RawOptions): RunOptions {
  const { sourceUsername, sourcePassword, sourcePasswordFile, ...connectionValues } = partValues(raw, 'connection');
  const { targetRegistry } = connectionValues;
  if (targetRegistry === undefined) throw registryNameMissing('target');
  const source = sourceOf(connectionValues, { username: sourceUsername, password: sourcePassword, passwordFile: sourcePasswordFile });
  const sourceName = source.sourceRegistry ?? source.sourceRegistryUri ?? '';
  // Registry names are globally unique in Azure, so the same name is the same registry.
  if (sourceName.toLowerCase() === targetRegistry.toLowerCase() || sourceName.toLowerCase().startsWith(`${targetRegistry.toLowerCase()}.azurecr.`)) {
    throw new OptionsError('SameRegistry', [sourceName], `source and target are the same registry ("${sourceName}")`);
  }
  const connection: ConnectionOptions = {
    ...connectionValues,
    ...source,
    targetRegistry,
    targetSubscriptionId: connectionValues.targetSubscriptionId ?? connectionValues.sourceSubscriptionId,
  };

  const { ignorePatterns, ignoreConfig, shardIndex, shardCount, repository: namedRepositories, repositoryList, letters, targetRepositoryPrefix, check, failWhenOutOfSync, tagPatterns, ignoreTagPatterns, tagsUpdatedSince, keepLatestTags, referrers, ...plain } =
    partValues(raw, 'sync');
  const allPatterns = ignoreConfig === undefined ? ignorePatterns : [...ignorePatterns, ...loadIgnoreConfig(ignoreConfig)];
  // Named on the command line and in a list file: one list, each name once, in the order given.
  const named = [...new Set([...namedRepositories, ...(repositoryList ?? [])])];
  const repositories = named.length > 0 ? named : undefined;
  for (const repository of repositories ?? []) {
    if (targetRepositoryPrefix !== undefined && targetRepositoryPrefix.length + repository.length > MAX_REPOSITORY_NAME_LENGTH) {
      const mapped = `${targetRepositoryPrefix}${repository}`;
      throw prefixInvalid(targetRepositoryPrefix, `the target repository ${mapped} would be ${mapped.length} characters long: ACR allows at most ${MAX_REPOSITORY_NAME_LENGTH}`);
    }
  }
  // A registry named by address lists tags without update times (the distribution API has none).
  if (source.sourceRegistryUri !== undefined && (tagsUpdatedSince !== undefined || keepLatestTags !== undefined)) {
    const option = tagsUpdatedSince !== undefined ? 'tags updated since' : 'keep latest tags';
    throw new OptionsError(
      'TimeFilterWithoutTimes',
      [option, source.sourceRegistryUri],
      `${option} needs the tags' update times, which ${source.sourceRegistryUri} does not list (the registry API has none): select tags by name with tag patterns instead`,
    );
  }
  const onDrift = check ? 'failed' : failWhenOutOfSync;
  if (onDrift !== undefined && plain.force) {
    throw new OptionsError('CheckWithForce', [], 'a check (--check, Fail when out of sync) writes nothing, so it cannot re-import with force: leave force out');
  }
  const sync: SyncOptions = {
    ...plain,
    // A check is a dry run whose drift sets the result: the engine never writes in it.
    dryRun: plain.dryRun || onDrift !== undefined,
    ...(onDrift !== undefined ? { check: { onDrift } } : {}),
    ...(targetRepositoryPrefix !== undefined ? { targetRepositoryPrefix } : {}),
    sourceRegistry: sourceName,
    targetRegistry,
    ...(repositories !== undefined ? { repositories } : {}),
    // Named repositories override `letters`, as in the reference script; letters are still checked.
    letters: repositories === undefined ? letters : undefined,
    ignore: compileIgnorePatterns(allPatterns),
    listConcurrency: DEFAULT_LIST_CONCURRENCY,
    shard: pairShard(shardIndex, shardCount),
    tagFilter: compileTagFilter({ tagPatterns, ignoreTagPatterns, tagsUpdatedSince, keepLatestTags }),
    // choice() returns one of the table's `allowed`, which are exactly the modes.
    referrers: referrers as ReferrersMode,
  };

  const { requestTimeoutSeconds, maxReadsPerSecond, caFile } = partValues(raw, 'http');
  const http: HttpOptions = {
    requestTimeoutMs: Math.round(requestTimeoutSeconds * 1000),
    ...(maxReadsPerSecond !== undefined ? { maxReadsPerSecond } : {}),
    ...(caFile !== undefined ? { caPem: caFile } : {}),
  };

  const { reportJson, reportMarkdown } = partValues(raw, 'reports');
  const reports: ReportOptions = {
    ...(reportJson !== undefined ? { json: reportJson } : {}),
    ...(reportMarkdown !== undefined ? { markdown: reportMarkdown } : {}),
  };
  const { planLayout, quiet, outputFormat } = partValues(raw, 'output');
  // choice() returns one of the table's `allowed`, which are exactly these.
  const output: OutputOptions = { plan: planLayout as PlanLayout, quiet, format: outputFormat as OutputOptions['format'] };
  return { sync, connection, http, reports, output };
}
