/**
 * Why a service connection cannot be used, in one line a pipeline user can act on: which
 * connection (by its display name), what is wrong and what to do — never an id, a secret or a
 * token. `key` and `args` let the task localise it (task.json `messages` hold
 * `Connection_<key>`); `message` is the English text of the same line.
 */
import { format } from 'node:util';

/** English texts, `%s` placeholders as tl.loc fills them. The task copies these into task.json. */
export const CONNECTION_MESSAGES = {
  Connection_NotAvailable: "The %s service connection is not available to this job. Check that the input names an Azure Resource Manager service connection this pipeline is allowed to use.",
  Connection_SchemeUnsupported: "The %s service connection uses the authentication scheme '%s', which this task does not support. Use a service principal (secret or certificate), a managed identity or workload identity federation.",
  Connection_AdfsUnsupported: "The %s service connection signs in through AD FS (an Azure Stack Hub without Microsoft Entra ID), which this task does not support. Use a connection to a cloud or Azure Stack Hub that signs in with Microsoft Entra ID.",
  Connection_NotSubscriptionScoped: "The %s service connection is not scoped to a subscription. Use a subscription-scoped Azure Resource Manager connection.",
  Connection_NoTenant: "The %s service connection has no tenant id.",
  Connection_NoClientId: "The %s service connection has no service principal (client) id.",
  Connection_NoSecret: "The %s service connection has no client secret. Edit the connection and set its secret, or use workload identity federation.",
  Connection_NoCertificate: "The %s service connection has no certificate.",
  Connection_BadArmUrl: "The %s service connection has no valid Azure Resource Manager URL.",
  Connection_Unreadable: "The %s service connection could not be read: %s",
  Connection_AgentTempMissing: "Agent.TempDirectory is not set. This task must run on an Azure Pipelines agent.",
  Connection_OidcUnavailable: "The %s service connection uses workload identity federation, but the job offers no ID token endpoint (System.OidcRequestUri) or no job access token. Use an agent of version 3.x or later and do not disable the job's OAuth token.",
  Connection_IdTokenRefused: "Azure DevOps did not issue an ID token for the %s service connection: %s",
  Connection_ManagedIdentityCustomCloud: "The %s service connection uses a managed identity, but its authority %s is not one of Azure's; only the agent machine's own identity endpoint (IDENTITY_ENDPOINT) may serve it there.",
  Connection_TokenFailed: "The %s service connection could not get a token: %s",
  Connection_RegistryNotAvailable: "The source registry service connection is not available to this job. Check that Source registry connection (sourceRegistryConnection) names a Docker Registry service connection this pipeline is allowed to use.",
  Connection_RegistryUrlInvalid: "The source registry service connection's registry URL \"%s\" names no registry host: %s",
  Connection_RegistrySchemeUnsupported: "The source registry service connection uses the authentication scheme '%s', which this task cannot pass to importImage. Use a Docker Registry connection of type Others or Docker Hub with a user name and password (or token), or an Azure Container Registry connection with a service principal secret.",
} as const;

export type ConnectionMessageKey = keyof typeof CONNECTION_MESSAGES;
export type ConnectionProblem = ConnectionMessageKey extends `Connection_${infer K}` ? K : never;

export class ConnectionError extends Error {
  constructor(
    readonly key: ConnectionProblem,
    readonly args: readonly string[],
  ) {
    super(format(CONNECTION_MESSAGES[`Connection_${key}`], ...args));
    this.name = 'ConnectionError';
  }

  /** The task.json message key (`Connection_<key>`). */
  get messageKey(): ConnectionMessageKey {
    return `Connection_${this.key}`;
  }
}

/** A ConnectionError anywhere in an error's cause chain (SDKs wrap what a callback threw). */
export function connectionErrorIn(error: unknown): ConnectionError | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    if (current instanceof ConnectionError) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
