/**
 * Azure RBAC as Azure evaluates it, for the built-in roles this product meets: a role
 * assignment covers its scope and every resource below it; each role is its definition's
 * `actions` / `notActions` / `dataActions` / `notDataActions` (wildcards, case-insensitive);
 * an action is allowed when one covering assignment's role allows it and does not exclude it.
 * ARM (registry read, importImage), the permissions API and the registries' token grants all
 * read this one table, so no two of them can disagree.
 *
 * Definitions: Azure built-in roles (Containers, 2025-06-30: AcrPull, AcrPush, AcrDelete,
 * Container Registry Data Importer and Data Reader; Privileged/General: Owner, Contributor,
 * Reader). What each role may do on a registry's data plane is the ACR roles directory
 * reference for registries in the "RBAC Registry Permissions" mode (the classic mode, the
 * only one the emulator models; see README).
 */
import type { RoleName } from './api';
import type { Principal } from './state';

/** A role definition's permissions, as `Microsoft.Authorization/permissions` lists them. */
export interface RolePermissions {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

const ACR = 'Microsoft.ContainerRegistry/registries';

/** ARM actions and data actions the emulator checks. */
export const ACTION = {
  /** Registry GET and lists (ARM access). */
  read: `${ACR}/read`,
  pull: `${ACR}/pull/read`,
  push: `${ACR}/push/write`,
  delete: `${ACR}/artifacts/delete`,
  import: `${ACR}/importImage/action`,
} as const;

const DATA = {
  contentRead: `${ACR}/repositories/content/read`,
  contentWrite: `${ACR}/repositories/content/write`,
  contentDelete: `${ACR}/repositories/content/delete`,
  metadataRead: `${ACR}/repositories/metadata/read`,
  metadataWrite: `${ACR}/repositories/metadata/write`,
  metadataDelete: `${ACR}/repositories/metadata/delete`,
  catalogRead: `${ACR}/catalog/read`,
} as const;

const none = (): Pick<RolePermissions, 'notActions' | 'dataActions' | 'notDataActions'> => ({ notActions: [], dataActions: [], notDataActions: [] });

/** The built-in definitions (Contributor's notActions as published in 2025). */
const ROLE_PERMISSIONS: Record<RoleName, RolePermissions> = {
  Owner: { actions: ['*'], ...none() },
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
  Reader: { actions: ['*/read'], ...none() },
  AcrPull: { actions: [ACTION.pull], ...none() },
  AcrPush: { actions: [ACTION.pull, ACTION.push], ...none() },
  AcrDelete: { actions: [ACTION.delete], ...none() },
  'Container Registry Data Importer and Data Reader': {
    actions: [ACTION.import, ACTION.read, ACTION.pull],
    notActions: [],
    dataActions: [DATA.contentRead, DATA.metadataRead, DATA.catalogRead],
    notDataActions: [],
  },
};

export const ROLE_NAMES = Object.keys(ROLE_PERMISSIONS) as RoleName[];

/** Whether a role assignment scope covers a resource id (same id or an ancestor). */
export function scopeCovers(scope: string, resourceId: string): boolean {
  const s = scope.replace(/\/+$/, '').toLowerCase();
  const r = resourceId.replace(/\/+$/, '').toLowerCase();
  return s === '' || r === s || r.startsWith(`${s}/`);
}

const patterns = new Map<string, RegExp>();

/** An action pattern as Azure RBAC reads it: case-insensitive, `*` any run of characters. */
export function actionMatches(pattern: string, action: string): boolean {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    patterns.set(pattern, re);
  }
  return re.test(action);
}

function grants(allowed: readonly string[], excluded: readonly string[], action: string): boolean {
  return allowed.some((a) => actionMatches(a, action)) && !excluded.some((n) => actionMatches(n, action));
}

function covering(principal: Principal | undefined, resourceId: string): RolePermissions[] {
  return (principal?.roles ?? []).filter((a) => scopeCovers(a.scope, resourceId)).map((a) => ROLE_PERMISSIONS[a.role]);
}

/** A management action (`Microsoft.ContainerRegistry/registries/read`) on a resource. */
export function allowsAction(principal: Principal | undefined, resourceId: string, action: string): boolean {
  return covering(principal, resourceId).some((p) => grants(p.actions, p.notActions, action));
}

/** A data action (`…/repositories/content/read`) on a resource. */
export function allowsDataAction(principal: Principal | undefined, resourceId: string, action: string): boolean {
  return covering(principal, resourceId).some((p) => grants(p.dataActions, p.notDataActions, action));
}

/** Any role assignment at the scope or anywhere below it (what makes a subscription visible). */
export function hasAssignmentWithin(principal: Principal | undefined, scope: string): boolean {
  return (principal?.roles ?? []).some((a) => scopeCovers(scope, a.scope) || scopeCovers(a.scope, scope));
}

/** What a registry token may grant: the distribution scopes' actions ACR knows. */
export type DataPlaneAction = 'pull' | 'metadata_read' | 'catalog' | 'push' | 'metadata_write' | 'delete';

/**
 * Which permissions grant each data-plane action in the classic mode: the registry action the
 * legacy roles carry, or the repository data action the newer definitions carry. Reader's
 * `*\/read` matches `…/pull/read`, so Reader pulls and lists (as the directory reference says);
 * Owner's and Contributor's `*` match everything; AcrDelete deletes but cannot read.
 */
const DATA_PLANE: Record<DataPlaneAction, { actions: string[]; dataActions: string[] }> = {
  pull: { actions: [ACTION.pull], dataActions: [DATA.contentRead] },
  metadata_read: { actions: [ACTION.pull], dataActions: [DATA.metadataRead] },
  catalog: { actions: [ACTION.pull], dataActions: [DATA.catalogRead] },
  push: { actions: [ACTION.push], dataActions: [DATA.contentWrite] },
  metadata_write: { actions: [ACTION.push], dataActions: [DATA.metadataWrite] },
  delete: { actions: [ACTION.delete], dataActions: [DATA.contentDelete, DATA.metadataDelete] },
};

export function allowsDataPlane(principal: Principal | undefined, registryId: string, what: DataPlaneAction): boolean {
  const need = DATA_PLANE[what];
  return (
    need.actions.some((a) => allowsAction(principal, registryId, a)) || need.dataActions.some((d) => allowsDataAction(principal, registryId, d))
  );
}

/** Whether any data-plane action at all is allowed (what lets a token exchange succeed). */
export function hasDataPlaneAccess(principal: Principal | undefined, registryId: string): boolean {
  return (Object.keys(DATA_PLANE) as DataPlaneAction[]).some((what) => allowsDataPlane(principal, registryId, what));
}

/**
 * What `GET {scope}/providers/Microsoft.Authorization/permissions` answers: one entry per
 * role assignment of the principal that covers the scope (an assignment at the scope or
 * above it), each with its role's permissions; none without an assignment.
 */
export function permissionsAt(principal: Principal | undefined, scope: string): RolePermissions[] {
  return (principal?.roles ?? []).filter((a) => scopeCovers(a.scope, scope)).map((a) => structuredClone(ROLE_PERMISSIONS[a.role]));
}
