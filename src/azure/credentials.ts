/**
 * Explicit credentials for the command line. DefaultAzureCredential is never used: it probes
 * a long chain (including the managed-identity endpoint) and its choice is invisible, so a
 * run could act as an identity nobody intended. Here the environment selects exactly one
 * credential and the caller can say which one was used.
 *
 * Every credential gets the cloud's authority, instance discovery disabled when that authority
 * is not one of Entra ID's public hosts (Azure Stack, the emulator: discovery would call
 * login.microsoftonline.com), and the transport's TLS, retry and user-agent settings.
 */
import { readFile } from 'node:fs/promises';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import {
  AzureCliCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import { isWellKnownAuthority, type AzureCloud } from './cloud';
import { clientOptionsOf, type Transport } from './transport';

export type CredentialKind = 'client-secret' | 'workload-identity' | 'client-certificate' | 'azure-cli' | 'managed-identity';

export interface SelectedCredential {
  kind: CredentialKind;
  credential: TokenCredential;
  /** What was chosen and from which variables, for a log line (no ids, no secrets). */
  description: string;
}

/** Nothing usable in the environment, or the chosen kind is not allowed for this cloud. */
export class CredentialSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialSelectionError';
  }
}

type Env = Record<string, string | undefined>;

/** Options shared by the @azure/identity credentials built here. */
export function identityOptions(cloud: AzureCloud, transport: Transport): TokenCredentialOptions & { disableInstanceDiscovery?: boolean } {
  const shared = clientOptionsOf(transport);
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
  return new ClientSecretCredential(tenantId, clientId, secret, identityOptions(cloud, transport));
}

/**
 * Workload identity federation from a token file (Kubernetes, GitHub OIDC written to disk).
 * The file is read on every token request: the platform rotates it, and an assertion older
 * than ~10 minutes is refused (AADSTS700024), so a long run must never hold on to one.
 */
export function federatedTokenFileCredential(
  tenantId: string,
  clientId: string,
  tokenFile: string,
  cloud: AzureCloud,
  transport: Transport,
): TokenCredential {
  const readAssertion = async (): Promise<string> => (await readFile(tokenFile, 'utf8')).trim();
  return new ClientAssertionCredential(tenantId, clientId, readAssertion, identityOptions(cloud, transport));
}

/** A PEM file holding the certificate and its private key. */
export function clientCertificateCredential(
  tenantId: string,
  clientId: string,
  certificatePath: string,
  cloud: AzureCloud,
  transport: Transport,
  certificatePassword?: string,
): TokenCredential {
  return new ClientCertificateCredential(
    tenantId,
    clientId,
    { certificatePath, ...(certificatePassword ? { certificatePassword } : {}) },
    identityOptions(cloud, transport),
  );
}

/** The signed-in `az` session (its own cloud setting decides the authority). */
export function azureCliCredential(tenantId?: string): TokenCredential {
  return new AzureCliCredential(tenantId ? { tenantId } : {});
}

/**
 * This machine's managed identity (user-assigned when a client id is given). Refused for
 * custom authorities: there "managed identity" would mean asking a real Azure endpoint for
 * a token meant for somewhere else.
 */
export function managedIdentityCredential(cloud: AzureCloud, transport: Transport, clientId?: string): TokenCredential {
  if (!isWellKnownAuthority(cloud)) {
    throw new CredentialSelectionError(
      `managed identity is only available in Azure's own clouds; the authority ${cloud.authorityHost} is a custom one. ` +
        'Use a service principal (AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE or AZURE_CLIENT_CERTIFICATE_PATH) or az login.',
    );
  }
  // The managed-identity endpoint is local to the machine: no authority, no discovery.
  const shared = clientOptionsOf(transport);
  return new ManagedIdentityCredential({
    retryOptions: shared.retryOptions,
    userAgentOptions: shared.userAgentOptions,
    // The request counter and the time limit.
    ...(shared.additionalPolicies ? { additionalPolicies: shared.additionalPolicies } : {}),
    ...(clientId ? { clientId } : {}),
  });
}

/**
 * Picks the command line's credential from the environment, first match wins:
 *
 * 1. AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET   -> client secret
 * 2. AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_FEDERATED_TOKEN_FILE -> workload identity
 *    (file re-read on every token request)
 * 3. AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_CERTIFICATE_PATH
 *    (+ AZURE_CLIENT_CERTIFICATE_PASSWORD)                      -> client certificate
 * 4. `az` found on PATH                                         -> Azure CLI session
 *    (AZURE_TENANT_ID, if set, selects the tenant)
 * 5. managed identity (AZURE_CLIENT_ID, if set, selects a user-assigned identity), only when
 *    the cloud's authority is one of Azure's own; otherwise a CredentialSelectionError.
 *
 * `prefer` forces one kind (e.g. from a command-line flag); its variables must then be set.
 */
