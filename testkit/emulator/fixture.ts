/**
 * Checks a fixture before the emulator starts, so a mistake in a test's world fails loudly
 * with its cause instead of surfacing later as a puzzling 404; and reads fixture files for
 * the command-line entry point.
 */
import { readFile } from 'node:fs/promises';
import type { EmulatorOptions, Fixture, ReferrerFixture } from './api';
import { REGISTRY_NAME_MAX, SUBSCRIPTION_ID, invalidResourceGroup } from './armNames';
import { parsePlatform } from './content';
import { parseScopeMapAction } from './registryCredentials';
import { ROLE_NAMES } from './roles';

const FORMATS: readonly string[] = ['oci', 'docker'];

/** Every referrer (and its own referrers) needs an artifact type and a seed. */
function referrerProblems(where: string, referrers: readonly ReferrerFixture[] | undefined): string[] {
  return (referrers ?? []).flatMap((f, i) => [
    ...(typeof f.artifactType === 'string' && f.artifactType !== '' ? [] : [`${where}: referrer ${i} needs an artifactType`]),
    ...(typeof f.seed === 'string' ? [] : [`${where}: referrer ${i} needs a seed`]),
    ...referrerProblems(`${where} referrer ${i}`, f.referrers),
  ]);
}

export function validateFixture(fixture: Fixture): void {
  const problems: string[] = [];
  const principals = new Set<string>();
  for (const p of fixture.principals ?? []) {
    const key = `${p.tenantId}/${p.clientId}`.toLowerCase();
    if (!p.tenantId || !p.clientId) problems.push('every principal needs tenantId and clientId');
    if (principals.has(key)) problems.push(`principal ${p.clientId} appears twice in tenant ${p.tenantId}`);
    principals.add(key);
    if (p.managedIdentity !== undefined && p.managedIdentity !== 'systemAssigned' && p.managedIdentity !== 'userAssigned') {
      problems.push(`principal ${p.clientId}: managedIdentity must be 'systemAssigned' or 'userAssigned'`);
    }
    for (const r of p.roles ?? []) {
      if (!ROLE_NAMES.includes(r.role)) problems.push(`principal ${p.clientId}: unknown role '${String(r.role)}'`);
      if (typeof r.scope !== 'string' || !r.scope.startsWith('/')) problems.push(`principal ${p.clientId}: role scope '${String(r.scope)}' must be a resource id`);
    }
  }
  const subscriptions = new Set<string>();
  const registries = new Set<string>();
  for (const s of fixture.subscriptions ?? []) {
    if (subscriptions.has(s.id.toLowerCase())) problems.push(`subscription ${s.id} appears twice`);
    // ARM refuses any other subscription id (InvalidSubscriptionId), so no fixture may have one.
    if (!SUBSCRIPTION_ID.test(s.id)) problems.push(`subscription id '${s.id}' must be a GUID`);
    subscriptions.add(s.id.toLowerCase());
    for (const r of s.registries ?? []) {
      // Registry names are global in Azure (they make the login server).
      if (!/^[a-zA-Z0-9]+$/.test(r.name) || r.name.length > REGISTRY_NAME_MAX) problems.push(`registry name '${r.name}' must be alphanumeric, at most ${REGISTRY_NAME_MAX} characters`);
      if (registries.has(r.name.toLowerCase())) problems.push(`registry name '${r.name}' is used twice`);
      registries.add(r.name.toLowerCase());
      if (!r.resourceGroup) problems.push(`registry ${r.name} needs a resourceGroup`);
      else if (invalidResourceGroup(r.resourceGroup)) problems.push(`registry ${r.name}: resource group name '${r.resourceGroup}' is not one ARM accepts`);
      // Azure offers anonymous pull on Standard and Premium only (az acr update refuses it on Basic).
      if (r.anonymousPullEnabled && (r.sku ?? 'Premium') === 'Basic') problems.push(`registry ${r.name}: anonymous pull needs the Standard or Premium SKU`);
      for (const t of r.tokens ?? []) {
        if (!t.name || !Array.isArray(t.passwords) || t.passwords.length === 0 || t.passwords.length > 2) problems.push(`registry ${r.name}: token '${t.name}' needs a name and one or two passwords`);
        for (const a of t.actions ?? []) if (!parseScopeMapAction(a)) problems.push(`registry ${r.name}: token '${t.name}': '${a}' is not a scope map action (repositories/<repository>/<content|metadata>/<read|write|delete>)`);
      }
      if (r.flavour !== undefined && r.flavour !== 'acr' && r.flavour !== 'dockerHub') problems.push(`registry ${r.name}: flavour must be 'acr' or 'dockerHub'`);
      for (const repo of r.lockedRepositories ?? []) {
        // Azure keeps attributes only for repositories that exist.
        if (!Object.hasOwn(r.repositories ?? {}, repo)) problems.push(`registry ${r.name}: locked repository '${repo}' is not among its repositories`);
      }
      for (const [repo, tags] of Object.entries(r.repositories ?? {})) {
        for (const [tag, t] of Object.entries(tags)) {
          const where = `${r.name}/${repo}:${tag}`;
          if (t.content.kind === 'index') {
            try {
              t.content.platforms.forEach(parsePlatform);
            } catch (e) {
              problems.push(`${where}: ${(e as Error).message}`);
            }
          }
          if ((t.content.kind === 'image' || t.content.kind === 'index') && t.content.format !== undefined && !FORMATS.includes(t.content.format)) {
            problems.push(`${where}: format must be 'oci' or 'docker'`);
          }
          problems.push(...referrerProblems(where, t.referrers));
        }
      }
    }
  }
  if ((fixture.principals ?? []).filter((p) => p.managedIdentity === 'systemAssigned').length > 1) {
    problems.push('a machine has at most one system-assigned managed identity');
  }
  const connections = new Set<string>();
  for (const c of fixture.pipeline?.serviceConnections ?? []) {
    if (!c.id || !c.name) problems.push('every service connection needs an id and a name');
    if (connections.has(String(c.id).toLowerCase())) problems.push(`service connection ${c.id} appears twice`);
    connections.add(String(c.id).toLowerCase());
  }
  if (problems.length > 0) throw new Error(`invalid emulator fixture:\n- ${problems.join('\n- ')}`);
}

/**
 * Reads a fixture file: either a Fixture (`{principals, subscriptions}`) or emulator options
 * with the fixture inside (`{fixture, tokenLifetimeSeconds, …}`).
 */
export async function readOptionsFile(path: string): Promise<EmulatorOptions> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<EmulatorOptions> & Partial<Fixture>;
  if (parsed.fixture) return parsed as EmulatorOptions;
  return { fixture: parsed as Fixture };
}
