/**
 * Finds a registry by name within one subscription, the way `az acr show` does: list every
 * registry of the subscription (all pages, following nextLink) and match the name without
 * regard to case. Listing needs only Reader on the subscription or the registries, and it
 * does not require the caller to know the resource group.
 */
import type { ContainerRegistryManagementClient, Registry } from '@azure/arm-containerregistry';
import { describeArmError } from '../http/serviceErrorCapture';
import { resourceGroupOf, subscriptionOf, type RegistryRef, type RegistrySide } from '../registryRef';

export { createArmClient } from './armClient';

/** The registry is not in the subscription (or the identity cannot see it). */
export class RegistryNotFoundError extends Error {
  constructor(
    readonly registryName: string,
    readonly side: RegistrySide,
  ) {
    // ARM lists only what the identity may read, so "not there" and "not visible" look alike.
    super(`registry "${registryName}" was not found in the ${side} subscription (or the ${side} identity cannot see it: it needs Reader on the registry)`);
    this.name = 'RegistryNotFoundError';
  }
}

/** ARM refused or failed the listing; the message is the service's, redacted. */
export class RegistryLookupError extends Error {
  constructor(
    message: string,
    readonly side: RegistrySide,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegistryLookupError';
  }
}

export async function locateRegistry(
  client: ContainerRegistryManagementClient,
  registryName: string,
  side: RegistrySide,
  signal?: AbortSignal,
): Promise<RegistryRef> {
  const [ref] = await locateRegistries(client, [{ registryName, side }], signal);
  return ref;
}

/**
 * Finds several registries of one subscription in one listing (source and target in the same
 * subscription, seen by the same identity: one lookup instead of two identical ones), in the
 * order asked. A listing that fails fails for the first one asked; a registry not in the
 * listing is a RegistryNotFoundError, the first one asked first.
 */
export async function locateRegistries(
  client: ContainerRegistryManagementClient,
  wanted: readonly { registryName: string; side: RegistrySide }[],
  signal?: AbortSignal,
): Promise<RegistryRef[]> {
  const found: (RegistryRef | undefined)[] = wanted.map(() => undefined);
  const names = wanted.map((w) => w.registryName.trim().toLowerCase());
  try {
    for await (const registry of client.registries.list({ abortSignal: signal })) {
      const name = registry.name?.toLowerCase();
      names.forEach((wantedName, index) => {
        if (name === wantedName && found[index] === undefined) found[index] = toRegistryRef(registry, wanted[index].side);
      });
      if (found.every((ref) => ref !== undefined)) break;
    }
  } catch (error) {
    if (error instanceof RegistryLookupError) throw error;
    if (signal?.aborted) throw error;
    const described = describeArmError(error);
    const side = wanted[0]?.side ?? 'source';
    // The cause is kept: a network failure is told by its own line (one that names the host).
    throw new RegistryLookupError(`could not list the registries of the ${side} subscription: ${described.message}`, side, described.code, { cause: error });
  }
  return wanted.map(({ registryName, side }, index) => {
    const ref = found[index];
    if (ref === undefined) throw new RegistryNotFoundError(registryName, side);
    return ref;
  });
}

function toRegistryRef(registry: Registry, side: RegistrySide): RegistryRef {
  const { id, name, loginServer } = registry;
  const resourceGroup = id ? resourceGroupOf(id) : undefined;
  const subscriptionId = id ? subscriptionOf(id) : undefined;
  if (!id || !name || !loginServer || !resourceGroup || !subscriptionId) {
    throw new RegistryLookupError(
      `ARM described the ${side} registry "${name ?? '?'}" without an id, resource group or login server`,
      side,
    );
  }
  return {
    name,
    id,
    subscriptionId,
    resourceGroup,
    loginServer,
    ...(registry.sku?.name ? { sku: registry.sku.name } : {}),
    ...(registry.publicNetworkAccess ? { publicNetworkAccess: registry.publicNetworkAccess } : {}),
    ...(registry.networkRuleBypassOptions ? { networkRuleBypassOptions: registry.networkRuleBypassOptions } : {}),
    ...(registry.networkRuleSet?.defaultAction ? { networkDefaultAction: registry.networkRuleSet.defaultAction } : {}),
    ...(registry.policies?.azureADAuthenticationAsArmPolicy?.status
      ? { azureADAuthenticationAsArmPolicy: registry.policies.azureADAuthenticationAsArmPolicy.status }
      : {}),
    ...(registry.roleAssignmentMode ? { roleAssignmentMode: registry.roleAssignmentMode } : {}),
  };
}
