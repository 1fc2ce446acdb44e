import { compileIgnorePatterns, splitPatternList, type IgnoreMatcher } from './ignorePatterns';
import { loadIgnoreConfig } from './ignoreConfig';
import { parseLetters, type LetterFilter } from './letters';
import { parseNumber } from './numberOption';
import { OptionsError } from './optionsError';
import type { Shard } from './sharding';
import { parseShard } from './shardOptions';

/**
 * Options as a front end collects them: strings from command-line flags or task inputs,
 * unchecked. `validateOptions` is the only way to a `SyncOptions`, so both front ends reject
 * the same bad input with the same messages, before anything is read or written.
 */
export interface RawSyncOptions {
  sourceRegistry?: string;
  targetRegistry?: string;
  sourceSubscriptionId?: string;
  targetSubscriptionId?: string;
  repository?: string;
  letters?: string;
  /** Each entry may itself be a comma-separated list. */
  ignorePatterns?: readonly string[];
  ignoreConfig?: string;
  maxRepositories?: string | number;
  delaySeconds?: string | number;
  maxConcurrency?: string | number;
  /** Minutes; near the end no new import starts. */
  timeBudgetMinutes?: string | number;
  /** Minutes one import may take before it is failed (default 30). */
  importTimeoutMinutes?: string | number;
  /** Seconds one HTTP attempt may take before it is abandoned and retried (default 60). */
  requestTimeoutSeconds?: string | number;
  /** Cap on requests per second to each registry's data plane (default: no cap). */
  maxReadsPerSecond?: string | number;
  /** 1-based, with `shardCount`. */
  shardIndex?: string | number;
  shardCount?: string | number;
  dryRun?: boolean;
  force?: boolean;
}

export interface SyncOptions {
  sourceRegistry: string;
  targetRegistry: string;
  /** Absent when the front end resolves the subscription itself (e.g. from a connection). */
  sourceSubscriptionId?: string;
  /** Defaults to the source subscription. */
  targetSubscriptionId?: string;
  repository?: string;
  letters?: LetterFilter;
  ignore: IgnoreMatcher;
  ignoreConfig?: string;
  maxRepositories?: number;
  delaySeconds: number;
  maxConcurrency: number;
  /** How many repositories are listed at once while planning. */
  listConcurrency: number;
  /** Absent: no budget. */
  timeBudgetMinutes?: number;
  importTimeoutMinutes: number;
  /**
   * How the front end's Azure clients talk HTTP; the engine only carries them, validated with
   * everything else so bad values fail before any request.
   */
  requestTimeoutSeconds: number;
  maxReadsPerSecond?: number;
  /** Absent: this run takes every selected repository. */
  shard?: Shard;
  dryRun: boolean;
  force: boolean;
}

export const DEFAULT_MAX_CONCURRENCY = 4;
export const MAX_CONCURRENCY_LIMIT = 32;
/**
 * Repositories listed at once while planning, each on both registries. 8 left a 10,000-repository
 * no-op at 30 s (20 ms latency); 12 takes it to 20 s. A registry's read limit is not ours to
 * guess: its 429s are waited out and `maxReadsPerSecond` caps the rate when asked.
 */
export const DEFAULT_LIST_CONCURRENCY = 12;
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;
export const DEFAULT_IMPORT_TIMEOUT_MINUTES = 30;
/** A week: longer than any pipeline job, and within what one timer can wait. */
export const MAX_TIME_BUDGET_MINUTES = 10_080;
/** A day: importImage copies server-side; an import that takes longer is stuck. */
export const MAX_IMPORT_TIMEOUT_MINUTES = 1_440;

/** ARM's rule for registry names: 5 to 50 letters and digits. */
const REGISTRY_NAME = /^[a-zA-Z0-9]{5,50}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** OCI repository names: lower-case path components joined by '/'. */
const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function registryName(value: string | undefined, side: 'source' | 'target'): string {
  const name = present(value);
  if (name === undefined) {
    throw new OptionsError('RequiredMissing', [`${side} registry name`], `${side} registry name is required`);
  }
  if (!REGISTRY_NAME.test(name)) {
    throw new OptionsError('RegistryNameInvalid', [side, name], `${side} registry name "${name}" is not valid: use 5 to 50 letters and digits`);
  }
  return name;
}