export function selectCliCredential(
  env: Env,
  cloud: AzureCloud,
  transport: Transport,
  options: { prefer?: CredentialKind; azOnPath?: boolean } = {},
): SelectedCredential {
  const tenantId = nonEmpty(env['AZURE_TENANT_ID']);
  const clientId = nonEmpty(env['AZURE_CLIENT_ID']);
  const secret = nonEmpty(env['AZURE_CLIENT_SECRET']);
  const tokenFile = nonEmpty(env['AZURE_FEDERATED_TOKEN_FILE']);
  const certificatePath = nonEmpty(env['AZURE_CLIENT_CERTIFICATE_PATH']);
  const certificatePassword = nonEmpty(env['AZURE_CLIENT_CERTIFICATE_PASSWORD']);
  const azOnPath = options.azOnPath ?? isOnPath('az', env);
  const servicePrincipal = tenantId !== undefined && clientId !== undefined;
  const wants = (kind: CredentialKind, available: boolean): boolean =>
    options.prefer === undefined ? available : options.prefer === kind;

  if (wants('client-secret', servicePrincipal && secret !== undefined)) {
    requireVars(servicePrincipal && secret !== undefined, 'a client secret', ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET']);
    return {
      kind: 'client-secret',
      credential: clientSecretCredential(tenantId!, clientId!, secret!, cloud, transport),
      description: 'service principal with a client secret (AZURE_CLIENT_SECRET)',
    };
  }
  if (wants('workload-identity', servicePrincipal && tokenFile !== undefined)) {
    requireVars(servicePrincipal && tokenFile !== undefined, 'workload identity', [
      'AZURE_TENANT_ID',
      'AZURE_CLIENT_ID',
      'AZURE_FEDERATED_TOKEN_FILE',
    ]);
    return {
      kind: 'workload-identity',
      credential: federatedTokenFileCredential(tenantId!, clientId!, tokenFile!, cloud, transport),
      description: 'workload identity federation (AZURE_FEDERATED_TOKEN_FILE, read on every token request)',
    };
  }
  if (wants('client-certificate', servicePrincipal && certificatePath !== undefined)) {
    requireVars(servicePrincipal && certificatePath !== undefined, 'a client certificate', [
      'AZURE_TENANT_ID',
      'AZURE_CLIENT_ID',
      'AZURE_CLIENT_CERTIFICATE_PATH',
    ]);
    return {
      kind: 'client-certificate',
      credential: clientCertificateCredential(tenantId!, clientId!, certificatePath!, cloud, transport, certificatePassword),
      description: 'service principal with a certificate (AZURE_CLIENT_CERTIFICATE_PATH)',
    };
  }
  if (wants('azure-cli', azOnPath)) {
    return { kind: 'azure-cli', credential: azureCliCredential(tenantId), description: 'the Azure CLI session (az login)' };
  }
  if (options.prefer === undefined || options.prefer === 'managed-identity') {
    if (options.prefer === undefined && !isWellKnownAuthority(cloud)) {
      throw new CredentialSelectionError(
        `no credential found: set AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE ` +
          `or AZURE_CLIENT_CERTIFICATE_PATH, or sign in with az login (managed identity is not available for the custom authority ${cloud.authorityHost})`,
      );
    }
    return {
      kind: 'managed-identity',
      credential: managedIdentityCredential(cloud, transport, clientId),
      description: clientId ? 'user-assigned managed identity (AZURE_CLIENT_ID)' : 'system-assigned managed identity',
    };
  }
  throw new CredentialSelectionError(`the requested credential "${options.prefer}" is not available`);
}

function requireVars(present: boolean, what: string, names: string[]): void {
  if (!present) throw new CredentialSelectionError(`${what} needs ${names.join(', ')} to be set`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

/** Whether an executable is on PATH (no process is started). */
export function isOnPath(command: string, env: Env): boolean {
  const dirs = (env['PATH'] ?? env['Path'] ?? '').split(path.delimiter).filter((d) => d !== '');
  const extensions = process.platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';') : [''];
  return dirs.some((dir) =>
    extensions.some((ext) => {
      try {
        fs.accessSync(path.join(dir, command + ext), process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}
