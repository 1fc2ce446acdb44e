/**
 * Every option of ACR Transfer, once: its name, how the command line and the task take it, its
 * kind, default and rule, and its help text. The command line's flags and usage text, the
 * task's input reading and task.json's `inputs` (scripts/taskInputs.mjs writes them; a test
 * checks they agree) all come from this table, so an option cannot mean one thing in one front
 * end and another in the other.
 *
 * `part` says where the checked value goes (options/parse.ts): the engine's `sync` options,
 * the `connection` (which registries, where, as whom), the `http` settings of the Azure
 * clients, or the `reports` to write.
 */
import type { NumberRule } from './numberRule';

/**
 * How a value is read and checked (options/parse.ts):
 * - `text` trimmed, blank is "not given"; `flag` a boolean; `number` by its `rule`;
 * - `registryName`, `subscriptionId`, `repositoryName`, `letters`, `cloudName`, `httpsUrl`:
 *   text with that rule;
 * - `choice` one of `allowed` (exactly as written), `defaultChoice` when not given;
 * - `patterns` a list of ignore patterns (each entry may be a comma list);
 * - `sinceTime` an ISO date or `Nd` (options/updatedSince.ts);
 * - `repositoryPrefix` text put before every source repository name in the target;
 * - `outOfSync` one of `allowed` (ignoring case): the task's result when a check finds drift;
 * - `pemFile` a PEM file of certificates, read and checked now: its text is the value (a CA file);
 * - `path` a path read later (the ignore config, read with `ignorePatterns`);
 * - `reportPath` a path a report is written to after the run, checked now;
 * - `connection` a service connection id (task only);
 * - `registryHost` a registry's host[:port], no scheme, no path (options/registryHost.ts);
 * - `secretFile` a file holding a password or token, read now: its text is the value;
 * - `repositoryNames` a list of repository names (repeatable, each entry may be a comma list);
 * - `repositoryList` a file of repository names, one a line, read now: its names are the value.
 */
export type OptionKind =
  | 'text'
  | 'flag'
  | 'number'
  | 'registryName'
  | 'subscriptionId'
  | 'repositoryName'
  | 'letters'
  | 'patterns'
  | 'sinceTime'
  | 'repositoryPrefix'
  | 'outOfSync'
  | 'cloudName'
  | 'choice'
  | 'httpsUrl'
  | 'domainName'
  | 'pemFile'
  | 'path'
  | 'reportPath'
  | 'connection'
  | 'registryHost'
  | 'secretFile'
  | 'repositoryNames'
  | 'repositoryList';

/**
 * `output` is how the command line shows the run (plan layout, quiet, a report on stdout): the
 * engine and the task never read it.
 */
export type OptionPart = 'sync' | 'connection' | 'http' | 'reports' | 'output';

export type CliSection = 'Registries' | 'Repositories' | 'Tags' | 'Behaviour' | 'Sharding' | 'Reports' | 'Output' | 'Azure';

export interface CliFlag {
  /** Without the dashes: `max-repositories`. */
  flag: string;
  /** The value's placeholder in the usage text (`N`); absent for a boolean flag. */
  value?: string;
  section: CliSection;
  /** The usage text; `\n` starts a continuation line. The default is appended. */
  help: string;
  /** An environment variable that gives the value when the flag does not. */
  env?: string;
  /** Repeatable (each one adds to a list). */
  multiple?: true;
}

export type TaskInputType = 'connectedService:AzureRM' | 'connectedService:dockerregistry' | 'pickList' | 'string' | 'multiLine' | 'boolean' | 'filePath';

export interface TaskInput {
  /** The input's name in task.json and in YAML. */
  input: string;
  type: TaskInputType;
  label: string;
  /** Older names YAML may still use. */
  aliases?: readonly string[];
  /** task.json group; absent: the top of the form. */
  group?: 'repositories' | 'behaviour' | 'advanced';
  required?: true;
  /** task.json `helpMarkDown`. */
  help: string;
  /** A pick list's fixed choices (value → label). */
  options?: Readonly<Record<string, string>>;
  /** What the form shows before anyone chooses, when not the option's default. */
  defaultValue?: string;
  properties?: Readonly<Record<string, string | boolean>>;
  /** task.json `visibleRule`: when the form shows the input (a hidden input is not required). */
  visibleRule?: string;
}