function subscriptionId(value: string | undefined, side: 'source' | 'target'): string | undefined {
  const id = present(value);
  if (id !== undefined && !GUID.test(id)) {
    // The value itself is not echoed: subscription ids never appear in output.
    throw new OptionsError('SubscriptionIdInvalid', [side], `${side} subscription id is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  }
  return id;
}

export function validateOptions(raw: RawSyncOptions): SyncOptions {
  const sourceRegistry = registryName(raw.sourceRegistry, 'source');
  const targetRegistry = registryName(raw.targetRegistry, 'target');
  const sourceSubscriptionId = subscriptionId(raw.sourceSubscriptionId, 'source');
  const targetSubscriptionId = subscriptionId(raw.targetSubscriptionId, 'target') ?? sourceSubscriptionId;
  // Registry names are globally unique in Azure, so the same name is the same registry.
  if (sourceRegistry.toLowerCase() === targetRegistry.toLowerCase()) {
    throw new OptionsError('SameRegistry', [sourceRegistry], `source and target are the same registry ("${sourceRegistry}")`);
  }

  const repository = present(raw.repository);
  if (repository !== undefined && !REPOSITORY_NAME.test(repository)) {
    throw new OptionsError('RepositoryNameInvalid', [repository], `repository "${repository}" is not a valid repository name (lower-case letters, digits, separators . _ - and /)`);
  }
  const lettersText = present(raw.letters);
  // `repository` overrides `letters`, as in the reference script; letters are still validated.
  const letters = lettersText === undefined ? undefined : parseLetters(lettersText);

  const patterns = (raw.ignorePatterns ?? []).flatMap(splitPatternList);
  const ignoreConfig = present(raw.ignoreConfig);
  if (ignoreConfig !== undefined) patterns.push(...loadIgnoreConfig(ignoreConfig));
  const ignore = compileIgnorePatterns(patterns);

  const maxRepositories = parseNumber(raw.maxRepositories, {
    label: 'max repositories',
    min: 1,
    integer: true,
    hint: 'give a whole number of at least 1',
  });
  const delaySeconds =
    parseNumber(raw.delaySeconds, { label: 'delay seconds', min: 0, max: 3600, integer: false, hint: 'give a number of seconds from 0 to 3600' }) ?? 0;
  const maxConcurrency =
    parseNumber(raw.maxConcurrency, {
      label: 'max concurrency',
      min: 1,
      max: MAX_CONCURRENCY_LIMIT,
      integer: true,
      hint: `give a whole number from 1 to ${MAX_CONCURRENCY_LIMIT}`,
    }) ?? DEFAULT_MAX_CONCURRENCY;
  const timeBudgetMinutes = parseNumber(raw.timeBudgetMinutes, {
    label: 'time budget minutes',
    min: 0,
    exclusive: true,
    max: MAX_TIME_BUDGET_MINUTES,
    integer: false,
    hint: `give a number of minutes above 0 and at most ${MAX_TIME_BUDGET_MINUTES}, such as 50`,
  });
  const importTimeoutMinutes =
    parseNumber(raw.importTimeoutMinutes, {
      label: 'import timeout minutes',
      min: 0,
      exclusive: true,
      max: MAX_IMPORT_TIMEOUT_MINUTES,
      integer: false,
      hint: `give a number of minutes above 0 and at most ${MAX_IMPORT_TIMEOUT_MINUTES}, such as 30`,
    }) ?? DEFAULT_IMPORT_TIMEOUT_MINUTES;
  const requestTimeoutSeconds =
    parseNumber(raw.requestTimeoutSeconds, {
      label: 'request timeout seconds',
      min: 1,
      max: 600,
      integer: false,
      hint: 'give a number of seconds from 1 to 600, such as 60',
    }) ?? DEFAULT_REQUEST_TIMEOUT_SECONDS;
  const maxReadsPerSecond = parseNumber(raw.maxReadsPerSecond, {
    label: 'max reads per second',
    min: 0,
    exclusive: true,
    max: 10_000,
    integer: false,
    hint: 'give a number above 0 and at most 10000, such as 150 (a Premium registry allows about 166 per second)',
  });
  const shard = parseShard(raw.shardIndex, raw.shardCount);

  return {
    sourceRegistry,
    targetRegistry,
    sourceSubscriptionId,
    targetSubscriptionId,
    repository,
    letters: repository === undefined ? letters : undefined,
    ignore,
    ignoreConfig,
    maxRepositories,
    delaySeconds,
    maxConcurrency,
    listConcurrency: DEFAULT_LIST_CONCURRENCY,
    timeBudgetMinutes,
    importTimeoutMinutes,
    requestTimeoutSeconds,
    ...(maxReadsPerSecond !== undefined ? { maxReadsPerSecond } : {}),
    shard,
    dryRun: raw.dryRun === true,
    force: raw.force === true,
  };
}
