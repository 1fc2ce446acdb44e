/**
 * An @azure/identity credential for what a service connection holds, pointed at the
 * connection's authority (instance discovery off for authorities that are not Entra's public
 * hosts) and using the task's transport. Each one renews its own tokens per scope, so a run
 * longer than a token's lifetime simply asks again:
 *
 * - secret: ClientSecretCredential;
 * - certificate: ClientCertificateCredential from the PEM held in memory (cert + key);
 * - managed identity: ManagedIdentityCredential, under the rules of
 *   azure/identity/managedIdentity.ts (shared with the command line);
 * - workload identity federation: ClientAssertionCredential whose assertion is a fresh ID
 *   token from the pipeline each time (pipelineIdToken.ts).
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  clientAssertionCredential,
  clientCertificateCredential,
  clientSecretCredential,
  managedIdentityCredential,
  ManagedIdentityUnavailable,
  type AzureCloud,
  type Env,
  type Transport,
} from '../../azure';
import { ConnectionError } from './connectionError';

/** The four ways a service connection may sign in. */
export type AuthKind = 'secret' | 'certificate' | 'managedIdentity' | 'workloadIdentity';

/**
 * Which of them an ARM service connection asks for. The agent
 * passes the connection's scheme (`ENDPOINT_AUTH_SCHEME_<id>`) and, for service principals,
 * `authenticationType` (`spnKey` or `spnCertificate`). As azure-arm-rest does, a missing scheme
 * means a service principal and a missing type means a secret. Undefined for a scheme this task
 * cannot use (PublishProfile, UsernamePassword…).
 */
export function authKindOf(scheme: string | undefined, authenticationType: string | undefined): AuthKind | undefined {
  switch ((scheme ?? '').trim().toLowerCase()) {
    case '':
    case 'serviceprincipal':
      return (authenticationType ?? '').trim().toLowerCase() === 'spncertificate' ? 'certificate' : 'secret';
    case 'managedserviceidentity':
      return 'managedIdentity';
    case 'workloadidentityfederation':
      return 'workloadIdentity';
    default:
      return undefined;
  }
}

export interface CredentialFields {
  displayName: string;
  authKind: AuthKind;
  tenantId: string;
  clientId?: string;
  secret?: string;
  /** PEM with the certificate and its private key. */
  certificatePem?: string;
  /** User-assigned managed identity. */
  msiClientId?: string;
}

export interface CredentialDeps {
  cloud: AzureCloud;
  transport: Transport;
  env: Env;
  /** For workload identity federation: a fresh ID token from the pipeline. */
  idToken?: () => Promise<string>;
}

export function connectionCredential(fields: CredentialFields, deps: CredentialDeps): TokenCredential {
  const { cloud, transport } = deps;
  switch (fields.authKind) {
    case 'secret':
      return clientSecretCredential(fields.tenantId, required(fields.clientId), required(fields.secret), cloud, transport);
    case 'certificate':
      return clientCertificateCredential(fields.tenantId, required(fields.clientId), { certificate: required(fields.certificatePem) }, cloud, transport);
    case 'managedIdentity':
      return machineIdentity(fields.displayName, deps, fields.msiClientId);
    case 'workloadIdentity':
      return clientAssertionCredential(fields.tenantId, required(fields.clientId), required(deps.idToken), cloud, transport);
  }
}

function machineIdentity(displayName: string, deps: CredentialDeps, clientId: string | undefined): TokenCredential {
  try {
    return managedIdentityCredential(deps.cloud, deps.transport, deps.env, clientId);
  } catch (error) {
    if (error instanceof ManagedIdentityUnavailable) throw new ConnectionError('ManagedIdentityCustomCloud', [displayName, error.authorityHost]);
    throw error;
  }
}

/** The caller checked presence already (with a message naming the connection). */
function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('internal: a connection field was not checked');
  return value;
}