export interface OptionSpec {
  /** The option's name in RawOptions. */
  name: string;
  kind: OptionKind;
  part: OptionPart;
  /** Numbers: the value when none is given. */
  default?: number;
  /** Numbers: what is allowed, and the hint a message gives. */
  rule?: NumberRule;
  /** Cloud names and choices: the values allowed. */
  allowed?: readonly string[];
  /** Choices: the value when none is given. */
  defaultChoice?: string;
  /** How messages name a URL or file option (numbers name themselves in their rule). */
  label?: string;
  /** Registry names and subscription ids: which registry the value is about. */
  side?: 'source' | 'target';
  cli?: CliFlag;
  task?: TaskInput;
}

export const DEFAULT_MAX_CONCURRENCY = 4;
export const MAX_CONCURRENCY_LIMIT = 32;
/** A week: longer than any pipeline job, and within what one timer can wait. */
export const MAX_TIME_BUDGET_MINUTES = 10_080;
/** A day: importImage copies server-side; an import that takes longer is stuck. */
export const MAX_IMPORT_TIMEOUT_MINUTES = 1_440;

export const OPTIONS = [
  {
    name: 'sourceType',
    kind: 'choice',
    part: 'connection',
    allowed: ['acr', 'registry'],
    defaultChoice: 'acr',
    label: 'source type',
    task: {
      input: 'sourceType',
      type: 'pickList',
      label: 'Source',
      help: 'Where the images come from: `acr`, an Azure Container Registry reached through an Azure Resource Manager service connection (listed with one request per repository page, imported by resource id); or `registry`, any registry reached through a Docker Registry service connection: Docker Hub, GitHub Container Registry, Quay, another cloud\'s registry, or an Azure Container Registry in another tenant with a repository-scoped token (its tags are read one request per tag, so reads cost more). Example: `registry`.',
      options: { acr: 'Azure Container Registry (Azure Resource Manager connection)', registry: 'Any registry (Docker Registry connection)' },
    },
  },
  {
    name: 'sourceRegistryConnection',
    kind: 'connection',
    part: 'connection',
    task: {
      input: 'sourceRegistryConnection',
      aliases: ['sourceDockerRegistryServiceConnection'],
      type: 'connectedService:dockerregistry',
      label: 'Source registry connection',
      required: true,
      visibleRule: 'sourceType = registry',
      help: 'Docker Registry service connection of the source registry: its registry URL names the host (`https://index.docker.io/v1/` for Docker Hub, `https://ghcr.io`, `https://quay.io`, `https://contoso.azurecr.io` for an ACR in another tenant), its user name and password (or token) are sent to that registry and its own token service only, and given to importImage for the copy. Leave the user name empty for anonymous pull. Example: `dockerhub-mirror`.',
    },
  },
  {
    name: 'sourceConnection',
    kind: 'connection',
    part: 'connection',
    task: {
      input: 'sourceConnection',
      aliases: ['sourceAzureSubscription'],
      type: 'connectedService:AzureRM',
      label: 'Source Azure subscription',
      required: true,
      visibleRule: 'sourceType = acr',
      help: 'Azure Resource Manager service connection scoped to the subscription of the source registry. Its identity needs Reader on the source registry (to find it) and a data-plane read role to list it: AcrPull, or in the attribute-based repository permission mode Container Registry Repository Catalog Lister and Container Registry Repository Reader. Example: `prod-subscription`.',
      properties: { EndpointFilterRule: 'ScopeLevel != ManagementGroup' },
    },
  },
  {
    name: 'sourceRegistry',
    kind: 'registryName',
    part: 'connection',
    side: 'source',
    cli: { flag: 'source-registry-name', value: 'NAME', section: 'Registries', help: 'source registry (5-50 letters and digits)' },
    task: {
      input: 'sourceRegistry',
      type: 'pickList',
      label: 'Source registry',
      required: true,
      visibleRule: 'sourceType = acr',
      help: 'Name of the source Azure Container Registry in that subscription (5–50 letters and digits; `contosoprod.azurecr.io` is accepted too). Example: `contosoprod`.',
      properties: { EditableOptions: 'True' },
    },
  },
  {
    name: 'sourceRegistryUri',
    kind: 'registryHost',
    part: 'connection',
    label: 'source registry address',
    cli: {
      flag: 'source-registry-uri',
      value: 'HOST',
      section: 'Registries',
      help: 'any registry as the source, by host instead of\n--source-registry-name: docker.io, ghcr.io, quay.io,\nother.azurecr.io (tags are read one request each)',
    },
  },
  {
    name: 'sourceUsername',
    kind: 'text',
    part: 'connection',
    cli: {
      flag: 'source-username',
      value: 'USER',
      section: 'Registries',
      help: 'user (or token name) for --source-registry-uri; the\npassword or token comes from ACR_TRANSFER_SOURCE_PASSWORD\nor --source-password-file, never from a flag',
      env: 'ACR_TRANSFER_SOURCE_USERNAME',
    },
  },
  {
    name: 'sourcePasswordFile',
    kind: 'secretFile',
    part: 'connection',
    label: 'source password file',
    cli: { flag: 'source-password-file', value: 'FILE', section: 'Registries', help: 'file holding the password or token of --source-username' },
  },
  {
    // From the environment (ACR_TRANSFER_SOURCE_PASSWORD) or the task's Docker Registry
    // connection, never a flag: a flag's value is visible to every user of the machine.
    name: 'sourcePassword',
    kind: 'text',
    part: 'connection',
  },
  {
    name: 'targetConnection',
    kind: 'connection',
    part: 'connection',
    task: {
      input: 'targetConnection',
      aliases: ['targetAzureSubscription'],
      type: 'connectedService:AzureRM',
      label: 'Target Azure subscription',
      required: true,
      help: 'Azure Resource Manager service connection scoped to the subscription of the target registry; may be the same as the source connection. Its identity needs Contributor, or Container Registry Data Importer and Data Reader, on the target registry (to import and to read its tags; in the attribute-based repository permission mode also Container Registry Repository Reader), and Reader on the source registry (the import runs as this identity; AcrPull is not enough) — unless the two connections are in different Microsoft Entra tenants: then the import reads the source with the source identity\'s access token and this identity needs nothing there. Example: `dr-subscription`.',
      properties: { EndpointFilterRule: 'ScopeLevel != ManagementGroup' },
    },
  },
  {
    name: 'targetRegistry',
    kind: 'registryName',
    part: 'connection',
    side: 'target',
    cli: { flag: 'target-registry-name', value: 'NAME', section: 'Registries', help: 'target registry' },
    task: {
      input: 'targetRegistry',
      type: 'pickList',
      label: 'Target registry',
      required: true,
      help: 'Name of the target Azure Container Registry; it must differ from the source. Example: `contosodr`.',
      properties: { EditableOptions: 'True' },
    },
  },
  {
    name: 'sourceSubscriptionId',
    kind: 'subscriptionId',
    part: 'connection',
    side: 'source',
    cli: {
      flag: 'source-subscription-id',
      value: 'ID',
      section: 'Registries',
      help: 'subscription of the source (default: AZURE_SUBSCRIPTION_ID)',
      env: 'AZURE_SUBSCRIPTION_ID',
    },
  },
  {
    name: 'targetSubscriptionId',
    kind: 'subscriptionId',
    part: 'connection',
    side: 'target',
    cli: { flag: 'target-subscription-id', value: 'ID', section: 'Registries', help: "subscription of the target (default: the source's)" },
  },
  {
    name: 'repository',
    kind: 'repositoryNames',
    part: 'sync',
    cli: {
      flag: 'repository',
      value: 'NAME',
      section: 'Repositories',
      help: 'only this repository (overrides --letters; no catalog read);\nrepeatable or comma-separated',
      multiple: true,
    },
    task: {
      input: 'repository',
      type: 'string',
      label: 'Repository',
      group: 'repositories',
      help: 'Copy only these repositories (exact names, comma-separated); the catalog is not read. Overrides Letters. Needed for a registry without a catalog, such as Docker Hub, where a one-segment name means `library/` (`nginx` is `library/nginx`). Example: `team/api` or `library/nginx, library/redis`.',
    },
  },
  {
    name: 'repositoryList',
    kind: 'repositoryList',
    part: 'sync',
    label: 'repository list',
    cli: { flag: 'repository-list', value: 'FILE', section: 'Repositories', help: 'only the repositories named in FILE, one a line (# comments)' },
    task: {
      input: 'repositoryList',
      type: 'filePath',
      label: 'Repository list file',
      group: 'repositories',
      help: 'Path to a text file naming the repositories to copy, one per line (blank lines and lines starting with `#` are skipped); taken together with Repository, and like it overrides Letters and reads no catalog. Example: `mirror/repositories.txt`.',
    },
  },
  {
    name: 'letters',
    kind: 'letters',
    part: 'sync',
    cli: { flag: 'letters', value: 'LIST', section: 'Repositories', help: 'first letters or ranges, e.g. a-c,e,g or 0-9 (ignores case)' },
    task: {
      input: 'letters',
      type: 'string',
      label: 'Letters',
      group: 'repositories',
      help: 'Copy only repositories whose name starts with one of these characters: a comma list of letters, digits and ranges, ignoring case. Example: `a-c,e,g` or `0-9`.',
    },
  },
  {
    name: 'ignorePatterns',
    kind: 'patterns',
    part: 'sync',
    cli: {
      flag: 'ignore-pattern',
      value: 'PATTERN',
      section: 'Repositories',
      help: 'skip repositories matching a glob (myRepo/*, team/**) or a\nregex prefixed re: (re:^tmp-); repeatable or comma-separated',
      multiple: true,
    },
    task: {
      input: 'ignorePatterns',
      type: 'multiLine',
      label: 'Ignore patterns',
      group: 'repositories',
      help: 'Repositories to skip, one pattern per line (or comma-separated): globs where `*` stays inside one path segment and `**` crosses segments, or JavaScript regular expressions prefixed `re:` (the reference script\'s Python forms `(?P<name>…)`, `(?P=name)`, `\\A`, `\\Z` and a leading `(?i)` are translated; other Python-only syntax is refused with a line saying how to write it). Matching ignores case. Example: `legacy/*` or `re:^sandbox/`.',
      properties: { resizable: true, rows: '4' },
    },
  },
  {
    name: 'ignoreConfig',
    kind: 'path',
    part: 'sync',
    cli: { flag: 'ignore-config', value: 'FILE', section: 'Repositories', help: 'JSON array of such patterns' },
    task: {
      input: 'ignoreConfig',
      type: 'filePath',
      label: 'Ignore config file',
      group: 'repositories',
      help: 'Path to a JSON file holding an array of ignore patterns. Example file content: `["myRepo/*", "re:^tmp-"]`.',
    },
  },
  {
    name: 'targetRepositoryPrefix',
    kind: 'repositoryPrefix',
    part: 'sync',
    cli: {
      flag: 'target-repository-prefix',
      value: 'P',
      section: 'Repositories',
      help: 'sync source repository app into target P + app\n(mirror/ → mirror/app); lower case, a valid repository name',
    },
    task: {
      input: 'targetRepositoryPrefix',
      type: 'string',
      label: 'Target repository prefix',
      group: 'repositories',
      help: 'Put this in front of every source repository name in the target: source `app` syncs into target `mirror/app` with the prefix `mirror/`. Plans compare against, imports write into and reports name the mapped repository (next to the source name). The result must be a valid repository name: lower-case letters, digits, separators `.`, `_`, `-` and `/`, at most 255 characters. Selection (Repository, Letters, Ignore patterns) uses the source names. Empty: the same name. Example: `mirror/`.',
    },
  },
  {
    name: 'listTargetOnlyRepositories',
    kind: 'flag',
    part: 'sync',
    cli: {
      flag: 'list-target-only-repositories',
      section: 'Reports',
      help: 'also read the target catalog and list target repositories\nno source repository maps to (never deleted)',
    },
    task: {
      input: 'listTargetOnlyRepositories',
      type: 'boolean',
      label: 'List target-only repositories',
      group: 'advanced',
      help: 'Also read the target registry\'s catalog (one paged listing, 1,000 names a page) and list, in the JSON report and the summary, the target repositories that no source repository maps to, within the run\'s selection. Nothing is deleted. Off by default: the target identity then needs catalog rights (in the attribute-based permission mode, Container Registry Repository Catalog Lister). Tags that exist only in the target are always listed, at no cost. Example: `true`.',
    },
  },
  {
    name: 'tagPatterns',
    kind: 'patterns',
    part: 'sync',
    cli: {
      flag: 'tag-pattern',
      value: 'PATTERN',
      section: 'Tags',
      help: 'copy only tags matching a glob (v*, release-*) or a regex\nprefixed re: (re:^\\d+\\.\\d+$); repeatable or comma-separated',
      multiple: true,
    },
    task: {
      input: 'tagPatterns',
      type: 'multiLine',
      label: 'Tag patterns',
      group: 'repositories',
      help: 'Copy only the tags that match one of these patterns, one per line (or comma-separated): globs (`v*`, `release-*`) or regular expressions prefixed `re:`, written as Ignore patterns are (Python forms translated). Tag names keep their case: a pattern matches it exactly (`re:(?i)…` ignores it). Tags left out are counted, never copied, and their target tags never touched. Empty: every tag. Example: `re:^\\d+\\.\\d+\\.\\d+$`.',
      properties: { resizable: true, rows: '3' },
    },
  },
  {
    name: 'ignoreTagPatterns',
    kind: 'patterns',
    part: 'sync',
    cli: {
      flag: 'ignore-tag-pattern',
      value: 'PATTERN',
      section: 'Tags',
      help: 'skip tags matching a glob or re: regex (pr-*, re:-rc\\d*$);\nrepeatable or comma-separated',
      multiple: true,
    },
    task: {
      input: 'ignoreTagPatterns',
      type: 'multiLine',
      label: 'Ignore tag patterns',
      group: 'repositories',
      help: 'Tags to skip, one pattern per line (or comma-separated), written as Tag patterns are; they win over Tag patterns. Example: `pr-*` or `re:-rc\\d*$`.',
      properties: { resizable: true, rows: '3' },
    },
  },
  {
    name: 'tagsUpdatedSince',
    kind: 'sinceTime',
    part: 'sync',
    cli: {
      flag: 'tags-updated-since',
      value: 'WHEN',
      section: 'Tags',
      help: "copy only tags updated since an ISO date (2026-01-31, UTC)\nor N days ago (30d), by the source listing's lastUpdateTime",
    },
    task: {
      input: 'tagsUpdatedSince',
      type: 'string',
      label: 'Tags updated since',
      group: 'repositories',
      help: "Copy only the tags whose source `lastUpdateTime` (from the tag listing the run reads anyway) is at or after this: an ISO date or date-time (UTC unless it gives an offset), or a number of days before the run, `Nd`. Empty: every tag. Example: `30d` or `2026-01-31`.",
    },
  },
  {
    name: 'keepLatestTags',
    kind: 'number',
    part: 'sync',
    rule: { label: 'keep latest tags', min: 1, max: 1_000_000, integer: true, hint: 'give a whole number of at least 1' },
    cli: {
      flag: 'keep-latest-tags',
      value: 'N',
      section: 'Tags',
      help: 'copy only the N most recently updated tags of each\nrepository (after the patterns; ties by name)',
    },
    task: {
      input: 'keepLatestTags',
      type: 'string',
      label: 'Keep latest tags',
      group: 'repositories',
      help: 'Copy only the N most recently updated source tags of each repository (by `lastUpdateTime`, after the tag patterns and Tags updated since; equal times are ordered by name). Empty: every tag. Example: `10`.',
    },
  },
  {
    name: 'dryRun',
    kind: 'flag',
    part: 'sync',
    cli: { flag: 'dry-run', section: 'Behaviour', help: 'print the plan; write nothing' },
    task: {
      input: 'dryRun',
      type: 'boolean',
      label: 'Dry run',
      group: 'behaviour',
      help: 'List what would be imported, write nothing. The plan is exactly what a real run would execute. Example: `true` for the first run against a production registry.',
    },
  },
  {
    name: 'check',
    kind: 'flag',
    part: 'sync',
    cli: {
      flag: 'check',
      section: 'Behaviour',
      help: 'plan and write nothing; exit 4 when anything would be\nimported (the drift is listed), 0 when in sync',
    },
  },
  {
    name: 'failWhenOutOfSync',
    kind: 'outOfSync',
    part: 'sync',
    label: 'fail when out of sync',
    allowed: ['off', 'Failed', 'SucceededWithIssues'],
    task: {
      input: 'failWhenOutOfSync',
      type: 'pickList',
      label: 'Fail when out of sync',
      group: 'behaviour',
      help: 'A drift gate for scheduled pipelines: `Failed` or `SucceededWithIssues` makes the run a check — it plans, writes nothing, and ends with that result when anything would be imported, listing the drift in the summary (the output variable `outOfSync` says `true`); in sync, it succeeds. Not with Force. `off`: a normal run. Example: `Failed`.',
      options: { off: 'Off (sync)', Failed: 'Fail the task', SucceededWithIssues: 'Succeed with issues' },
      defaultValue: 'off',
    },
  },
  {
    name: 'force',
    kind: 'flag',
    part: 'sync',
    cli: { flag: 'force', section: 'Behaviour', help: 're-import tags even when digests already match' },
    task: {
      input: 'force',
      type: 'boolean',
      label: 'Force',
      group: 'behaviour',
      help: 'Re-import tags even when the target already has the same digest (mode Force). Locked target tags are still never touched. Example: `true` to repair a target whose manifests may be damaged.',
    },
  },
  {
    name: 'referrers',
    kind: 'choice',
    part: 'sync',
    label: 'referrers',
    allowed: ['none', 'imported', 'all'],
    defaultChoice: 'imported',
    cli: {
      flag: 'referrers',
      value: 'MODE',
      section: 'Behaviour',
      help: "copy the OCI referrers (signatures, SBOMs) of the manifests:\nimported (those the run imports), all (also those in sync), none",
    },
    task: {
      input: 'referrers',
      type: 'pickList',
      label: 'Referrers (signatures, SBOMs)',
      group: 'behaviour',
      help: 'Copy the OCI referrers of images too — Notation and cosign signatures, SBOMs, attestations: manifests whose `subject` names an image, found through the registry\'s referrers API, copied untagged by digest after their image, and their own referrers in turn (the signature of an SBOM). `imported`: those of every image the run imports; `all`: also those of images already in sync (a signature added after the image was copied; one referrers listing per image and side); `none`: no referrer. Signatures stored as `sha256-….sig` tags travel as ordinary tags whatever this says. Example: `all` for a weekly run that also brings new signatures.',
      options: { imported: 'Of imported images', all: 'Of all images (also in sync)', none: 'None' },
    },
  },
  {
    name: 'maxRepositories',
    kind: 'number',
    part: 'sync',
    rule: { label: 'max repositories', min: 1, integer: true, hint: 'give a whole number of at least 1' },
    cli: { flag: 'max-repositories', value: 'N', section: 'Behaviour', help: 'import into at most N repositories that have work' },
    task: {
      input: 'maxRepositories',
      type: 'string',
      label: 'Max repositories',
      group: 'behaviour',
      help: 'Import into at most this many repositories that have work (repositories already in sync do not count), so repeated runs advance through a large registry. Empty: no limit. Example: `10`.',
    },
  },
  {
    name: 'delaySeconds',
    kind: 'number',
    part: 'sync',
    default: 0,
    rule: { label: 'delay seconds', min: 0, max: 3600, integer: false, hint: 'give a number of seconds from 0 to 3600' },
    cli: { flag: 'delay-seconds', value: 'S', section: 'Behaviour', help: 'wait S seconds between import starts' },
    task: {
      input: 'delaySeconds',
      type: 'string',
      label: 'Delay seconds',
      group: 'behaviour',
      help: 'Seconds to wait between the starts of two imports, to spare the service. Example: `2`.',
    },
  },
  {
    name: 'maxConcurrency',
    kind: 'number',
    part: 'sync',
    default: DEFAULT_MAX_CONCURRENCY,
    rule: { label: 'max concurrency', min: 1, max: MAX_CONCURRENCY_LIMIT, integer: true, hint: `give a whole number from 1 to ${MAX_CONCURRENCY_LIMIT}` },
    cli: { flag: 'max-concurrency', value: 'N', section: 'Behaviour', help: `imports in flight at once, 1-${MAX_CONCURRENCY_LIMIT}` },
    task: {
      input: 'maxConcurrency',
      type: 'string',
      label: 'Max concurrency',
      group: 'behaviour',
      help: `Imports in flight at once, 1 to ${MAX_CONCURRENCY_LIMIT}. Example: \`8\`.`,
    },
  },
  {
    name: 'timeBudgetMinutes',
    kind: 'number',
    part: 'sync',
    rule: {
      label: 'time budget minutes',
      min: 0,
      exclusive: true,
      max: MAX_TIME_BUDGET_MINUTES,
      integer: false,
      hint: `give a number of minutes above 0 and at most ${MAX_TIME_BUDGET_MINUTES}, such as 50`,
    },
    cli: {
      flag: 'time-budget-minutes',
      value: 'M',
      section: 'Behaviour',
      help: 'stop starting work when the budget nears its end; imports\nin flight finish, the rest is left for the next run (exit 0)',
    },
    task: {
      input: 'timeBudgetMinutes',
      type: 'string',
      label: 'Time budget (minutes)',
      group: 'behaviour',
      help: 'Stop starting work when the budget nears its end: no new import starts once the time left is under a reserve of max(30 s, twice the longest import so far), at most half the budget; imports in flight finish, the rest is reported as remaining and the task ends Succeeded with issues. Set it below the job\'s timeout so the run ends cleanly instead of being cancelled. Empty: no budget. Example: `50` in a 60-minute job.',
    },
  },
  {
    name: 'importTimeoutMinutes',
    kind: 'number',
    part: 'sync',
    default: 30,
    rule: {
      label: 'import timeout minutes',
      min: 0,
      exclusive: true,
      max: MAX_IMPORT_TIMEOUT_MINUTES,
      integer: false,
      hint: `give a number of minutes above 0 and at most ${MAX_IMPORT_TIMEOUT_MINUTES}, such as 30`,
    },
    cli: { flag: 'import-timeout-minutes', value: 'M', section: 'Behaviour', help: 'fail an import that takes longer' },
    task: {
      input: 'importTimeoutMinutes',
      type: 'string',
      label: 'Import timeout (minutes)',
      group: 'behaviour',
      help: 'An import still running after this many minutes is failed ("did not finish within N minutes") and the others go on; the next run checks its tags again. Example: `30`.',
    },
  },
  {
    name: 'shardIndex',
    kind: 'number',
    part: 'sync',
    rule: { label: 'shard index', min: 1, integer: true, hint: 'give a whole number from 1 to the shard count' },
    cli: { flag: 'shard-index', value: 'I', section: 'Sharding', help: "this job's shard, 1 to --shard-count" },
    task: {
      input: 'shardIndex',
      type: 'string',
      label: 'Shard index',
      group: 'behaviour',
      help: "This job's share of the repositories, 1 to Shard count: a repository belongs to shard (FNV-1a hash of its name mod count) + 1, so N jobs with the same inputs split one migration without overlap. Empty in a job with `parallel: N`: the job's position, `System.JobPositionInPhase`. Example: `$(System.JobPositionInPhase)` or `2`.",
    },
  },
  {
    name: 'shardCount',
    kind: 'number',
    part: 'sync',
    rule: { label: 'shard count', min: 1, integer: true, hint: 'give a whole number of at least 1' },
    cli: {
      flag: 'shard-count',
      value: 'N',
      section: 'Sharding',
      help: 'how many shards; a repository\'s shard is a stable hash of\nits name (FNV-1a) mod N, plus 1',
    },
    task: {
      input: 'shardCount',
      type: 'string',
      label: 'Shard count',
      group: 'behaviour',
      help: 'How many shards share the repositories; Max repositories applies per shard. Empty in a job with `parallel: N`: N, from `System.TotalJobsInPhase` (a matrix job is never sharded by default). Example: `4`.',
    },
  },
  {
    name: 'requestTimeoutSeconds',
    kind: 'number',
    part: 'http',
    default: 60,
    rule: { label: 'request timeout seconds', min: 1, max: 600, integer: false, hint: 'give a number of seconds from 1 to 600, such as 60' },
    cli: {
      flag: 'request-timeout-seconds',
      value: 'S',
      section: 'Behaviour',
      help: 'give up on one HTTP attempt after S seconds and retry it',
    },
    task: {
      input: 'requestTimeoutSeconds',
      type: 'string',
      label: 'Request timeout seconds',
      group: 'advanced',
      help: 'Seconds one HTTP request to Azure may take before it is abandoned and retried, so a hung connection cannot stall the run; a host that has not answered yet in the run gets two tries. Example: `120` on a slow network.',
    },
  },
  {
    name: 'maxReadsPerSecond',
    kind: 'number',
    part: 'http',
    rule: {
      label: 'max reads per second',
      min: 0,
      exclusive: true,
      max: 10_000,
      integer: false,
      hint: 'give a number above 0 and at most 10000, such as 150 (a Premium registry allows about 166.66 per second)',
    },
    cli: {
      flag: 'max-reads-per-second',
      value: 'R',
      section: 'Behaviour',
      help:
        "cap requests to each registry at R per second on average,\nwith a burst of a minute's worth (R × 60, at most what ACR\n" +
        'documents for the tier: 1,000, 3,000 and 10,000 reads a minute\n' +
        'on Basic, Standard and Premium, about 16.66, 50 and 166.66 a\nsecond; one second\'s worth for any other registry)',
    },
    task: {
      input: 'maxReadsPerSecond',
      type: 'string',
      label: 'Max reads per second',
      group: 'advanced',
      help: "Average requests per second to each registry, to stay under its read limit. The cap lets a minute's worth (R × 60) through at once, never more than ACR documents for the registry's tier (1,000, 3,000 and 10,000 reads a minute on Basic, Standard and Premium: about 16.66, 50 and 166.66 a second); a registry of another kind gets one second's worth. Empty: no cap; throttled requests are retried either way. Example: `16.66` on a Basic registry.",
    },
  },
  {
    name: 'reportJson',
    kind: 'reportPath',
    part: 'reports',
    label: 'JSON report',
    cli: { flag: 'report-json', value: 'FILE', section: 'Reports', help: 'write the run report as JSON (docs/run-report.md)' },
    task: {
      input: 'reportPath',
      type: 'string',
      label: 'JSON report path',
      group: 'advanced',
      help: "Where to write the JSON run report; the folder must exist. Empty: a file of this step's own in the agent's temp directory (`acr-transfer-report-<step id>.json`). The path is published as the output variable `reportPath`. Example: `$(Build.ArtifactStagingDirectory)/acr-transfer.json`.",
    },
  },
  {
    name: 'reportMarkdown',
    kind: 'reportPath',
    part: 'reports',
    label: 'Markdown report',
    cli: { flag: 'report-markdown', value: 'FILE', section: 'Reports', help: 'write the run report as Markdown' },
  },
  // The command line's own: a task logs every line, and its reports are files and a summary tab.
  {
    name: 'planLayout',
    kind: 'choice',
    part: 'output',
    label: 'plan',
    allowed: ['auto', 'tags', 'repositories', 'none'],
    defaultChoice: 'auto',
    cli: {
      flag: 'plan',
      value: 'LAYOUT',
      section: 'Output',
      help:
        'how the plan is printed: tags (a row per tag to import or\nlook at), repositories (a row of counts per repository), none\n' +
        '(the counts only); auto: tags up to 50 rows, else repositories\n(the first 50). Re-tagged and locked tags and indexes of too\nmany manifests are named in every layout',
    },
  },
  {
    name: 'quiet',
    kind: 'flag',
    part: 'output',
    cli: {
      flag: 'quiet',
      section: 'Output',
      help: 'print only warnings, errors and the result line (no plan,\nimport lines or counts; a check says its drift in one line)',
    },
  },
  {
    name: 'outputFormat',
    kind: 'choice',
    part: 'output',
    label: 'output',
    allowed: ['text', 'json'],
    defaultChoice: 'text',
    cli: {
      flag: 'output',
      value: 'FORMAT',
      section: 'Output',
      help: 'text, or json: stdout is the run report alone (as\n--report-json writes it); the lines for a person go to stderr',
    },
  },
  {
    name: 'cloud',
    kind: 'cloudName',
    part: 'connection',
    label: 'cloud',
    allowed: ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud'],
    cli: { flag: 'cloud', value: 'NAME', section: 'Azure', help: 'AzureCloud (default), AzureUSGovernment, AzureChinaCloud' },
  },
  {
    name: 'armEndpoint',
    kind: 'httpsUrl',
    part: 'connection',
    label: 'ARM endpoint',
    cli: { flag: 'arm-endpoint', value: 'URL', section: 'Azure', help: 'override the Resource Manager endpoint' },
  },
  {
    name: 'armAudience',
    kind: 'httpsUrl',
    part: 'connection',
    label: 'ARM audience',
    cli: { flag: 'arm-audience', value: 'URL', section: 'Azure', help: "Resource Manager tokens' audience when not the endpoint\n(Azure Stack Hub: its activeDirectoryServiceEndpointResourceId)" },
  },
  {
    name: 'authorityHost',
    kind: 'httpsUrl',
    part: 'connection',
    label: 'authority host',
    cli: { flag: 'authority-host', value: 'URL', section: 'Azure', help: 'override the Entra ID authority' },
  },
  {
    name: 'acrAudience',
    kind: 'httpsUrl',
    part: 'connection',
    label: 'registry token audience',
    cli: { flag: 'acr-audience', value: 'URL', section: 'Azure', help: 'override the registry token audience' },
    task: {
      input: 'registryAudience',
      type: 'string',
      label: 'Registry token audience',
      group: 'advanced',
      help: 'Entra ID audience exchanged for registry tokens. Empty: `https://containerregistry.azure.net`, the registry audience in every Azure cloud (US Government and China included), with a fallback to the Resource Manager audience. Change it only for a cloud whose registries expect another one. Example: `https://containerregistry.azure.net`.',
    },
  },
  {
    name: 'registryDomain',
    kind: 'domainName',
    part: 'connection',
    label: 'registry domain',
    cli: {
      flag: 'registry-domain',
      value: 'DOMAIN',
      section: 'Azure',
      help: "DNS domain the registries' addresses must be under (default:\nthe cloud's: azurecr.io, azurecr.us, azurecr.cn)",
    },
    task: {
      input: 'registryDomain',
      type: 'string',
      label: 'Registry domain',
      group: 'advanced',
      help: "DNS domain every registry's address (its login server, as Azure Resource Manager reports it) must be under; registry tokens are sent nowhere else. Empty: the cloud's own, `azurecr.io` (`azurecr.us`, `azurecr.cn` in the US Government and China clouds). Set it only for Azure Stack Hub or a registry reached under another domain. Example: `azsacr.contoso.local`.",
    },
  },
  {
    name: 'caFile',
    kind: 'pemFile',
    part: 'http',
    label: 'CA file',
    cli: { flag: 'ca-file', value: 'FILE', section: 'Azure', help: "also trust this CA (PEM), e.g. a corporate proxy's" },
  },
] as const satisfies readonly OptionSpec[];

export type OptionName = (typeof OPTIONS)[number]['name'];

/** Options as a front end collects them: unchecked text, lists of text and booleans. */
export type RawOptions = {
  [E in (typeof OPTIONS)[number] as E['name']]?: E['kind'] extends 'flag' ? boolean : E['kind'] extends 'patterns' ? readonly string[] : string | number;
};

/** The option of a name; the table is small, a scan is fine. */
export function optionNamed(name: OptionName): OptionSpec {
  const spec = (OPTIONS as readonly OptionSpec[]).find((o) => o.name === name);
  if (spec === undefined) throw new Error(`internal: no option ${name}`);
  return spec;
}
