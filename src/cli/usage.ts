/**
 * `acr-transfer --help`: the flags come from the option table (their text, placeholder and
 * default), grouped by section; only the opening and the closing paragraphs are written here.
 */
import { OPTIONS, type CliSection, type OptionSpec } from '../options/table';

const SECTION_TITLES: Record<CliSection, string> = {
  Registries: 'Registries',
  Repositories: 'Repositories',
  Tags: 'Tags',
  Behaviour: 'Behaviour',
  Sharding: 'Sharding (N jobs share one migration)',
  Reports: 'Reports',
  Output: 'Output (for a person, for scripts)',
  Azure: 'Azure',
};

/** Where a flag's text starts, and how long its lines may be. */
const TEXT_COLUMN = 34;
const TEXT_WIDTH = 58;

const OPENING = `Usage: acr-transfer --source-registry-name NAME --target-registry-name NAME [options]
       acr-transfer --source-registry-uri HOST [--source-username USER] --target-registry-name NAME [options]

Copies the tags of a source Azure Container Registry (or of any registry named by its host:
Docker Hub, GHCR, Quay, any OCI registry) that are missing in the target, or that point at
another manifest digest there, with server-side importImage pinned to the digest.
`;

const CLOSING = `Sign-in (first that applies): AZURE_CLIENT_ID + AZURE_TENANT_ID with AZURE_CLIENT_SECRET,
AZURE_FEDERATED_TOKEN_FILE or AZURE_CLIENT_CERTIFICATE_PATH; then \`az login\`; then managed
identity (Azure clouds only).

Progress: while it reads the catalog, lists tags and imports, one line per phase says how far
it is (done/total, rate, time left, requests and 429s so far). On a terminal the line is
rewritten in place (stdout, or stderr with --output json); in a pipe or with TERM=dumb it is a
plain line at each phase change and at most every 10 s. --quiet has none.

Exit codes: 0 done (dry run and a stop on the time budget included; with --check: in sync),
1 an import, a tag, a referrer or a repository failed, 2 bad input (nothing was written), 3 the
run could not start (sign-in, a preflight check: permissions or network rules) or stopped
unexpectedly, 4 --check found drift (nothing was written), 130 cancelled; the same with
--quiet and --output json. With --output json, stdout holds the run report, or nothing when
the run ends before it has one (bad input, a run that cannot start or is cancelled first).
`;

function flagLines(spec: OptionSpec): string[] {
  const cli = spec.cli!;
  const lines = cli.help.split('\n');
  const fallback = spec.default ?? spec.defaultChoice;
  if (fallback !== undefined) {
    const suffix = `(default ${fallback})`;
    const last = lines.length - 1;
    if (lines[last].length + 1 + suffix.length <= TEXT_WIDTH) lines[last] = `${lines[last]} ${suffix}`;
    else lines.push(suffix);
  }
  const head = `  --${cli.flag}${cli.value ? ` ${cli.value}` : ''}`;
  return lines.map((line, i) => (i === 0 ? head.padEnd(TEXT_COLUMN) : ' '.repeat(TEXT_COLUMN)) + line);
}

function usage(): string {
  const sections = new Map<CliSection, string[]>();
  for (const spec of OPTIONS as readonly OptionSpec[]) {
    if (spec.cli === undefined) continue;
    const lines = sections.get(spec.cli.section) ?? [];
    lines.push(...flagLines(spec));
    sections.set(spec.cli.section, lines);
  }
  const blocks = [...sections].map(([section, lines]) => [SECTION_TITLES[section], ...lines].join('\n'));
  return `${OPENING}\n${blocks.join('\n\n')}\n\n${CLOSING}`;
}

export const USAGE = usage();
