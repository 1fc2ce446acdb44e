/**
 * What the rest of the program knows about one registry once ARM has resolved it by name.
 * The ids stay inside the adapters' requests: they are never logged nor put in a message.
 */

export type RegistrySide = 'source' | 'target';

export interface RegistryRef {
  name: string;
  /** ARM resource id; used as importImage's `source.resourceId`. Never printed. */
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  /** Host (and port) of the data plane, e.g. `myreg.azurecr.io`. */
  loginServer: string;
  sku?: string;
  publicNetworkAccess?: string;
  /** `AzureServices` lets importImage reach a network-restricted registry. */
  networkRuleBypassOptions?: string;
  /** The firewall's default (`networkRuleSet.defaultAction`): `Deny` restricts access to selected networks. */
  networkDefaultAction?: string;
  /** `disabled` means the data plane refuses ARM-audience Entra tokens. */
  azureADAuthenticationAsArmPolicy?: string;
  /**
   * `AbacRepositoryPermissions` ("RBAC Registry + ABAC Repository Permissions"): the data plane
   * honours only the Container Registry Repository roles, not AcrPull; `LegacyRegistryPermissions`
   * or absent: the classic roles.
   */
  roleAssignmentMode?: string;
}

/** Whether the registry is in the attribute-based repository permission mode. */
export function isAbacMode(ref: Pick<RegistryRef, 'roleAssignmentMode'>): boolean {
  return ref.roleAssignmentMode?.toLowerCase() === 'abacrepositorypermissions';
}

/** The resource group segment of an ARM resource id (case-insensitive key, as ARM treats it). */
export function resourceGroupOf(resourceId: string): string | undefined {
  const match = /\/resourceGroups\/([^/]+)/i.exec(resourceId);
  return match?.[1] !== undefined ? decodeURIComponent(match[1]) : undefined;
}

/** The subscription segment of an ARM resource id. */
export function subscriptionOf(resourceId: string): string | undefined {
  const match = /^\/subscriptions\/([^/]+)/i.exec(resourceId);
  return match?.[1];
}
