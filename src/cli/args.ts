import { parseArgs } from 'node:util';
import type { RawSyncOptions } from '../engine/options';
import { OptionsError } from '../engine/optionsError';

/**
 * Command-line flags. The reference script's flags keep their names and meaning; the rest
 * (concurrency, time limits, sharding, reports, clouds, CA) are this tool's additions.
 */
export interface CliArguments {
  help: boolean;
  version: boolean;
  sync: RawSyncOptions;
  reportJson?: string;
  reportMarkdown?: string;
  cloud?: string;
  armEndpoint?: string;
  authorityHost?: string;
  acrAudience?: string;
  caFile?: string;
}

const FLAGS = {
  'source-registry-name': { type: 'string' },
  'target-registry-name': { type: 'string' },
  'source-subscription-id': { type: 'string' },
  'target-subscription-id': { type: 'string' },
  repository: { type: 'string' },
  letters: { type: 'string' },
  'ignore-pattern': { type: 'string', multiple: true },
  'ignore-config': { type: 'string' },
  'max-repositories': { type: 'string' },
  'delay-seconds': { type: 'string' },
  'max-concurrency': { type: 'string' },
  'time-budget-minutes': { type: 'string' },
  'import-timeout-minutes': { type: 'string' },
  'request-timeout-seconds': { type: 'string' },
  'max-reads-per-second': { type: 'string' },
  'shard-index': { type: 'string' },
  'shard-count': { type: 'string' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  'report-json': { type: 'string' },
  'report-markdown': { type: 'string' },
  cloud: { type: 'string' },
  'arm-endpoint': { type: 'string' },
  'authority-host': { type: 'string' },
  'acr-audience': { type: 'string' },
  'ca-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export const USAGE = `Usage: acr-transfer --source-registry-name NAME --target-registry-name NAME [options]

Copies the tags of a source Azure Container Registry that are missing in the target, or that
point at another manifest digest there, with server-side importImage pinned to the digest.

Registries
  --source-registry-name NAME     source registry (5-50 letters and digits)
  --target-registry-name NAME     target registry
  --source-subscription-id ID     subscription of the source (default: AZURE_SUBSCRIPTION_ID)
  --target-subscription-id ID     subscription of the target (default: the source's)

Repositories
  --repository NAME               only this repository (overrides --letters)
  --letters LIST                  first letters or ranges, e.g. a-c,e,g or 0-9 (ignores case)
  --ignore-pattern PATTERN        skip repositories matching a glob (myRepo/*, team/**) or a
                                  regex prefixed re: (re:^tmp-); repeatable or comma-separated
  --ignore-config FILE            JSON array of such patterns

Behaviour
  --dry-run                       print the plan; write nothing
  --force                         re-import tags even when digests already match
  --max-repositories N            import into at most N repositories that have work
  --delay-seconds S               wait S seconds between import starts (default 0)
  --max-concurrency N             imports in flight at once, 1-32 (default 4)
  --time-budget-minutes M         stop starting work when the budget nears its end; imports
                                  in flight finish, the rest is left for the next run (exit 0)
  --import-timeout-minutes M      fail an import that takes longer (default 30)
  --request-timeout-seconds S     give up on one HTTP attempt after S seconds and retry it
                                  (default 60)
  --max-reads-per-second R        cap requests to each registry (ACR allows about 16, 50 and
                                  166 reads per second on Basic, Standard and Premium)

Sharding (N jobs share one migration)
  --shard-index I                 this job's shard, 1 to --shard-count
  --shard-count N                 how many shards; a repository's shard is a stable hash of
                                  its name (FNV-1a) mod N, plus 1

Reports
  --report-json FILE              write the run report as JSON (docs/run-report.md)
  --report-markdown FILE          write the run report as Markdown

Azure
  --cloud NAME                    AzureCloud (default), AzureUSGovernment, AzureChinaCloud
  --arm-endpoint URL              override the Resource Manager endpoint
  --authority-host URL            override the Entra ID authority
  --acr-audience URL              override the registry token audience
  --ca-file FILE                  also trust this CA (PEM), e.g. a corporate proxy's

Sign-in (first that applies): AZURE_CLIENT_ID + AZURE_TENANT_ID with AZURE_CLIENT_SECRET,
AZURE_FEDERATED_TOKEN_FILE or AZURE_CLIENT_CERTIFICATE_PATH; then \`az login\`; then managed
identity (Azure clouds only).

Exit codes: 0 done (dry run and a stop on the time budget included), 1 an import, a tag or
a repository failed, 2 bad input (nothing was written), 3 the run could not start (sign-in, a
preflight check: permissions or network rules) or stopped unexpectedly.
`;

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
    if (name !== undefined && name in FLAGS && FLAGS[name as keyof typeof FLAGS].type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${flag}=${next}`);
      i++;
    } else {
      out.push(flag);
    }
  }
  return out;
}

/** Turns argv into raw options; unknown flags and stray arguments are bad input too. */
export function parseCliArguments(argv: readonly string[]): CliArguments {
  let values: ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true; allowPositionals: false }>>['values'];
  try {
    ({ values } = parseArgs({ args: joinNegativeNumbers(argv), options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new OptionsError('ArgumentInvalid', [message], `${message} (see --help)`);
  }
  return {
    help: values.help === true,
    version: values.version === true,
    sync: {
      sourceRegistry: values['source-registry-name'],
      targetRegistry: values['target-registry-name'],
      sourceSubscriptionId: values['source-subscription-id'],
      targetSubscriptionId: values['target-subscription-id'],
      repository: values.repository,
      letters: values.letters,
      ignorePatterns: values['ignore-pattern'] ?? [],
      ignoreConfig: values['ignore-config'],
      maxRepositories: values['max-repositories'],
      delaySeconds: values['delay-seconds'],
      maxConcurrency: values['max-concurrency'],
      timeBudgetMinutes: values['time-budget-minutes'],
      importTimeoutMinutes: values['import-timeout-minutes'],
      requestTimeoutSeconds: values['request-timeout-seconds'],
      maxReadsPerSecond: values['max-reads-per-second'],
      shardIndex: values['shard-index'],
      shardCount: values['shard-count'],
      dryRun: values['dry-run'] === true,
      force: values.force === true,
    },
    reportJson: values['report-json'],
    reportMarkdown: values['report-markdown'],
    cloud: values.cloud,
    armEndpoint: values['arm-endpoint'],
    authorityHost: values['authority-host'],
    acrAudience: values['acr-audience'],
    caFile: values['ca-file'],
  };
}
