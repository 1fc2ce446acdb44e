/**
 * The names in an ARM path, checked as ARM checks them before anything else about the
 * request: a subscription id must be a GUID (`InvalidSubscriptionId`, as recorded), a resource
 * group name letters, digits, `-`, `.`, `(`, `)` and `_` up to 90 characters, not ending in a
 * period (`InvalidResourceGroup`; the invalid-character message as az 2.38 printed it), a
 * registry name letters and digits (the spec's `^[a-zA-Z0-9]*$`, at most 50).
 *
 * Left out on purpose: the spec's 5-character minimum for registry names. The product refuses
 * shorter names itself (options/parse.ts) and never makes one up, and the emulator's own
 * tests call their registries `src` and `dst`; a name that short can only come from a fixture.
 */
import { armError } from './armAuth';
import type { Reply } from './http';

export const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const REGISTRY_NAME_MAX = 50;
const RESOURCE_GROUP_MAX = 90;
const RESOURCE_GROUP_CHAR = /[-\p{L}\p{N}_.()]/u;

export function invalidSubscriptionId(id: string): Reply | undefined {
  return SUBSCRIPTION_ID.test(id) ? undefined : armError(400, 'InvalidSubscriptionId', `The provided subscription identifier '${id}' is malformed or invalid.`);
}

export function invalidResourceGroup(name: string): Reply | undefined {
  const bad = [...new Set([...name].filter((c) => !RESOURCE_GROUP_CHAR.test(c)))].join('');
  if (bad !== '' || name === '') {
    return armError(
      400,
      'InvalidResourceGroup',
      `The provided resource group name '${name}' has these invalid characters: '${bad}'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.`,
    );
  }
  if (name.length > RESOURCE_GROUP_MAX || name.endsWith('.')) {
    return armError(400, 'InvalidResourceGroup', `The provided resource group name '${name}' is invalid: it can be at most ${RESOURCE_GROUP_MAX} characters and cannot end in a period.`);
  }
  return undefined;
}

export function invalidRegistryName(name: string): Reply | undefined {
  if (/^[a-zA-Z0-9]+$/.test(name) && name.length <= REGISTRY_NAME_MAX) return undefined;
  return armError(
    400,
    'InvalidResourceName',
    `The resource name '${name}' is invalid. A container registry name can contain only letters and digits and must be between 5 and ${REGISTRY_NAME_MAX} characters long.`,
  );
}

/** The first refusal among a path's subscription, resource group and registry names. */
export function invalidNames(names: { subscriptionId: string; resourceGroup?: string; registry?: string }): Reply | undefined {
  return (
    invalidSubscriptionId(names.subscriptionId) ??
    (names.resourceGroup === undefined ? undefined : invalidResourceGroup(names.resourceGroup)) ??
    (names.registry === undefined ? undefined : invalidRegistryName(names.registry))
  );
}
