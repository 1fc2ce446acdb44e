/**
 * Runs the real command line (build/src/cli/main.js) as a child process against the emulator,
 * exactly as a person would from a laptop: flags, a service principal in the environment, and
 * the emulator's CA trusted through --ca-file. The child gets the loopback guard preloaded.
 */
import { join } from 'node:path';
import { runGuarded, type ChildRun } from '../../support/runGuarded';
import type { Emulator, Fixture, PrincipalFixture, RegistryFixture, TagFixture } from '../../../testkit/emulator/api';

export const TENANT = '5f1d2c3b-aaaa-4bbb-8ccc-0d9e8f7a6b5c';
export const SUB_SOURCE = '0a1b2c3d-1111-4222-8333-444455556666';
export const SUB_TARGET = '9f8e7d6c-5555-4666-8777-888899990000';
export const CLIENT_ID = 'c11e0001-2222-4333-8444-555566667777';
export const CLIENT_SECRET = 'cli-test-secret-VALUE-9f27';
export const SOURCE = 'sourceacr';
export const TARGET = 'targetacr';

const CLI = join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

export type CliResult = ChildRun;

export function runCli(emulator: Emulator, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runGuarded(CLI, cliArguments(emulator, args), cliEnvironment(env));
}

/** The built command line's script (for a test that starts it another way, e.g. under a terminal). */
export const CLI_SCRIPT = CLI;

/** The emulator's flags, then `args`. */
export function cliArguments(emulator: Emulator, args: string[]): string[] {
  // A flag the test gives itself replaces the emulator's (a flag given twice is bad input).
  const given = (flag: string): boolean => args.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
  const emulatorFlags = [
    ['--arm-endpoint', emulator.armEndpoint],
    ['--authority-host', emulator.authorityHost],
    ['--registry-domain', emulator.registryDomain],
    ['--ca-file', emulator.caFile],
  ].filter(([flag]) => !given(flag));
  return [...emulatorFlags.flat(), ...args];
}

/** The service principal the emulator knows, plus `env`. */
export function cliEnvironment(env: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: process.env['HOME'] ?? '/tmp',
    AZURE_TENANT_ID: TENANT,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
    ...env,
  };
}

/** The flags naming both registries in their two subscriptions. */
export function registries(source = SOURCE, target = TARGET): string[] {
  return ['--source-registry-name', source, '--target-registry-name', target, '--source-subscription-id', SUB_SOURCE, '--target-subscription-id', SUB_TARGET];
}

export const image = (seed: string, writeEnabled = true): TagFixture => ({ content: { kind: 'image', seed }, writeEnabled });

/** Tags sharing one manifest. */
export function release(seed: string, ...tags: string[]): Record<string, TagFixture> {
  return Object.fromEntries(tags.map((t) => [t, image(seed)]));
}

export function principal(roles?: PrincipalFixture['roles']): PrincipalFixture {
  return {
    tenantId: TENANT,
    clientId: CLIENT_ID,
    secret: CLIENT_SECRET,
    roles: roles ?? [
      { role: 'AcrPull', scope: `/subscriptions/${SUB_SOURCE}` },
      { role: 'Reader', scope: `/subscriptions/${SUB_SOURCE}` },
      { role: 'Contributor', scope: `/subscriptions/${SUB_TARGET}` },
    ],
  };
}

/** Source registry in one subscription, target in another, one principal allowed on both. */
export function twoRegistries(
  sourceRepos: RegistryFixture['repositories'],
  targetRepos: RegistryFixture['repositories'] = {},
  extra: { principals?: PrincipalFixture[] } = {},
): Fixture {
  return {
    principals: extra.principals ?? [principal()],
    subscriptions: [
      { id: SUB_SOURCE, tenantId: TENANT, registries: [{ name: SOURCE, resourceGroup: 'rg-source', repositories: sourceRepos }] },
      { id: SUB_TARGET, tenantId: TENANT, registries: [{ name: TARGET, resourceGroup: 'rg-target', repositories: targetRepos }] },
    ],
  };
}

/** tag -> digest of every repository of a registry, for before/after comparisons. */
export function snapshot(emulator: Emulator, registry: string): Record<string, Record<string, string>> {
  const r = emulator.registry(registry);
  return Object.fromEntries(r.repositories().sort().map((repo) => [repo, Object.fromEntries([...r.tags(repo)].sort())]));
}

/** The importImage request bodies the emulator received, in order. */
export function importBodies(emulator: Emulator): Array<{ source: { resourceId?: string; sourceImage: string }; targetTags: string[]; mode: string }> {
  return emulator.log
    .entries()
    .filter((e) => e.route === 'arm.importImage')
    .map((e) => e.body as { source: { resourceId?: string; sourceImage: string }; targetTags: string[]; mode: string });
}
