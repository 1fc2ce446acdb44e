/**
 * The @azure/identity credentials both front ends build: every one gets the cloud's authority,
 * instance discovery disabled when that authority is not one of Entra ID's public hosts (Azure
 * Stack, the emulator: discovery would call login.microsoftonline.com), and the transport's
 * TLS, retry and user-agent settings. Which one a run uses is the front end's choice
 * (cli/signIn.ts; the task's connections). DefaultAzureCredential is never used: it probes a
 * long chain (including the managed-identity endpoint) and its choice is invisible.
 */
import { readFile } from 'node:fs/promises';
import type { TokenCredential } from '@azure/core-auth';
import {
  AzureCliCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import { isWellKnownAuthority, type AzureCloud } from '../cloud';
import { clientOptionsOf, type Transport } from '../http/transport';
import { explainedCredential } from './explainedCredential';

/** The pipelines whose network failures a failed sign-in is told by. */
const SIGN_IN = ['Entra sign-in'] as const;

/** Options shared by the @azure/identity credentials built here. */
export function identityOptions(cloud: AzureCloud, transport: Transport): TokenCredentialOptions & { disableInstanceDiscovery?: boolean } {
  const shared = clientOptionsOf(transport, { service: 'Entra sign-in' });
  return {
    authorityHost: cloud.authorityHost,
    ...(isWellKnownAuthority(cloud) ? {} : { disableInstanceDiscovery: true }),
    ...shared,
  };
}

export function clientSecretCredential(
  tenantId: string,
  clientId: string,
  secret: string,
  cloud: AzureCloud,
  transport: Transport,
): TokenCredential {
  return explainedCredential(new ClientSecretCredential(tenantId, clientId, secret, identityOptions(cloud, transport)), transport, SIGN_IN);
}

/**
 * Workload identity federation: Entra takes `assertion()` — a fresh one on every token request
 * (@azure/identity calls it each time), because an assertion older than ~10 minutes is refused
 * (AADSTS700024), so a long run must never hold on to one.
 */
export function clientAssertionCredential(
  tenantId: string,
  clientId: string,
  assertion: () => Promise<string>,
  cloud: AzureCloud,
  transport: Transport,
): TokenCredential {
  // The assertion callback's own failures (the pipeline's ID token) are its own to tell.
  return explainedCredential(new ClientAssertionCredential(tenantId, clientId, assertion, identityOptions(cloud, transport)), transport, SIGN_IN);
}

/** Workload identity federation from a token file (Kubernetes, GitHub OIDC written to disk), which the platform rotates. */
export function federatedTokenFileCredential(
  tenantId: string,
  clientId: string,
  tokenFile: string,
  cloud: AzureCloud,
  transport: Transport,
): TokenCredential {
  const readAssertion = async (): Promise<string> => (await readFile(tokenFile, 'utf8')).trim();
  return clientAssertionCredential(tenantId, clientId, readAssertion, cloud, transport);
}

/**
 * A certificate with its private key, in PEM: a file (`certificatePath`, with an optional
 * password) or text held in memory (`certificate`, as a service connection hands it over).
 */
export type CertificateSource = { certificatePath: string; certificatePassword?: string } | { certificate: string };

export function clientCertificateCredential(
  tenantId: string,
  clientId: string,
  certificate: CertificateSource,
  cloud: AzureCloud,
  transport: Transport,
): TokenCredential {
  // The SDK's union type takes each form on its own.
  const options = identityOptions(cloud, transport);
  const credential =
    'certificate' in certificate
      ? new ClientCertificateCredential(tenantId, clientId, { certificate: certificate.certificate }, options)
      : new ClientCertificateCredential(tenantId, clientId, certificate, options);
  return explainedCredential(credential, transport, SIGN_IN);
}

/** The signed-in `az` session (its own cloud setting decides the authority). */
export function azureCliCredential(tenantId?: string): TokenCredential {
  return new AzureCliCredential(tenantId ? { tenantId } : {});
}
