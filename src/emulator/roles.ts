/**
 * Azure RBAC as far as this product meets it: a role assignment covers its scope and every
 * resource below it, and each built-in role grants a set of abilities. The table follows the
 * ACR built-in roles (legacy registry permissions): every role can read the registry and pull;
 * pushing needs AcrPush, Contributor or Owner; importImage needs Contributor, Owner or
 * "Container Registry Data Importer and Data Reader".
 */
import type { RoleName } from './api';
import type { Principal } from './state';

export type Ability = 'read' | 'pull' | 'push' | 'delete' | 'import';

const ABILITIES: Record<RoleName, readonly Ability[]> = {
  Owner: ['read', 'pull', 'push', 'delete', 'import'],
  Contributor: ['read', 'pull', 'push', 'delete', 'import'],
  Reader: ['read', 'pull'],
  AcrPull: ['read', 'pull'],
  AcrPush: ['read', 'pull', 'push'],
  'Container Registry Data Importer and Data Reader': ['read', 'pull', 'import'],
};

/** The ARM action each ability stands for, as ARM names it in AuthorizationFailed. */
export const ACTION_OF: Record<Ability, string> = {
  read: 'Microsoft.ContainerRegistry/registries/read',
  pull: 'Microsoft.ContainerRegistry/registries/pull/read',
  push: 'Microsoft.ContainerRegistry/registries/push/write',
  delete: 'Microsoft.ContainerRegistry/registries/artifacts/delete',
  import: 'Microsoft.ContainerRegistry/registries/importImage/action',
};

/** Whether a role assignment scope covers a resource id (same id or an ancestor). */
export function scopeCovers(scope: string, resourceId: string): boolean {
  const s = scope.replace(/\/+$/, '').toLowerCase();
  const r = resourceId.replace(/\/+$/, '').toLowerCase();
  return s === '' || r === s || r.startsWith(`${s}/`);
}

export function hasAbility(principal: Principal | undefined, resourceId: string, ability: Ability): boolean {
  if (!principal) return false;
  return principal.roles.some((a) => scopeCovers(a.scope, resourceId) && ABILITIES[a.role].includes(ability));
}

/** Any role at all on the resource (what lets a principal see it or exchange a token for it). */
export function hasAnyRole(principal: Principal | undefined, resourceId: string): boolean {
  return principal?.roles.some((a) => scopeCovers(a.scope, resourceId)) ?? false;
}
