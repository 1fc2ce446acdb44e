/**
 * The machine's managed identity, for both front ends (the command line's fallback and the
 * task's `ManagedServiceIdentity` connections), user-assigned when a client id is given.
 * @azure/identity finds the machine's endpoint itself: IMDS on an Azure VM or scale set,
 * `IDENTITY_ENDPOINT` / `IDENTITY_HEADER` where the platform sets them (App Service, Arc). It asks
 * again whenever its token nears expiry, so long runs renew.
 *
 * Two rules, the same everywhere:
 * - **Only where it can mean this cloud:** the authority is one of Azure's own, or the machine
 *   names its identity endpoint. For a custom authority (Azure Stack, the emulator) without
 *   one, @azure/identity would fall back to IMDS and ask real Azure for a token meant for
 *   somewhere else, so the credential is refused instead (ManagedIdentityUnavailable).
 * - **The endpoint is the machine's own:** IMDS is a link-local address and an identity
 *   endpoint is local to the host, which no proxy can reach, so its requests always go direct
 *   (the route policy's `direct`; HTTPS_PROXY is not applied to them either); the transport's
 *   CA, retries, time limit and request counting are used.
 */
import type { TokenCredential } from '@azure/core-auth';
import { ManagedIdentityCredential } from '@azure/identity';
import { isWellKnownAuthority, type AzureCloud } from '../cloud';
import { pipelineSettingsOf, transportHttpClient, type Transport } from '../http/transport';
import { explainedCredential } from './explainedCredential';

export type Env = Record<string, string | undefined>;

/** A managed identity was asked for where it cannot be used (see the rules above). */
export class ManagedIdentityUnavailable extends Error {
  constructor(readonly authorityHost: string) {
    super(`managed identity is only available in Azure's own clouds or where the machine names its identity endpoint; the authority ${authorityHost} is a custom one`);
    this.name = 'ManagedIdentityUnavailable';
  }
}

/** Whether the environment names an App Service–style identity endpoint (no IMDS involved). */
export function namesIdentityEndpoint(env: Env): boolean {
  return Boolean(env['IDENTITY_ENDPOINT']?.trim()) && Boolean(env['IDENTITY_HEADER']?.trim());
}

export function managedIdentityAvailable(cloud: AzureCloud, env: Env): boolean {
  return isWellKnownAuthority(cloud) || namesIdentityEndpoint(env);
}

export function managedIdentityCredential(cloud: AzureCloud, transport: Transport, env: Env, clientId?: string): TokenCredential {
  if (!managedIdentityAvailable(cloud, env)) throw new ManagedIdentityUnavailable(cloud.authorityHost);
  const settings = pipelineSettingsOf(transport);
  // Its own retry policy replaces any additional policies, so the transport's come in the HTTP client.
  const credential = new ManagedIdentityCredential({
    retryOptions: settings.retryOptions,
    userAgentOptions: settings.userAgentOptions,
    httpClient: transportHttpClient(transport, { service: 'managed identity endpoint', direct: true }),
    ...(clientId ? { clientId } : {}),
  });
  return explainedCredential(credential, transport, ['managed identity endpoint']);
}
