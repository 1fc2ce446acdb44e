/**
 * An @azure/identity credential for what a service connection holds, pointed at the
 * connection's authority (instance discovery off for authorities that are not Entra's public
 * hosts) and using the task's transport. Each one renews its own tokens per scope, so a run
 * longer than a token's lifetime simply asks again:
 *
 * - secret: ClientSecretCredential;
 * - certificate: ClientCertificateCredential from the PEM held in memory (cert + key);
 * - managed identity: ManagedIdentityCredential (managedIdentity.ts);
 * - workload identity federation: ClientAssertionCredential whose assertion is a fresh ID
 *   token from the pipeline each time (pipelineIdToken.ts).
 */
import type { TokenCredential } from '@azure/core-auth';
import { ClientAssertionCredential, ClientCertificateCredential } from '@azure/identity';
import { clientSecretCredential, identityOptions, type AzureCloud, type Transport } from '../../azure';
import type { AuthKind } from './authKind';
import { managedIdentityCredential, type Env } from './managedIdentity';

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
      return new ClientCertificateCredential(
        fields.tenantId,
        required(fields.clientId),
        { certificate: required(fields.certificatePem) },
        identityOptions(cloud, transport),
      );
    case 'managedIdentity':
      return managedIdentityCredential(fields.displayName, cloud, transport, deps.env, fields.msiClientId);
    case 'workloadIdentity':
      return new ClientAssertionCredential(fields.tenantId, required(fields.clientId), required(deps.idToken), identityOptions(cloud, transport));
  }
}

/** The caller checked presence already (with a message naming the connection). */
function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('internal: a connection field was not checked');
  return value;
}
