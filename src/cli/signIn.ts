/**
 * The command line's sign-in: the environment selects exactly one credential, and the run says
 * which one it used (DefaultAzureCredential would probe a long chain, the managed-identity
 * endpoint included, and its choice is invisible, so a run could act as an identity nobody
 * intended).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import {
  azureCliCredential,
  clientCertificateCredential,
  clientSecretCredential,
  federatedTokenFileCredential,
  managedIdentityAvailable,
  managedIdentityCredential,
  ManagedIdentityUnavailable,
  registerSecret,
  type AzureCloud,
  type Transport,
} from '../azure';

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

const SERVICE_PRINCIPAL_HINT = 'Use a service principal (AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE or AZURE_CLIENT_CERTIFICATE_PATH) or az login.';

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
 * 5. managed identity (AZURE_CLIENT_ID, if set, selects a user-assigned identity), where
 *    azure/identity/managedIdentity.ts allows it; otherwise a CredentialSelectionError.
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
  // Whichever credential is chosen, no output may show a secret read here (azure/redact.ts).
  registerSecret(secret);
  registerSecret(certificatePassword);
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
      credential: clientCertificateCredential(
        tenantId!,
        clientId!,
        { certificatePath: certificatePath!, ...(certificatePassword ? { certificatePassword } : {}) },
        cloud,
        transport,
      ),
      description: 'service principal with a certificate (AZURE_CLIENT_CERTIFICATE_PATH)',
    };
  }
  if (wants('azure-cli', azOnPath)) {
    return { kind: 'azure-cli', credential: azureCliCredential(tenantId), description: 'the Azure CLI session (az login)' };
  }
  if (options.prefer === undefined || options.prefer === 'managed-identity') {
    if (options.prefer === undefined && !managedIdentityAvailable(cloud, env)) {
      throw new CredentialSelectionError(
        `no credential found: set AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE ` +
          `or AZURE_CLIENT_CERTIFICATE_PATH, or sign in with az login (managed identity is not available for the custom authority ${cloud.authorityHost})`,
      );
    }
    return {
      kind: 'managed-identity',
      credential: machineIdentity(cloud, transport, env, clientId),
      description: clientId ? 'user-assigned managed identity (AZURE_CLIENT_ID)' : 'system-assigned managed identity',
    };
  }
  throw new CredentialSelectionError(`the requested credential "${options.prefer}" is not available`);
}

function machineIdentity(cloud: AzureCloud, transport: Transport, env: Env, clientId: string | undefined): TokenCredential {
  try {
    return managedIdentityCredential(cloud, transport, env, clientId);
  } catch (error) {
    if (error instanceof ManagedIdentityUnavailable) throw new CredentialSelectionError(`${error.message}. ${SERVICE_PRINCIPAL_HINT}`);
    throw error;
  }
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
