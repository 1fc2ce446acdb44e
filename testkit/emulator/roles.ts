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

/** A role definition's permissions, as `Microsoft.Authorization/permissions` lists them. */
export interface RolePermissions {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

/**
 * The built-in role definitions' permissions (Azure's built-in roles; Contributor's
 * notActions as of 2025). The Data Importer role's data actions are the repository read ones
 * of the ABAC-era definitions; older definitions listed none.
 */
const ROLE_PERMISSIONS: Record<RoleName, RolePermissions> = {
  Owner: { actions: ['*'], notActions: [], dataActions: [], notDataActions: [] },
  Contributor: {
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
      'Microsoft.Purview/consents/write',
      'Microsoft.Purview/consents/delete',
      'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
      'Microsoft.Subscription/cancel/action',
      'Microsoft.Subscription/enable/action',
    ],
    dataActions: [],
    notDataActions: [],
  },
  Reader: { actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] },
  AcrPull: { actions: [ACTION_OF.pull], notActions: [], dataActions: [], notDataActions: [] },
  AcrPush: { actions: [ACTION_OF.pull, ACTION_OF.push], notActions: [], dataActions: [], notDataActions: [] },
  'Container Registry Data Importer and Data Reader': {
    actions: [ACTION_OF.import, ACTION_OF.pull, ACTION_OF.read],
    notActions: [],
    dataActions: [
      'Microsoft.ContainerRegistry/registries/repositories/content/read',
      'Microsoft.ContainerRegistry/registries/repositories/metadata/read',
    ],
    notDataActions: [],
  },
};

/**
 * What `GET {scope}/providers/Microsoft.Authorization/permissions` answers: one entry per
 * role assignment of the principal that covers the scope (an assignment at the scope or
 * above it), each with its role's permissions; none without an assignment.
 */
export function permissionsAt(principal: Principal | undefined, scope: string): RolePermissions[] {
  return (principal?.roles ?? [])
    .filter((a) => scopeCovers(a.scope, scope))
    .map((a) => structuredClone(ROLE_PERMISSIONS[a.role]));
}
