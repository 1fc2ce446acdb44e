/**
 * The agent machine's managed identity (the `ManagedServiceIdentity` scheme), user-assigned
 * when the connection names a client id. @azure/identity finds the machine's endpoint itself:
 * IMDS on an Azure VM or scale-set agent, `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` where the
 * platform sets them. It asks again whenever its token nears expiry, so long runs renew.
 *
 * A connection whose authority is not one of Azure's (Azure Stack, a test authority) gets a
 * managed identity only from an identity endpoint the machine names in its environment:
 * there, falling back to IMDS would ask real Azure for a token meant for somewhere else.
 */
import type { TokenCredential } from '@azure/core-auth';
import { ManagedIdentityCredential } from '@azure/identity';
import { clientOptionsOf, isWellKnownAuthority, type AzureCloud, type Transport } from '../../azure';
import { ConnectionError } from './connectionError';

export type Env = Record<string, string | undefined>;

/** Whether the environment names an App Service–style identity endpoint (no IMDS involved). */
function namesIdentityEndpoint(env: Env): boolean {
  return Boolean(env['IDENTITY_ENDPOINT']?.trim()) && Boolean(env['IDENTITY_HEADER']?.trim());
}

export function managedIdentityCredential(
  displayName: string,
  cloud: AzureCloud,
  transport: Transport,
  env: Env,
  clientId?: string,
): TokenCredential {
  if (!isWellKnownAuthority(cloud) && !namesIdentityEndpoint(env)) {
    throw new ConnectionError('ManagedIdentityCustomCloud', [displayName, cloud.authorityHost]);
  }
  const shared = clientOptionsOf(transport);
  return new ManagedIdentityCredential({
    ...(clientId ? { clientId } : {}),
    ...shared,
  });
}
