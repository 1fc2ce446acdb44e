/**
 * Password sign-in to an emulated registry: repository-scoped tokens (a token's name and one of
 * its two passwords; what it may do is its scope map) and the admin user (the registry's name
 * and its password; everything). What the data plane's token route grants with Basic
 * credentials and what importImage accepts as `source.credentials` both come from here.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AcrTokenFixture } from './api';
import type { DataPlaneAction } from './roles';
import type { RegistryState } from './state';

/** Who signed in and what each repository allows them. */
export interface PasswordIdentity {
  /** The token's name, or the registry's (admin user). */
  name: string;
  kind: 'token' | 'admin';
  allows(repository: string, action: DataPlaneAction): boolean;
}

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

/** The identity a user name and password sign in as, or undefined (unknown, wrong, or disabled). */
export function signInWithPassword(registry: RegistryState, username: string, password: string): PasswordIdentity | undefined {
  const admin = registry.adminUser;
  if (admin && username.toLowerCase() === registry.name.toLowerCase() && samePassword(password, admin.password)) {
    return { name: registry.name, kind: 'admin', allows: () => true };
  }
  const token = registry.tokens.find((t) => t.name === username);
  if (!token || token.status === 'disabled') return undefined;
  return token.passwords.some((p) => samePassword(password, p)) ? tokenIdentity(token) : undefined;
}

/** `Authorization: Basic …` → user name and password; undefined for any other header. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
