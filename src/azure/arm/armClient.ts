/**
 * Builds the @azure/arm-containerregistry client the locator, the importer and the preflight
 * use: the cloud's ARM endpoint and token scope, and the shared transport (retries, CA, user
 * agent, time limit, request counting), with every attempt paced under the subscription's
 * ARM budgets (armPacing.ts).
 */
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { armPacingPolicy, type ArmBudgets } from './armPacing';
import { armScope, type AzureCloud } from '../cloud';
import { serviceErrorCapturePolicy } from '../http/serviceErrorCapture';
import { clientOptionsOf, type Transport } from '../http/transport';

export interface ArmClientExtras {
  /** Policies added to this client only (e.g. the importer's operation-outcome recorder). */
  additionalPolicies?: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[];
  /** Budgets of this client alone, instead of the transport's shared ones. */
  budgets?: ArmBudgets;
}

export function createArmClient(
  credential: TokenCredential,
  subscriptionId: string,
  cloud: AzureCloud,
  transport: Transport,
  extras: ArmClientExtras = {},
): ContainerRegistryManagementClient {
  const shared = clientOptionsOf(transport, { service: 'ARM' });
  return new ContainerRegistryManagementClient(credential, subscriptionId, {
    endpoint: cloud.armEndpoint,
    credentials: { scopes: [armScope(cloud)] },
    ...shared,
    additionalPolicies: [
      { policy: serviceErrorCapturePolicy, position: 'perCall' },
      // Before the counter: an attempt is counted when it leaves, not while it waits its turn.
      { policy: armPacingPolicy(extras.budgets ?? transport.armBudgets, subscriptionId), position: 'perRetry' },
      ...(shared.additionalPolicies ?? []),
      ...(extras.additionalPolicies ?? []),
    ],
  });
}
