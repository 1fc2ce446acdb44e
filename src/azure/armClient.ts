/**
 * Builds the @azure/arm-containerregistry client the locator and the importer use: the
 * cloud's ARM endpoint and token scope, and the shared transport (retries, CA, user agent).
 */
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { armScope, type AzureCloud } from './cloud';
import { serviceErrorCapturePolicy } from './serviceErrorCapture';
import { clientOptionsOf, type Transport } from './transport';

export interface ArmClientExtras {
  /** Policies added to this client only (e.g. the importer's operation-outcome recorder). */
  additionalPolicies?: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[];
}

export function createArmClient(
  credential: TokenCredential,
  subscriptionId: string,
  cloud: AzureCloud,
  transport: Transport,
  extras: ArmClientExtras = {},
): ContainerRegistryManagementClient {
  const shared = clientOptionsOf(transport);
  return new ContainerRegistryManagementClient(credential, subscriptionId, {
    endpoint: cloud.armEndpoint,
    credentials: { scopes: [armScope(cloud)] },
    ...shared,
    additionalPolicies: [
      { policy: serviceErrorCapturePolicy, position: 'perCall' },
      ...(shared.additionalPolicies ?? []),
      ...(extras.additionalPolicies ?? []),
    ],
  });
}
