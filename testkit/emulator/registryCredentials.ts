/**
 * Password sign-in to an emulated registry: repository-scoped tokens (a token's name and one of
 * its two passwords; what it may do is its scope map), the admin user (the registry's name and
 * its password; everything) and a service principal of the registry's tenant (its app id and a
 * client secret, as `docker login -u <appId> -p <secret>` and `az acr import --username <appId>
 * --password <secret>` use them; what it may do is its role assignments on the registry). What
 * the data plane's token route grants with Basic credentials and what importImage accepts as
 * `source.credentials` both come from here.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AcrTokenFixture } from './api';
import { allowsDataPlane, hasDataPlaneAccess, type DataPlaneAction } from './roles';
import type { Principal, RegistryState } from './state';

/** Who signed in and what each repository allows them. */
export interface PasswordIdentity {
  /** The token's name, the registry's (admin user) or the principal's app id. */
  name: string;
  kind: 'token' | 'admin' | 'principal';
  allows(repository: string, action: DataPlaneAction): boolean;
}

/** Finds a principal of a tenant by app id (EmulatorState.principal). */
export type PrincipalLookup = (tenantId: string, clientId: string) => Principal | undefined;

/** A scope map's `content/read` … as the data plane's actions (roles.ts names them). */
const SCOPE_MAP_ACTIONS: Record<string, DataPlaneAction> = {
  'content/read': 'pull',
  'content/write': 'push',
  'content/delete': 'delete',
  'metadata/read': 'metadata_read',
  'metadata/write': 'metadata_write',
};

/** `repositories/<repository>/<content|metadata>/<verb>` → its repository pattern and action. */
export function parseScopeMapAction(text: string): { repository: string; action: DataPlaneAction } | undefined {
  const m = /^repositories\/(.+)\/((?:content|metadata)\/(?:read|write|delete))$/.exec(text);
  const action = m ? SCOPE_MAP_ACTIONS[m[2] ?? ''] : undefined;
  return m && action ? { repository: m[1] ?? '', action } : undefined;
}

/** `team/*` covers `team/app` and `team/x/y`; anything else names one repository. */
function covers(pattern: string, repository: string): boolean {
  if (pattern.endsWith('/*')) return repository.startsWith(pattern.slice(0, -1));
  return pattern === repository;
}

function samePassword(given: string, held: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(held);
  return a.length === b.length && timingSafeEqual(a, b);
}

function tokenIdentity(token: AcrTokenFixture): PasswordIdentity {
  const grants = token.actions.map(parseScopeMapAction).filter((g) => g !== undefined);
  return {
    name: token.name,
    kind: 'token',
    // The catalog is no repository action: a token's scope map never grants it.
    allows: (repository, action) => grants.some((g) => g.action === action && covers(g.repository, repository)),
  };
}

/**
 * A service principal of the registry's own tenant signing in with its app id and a client
 * secret: its role assignments on the registry decide, as for an Entra token exchanged at
 * /oauth2/exchange, and one with no data-plane right there is refused as the exchange refuses
 * it. A principal with no secret (a certificate, a managed identity) cannot sign in this way.
 */
function principalIdentity(registry: RegistryState, username: string, password: string, principals: PrincipalLookup): PasswordIdentity | undefined {
  const principal = principals(registry.tenantId, username);
  if (principal?.secret === undefined || !samePassword(password, principal.secret)) return undefined;
  if (!hasDataPlaneAccess(principal, registry.resourceId)) return undefined;
  return { name: principal.clientId, kind: 'principal', allows: (_repository, action) => allowsDataPlane(principal, registry.resourceId, action) };
}

/** The identity a user name and password sign in as, or undefined (unknown, wrong, or disabled). */
export function signInWithPassword(registry: RegistryState, username: string, password: string, principals?: PrincipalLookup): PasswordIdentity | undefined {
  const admin = registry.adminUser;
  if (admin && username.toLowerCase() === registry.name.toLowerCase() && samePassword(password, admin.password)) {
    return { name: registry.name, kind: 'admin', allows: () => true };
  }
  const token = registry.tokens.find((t) => t.name === username);
  if (token) return token.status !== 'disabled' && token.passwords.some((p) => samePassword(password, p)) ? tokenIdentity(token) : undefined;
  return principals ? principalIdentity(registry, username, password, principals) : undefined;
}

/** `Authorization: Basic …` → user name and password; undefined for any other header. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
