/**
 * Service connections → credentials. Each of the task's two Azure Resource Manager
 * connections is read through azure-arm-rest (connectionFields.ts) and turned into an
 * @azure/identity credential for its scheme (connectionCredential.ts) in its own cloud
 * (connectionCloud.ts), wrapped so every token is masked in the log (maskedCredential.ts).
 * Why not azure-arm-rest's own token code: docs/decisions/003-task-credentials.md.
 */
import type { TokenCredential } from '@azure/core-auth';
import * as tl from 'azure-pipelines-task-lib/task';
import type { AzureCloud, Transport } from '../../azure';
import { connectionCloud } from './connectionCloud';
import { connectionCredential, type AuthKind } from './connectionCredential';
import { ConnectionError } from './connectionError';
import { disposeConnectionFiles, readConnectionFields, type ConnectionFields } from './connectionFields';
import { MaskedCredential } from './maskedCredential';
import { pipelineOidcSettings } from './pipelineContext';
import { PipelineIdTokenSource } from './pipelineIdToken';

export type { AuthKind } from './connectionCredential';
export { CONNECTION_MESSAGES, ConnectionError, connectionErrorIn, type ConnectionMessageKey, type ConnectionProblem } from './connectionError';

export interface ResolvedConnection {
  /**
   * How messages name the connection. The agent does not pass a connection's name to tasks,
   * so this is the side it serves ("source"/"target"), never an id.
   */
  displayName: string;
  authKind: AuthKind;
  subscriptionId: string;
  /** The subscription's display name, when the connection carries it (for messages). */
  subscriptionName?: string;
  tenantId: string;
  cloud: AzureCloud;
  /** Honours the scopes asked for; masks every token it returns with tl.setSecret. */
  credential: TokenCredential;
}

export interface ResolveOptions {
  transport: Transport;
  /** The registries' Entra audience, when the task's input overrides the cloud's. */
  acrAudience?: string;
  /** The DNS domain registry addresses must be under, when the task's input overrides the cloud's. */
  registryDomain?: string;
  /** Which side the connection serves, for messages. */
  side?: 'source' | 'target';
}

/** What a connection id resolved to; both sides share it when they use the same connection. */
interface Resolved {
  fields: ConnectionFields;
  inner: TokenCredential;
  idTokens?: PipelineIdTokenSource;
}
const resolved = new Map<string, Promise<Resolved>>();

const maskSecret = (secret: string): void => tl.setSecret(secret);

export async function resolveConnection(connectionId: string, options: ResolveOptions): Promise<ResolvedConnection> {
  const displayName = options.side ?? 'Azure Resource Manager';
  let pending = resolved.get(connectionId);
  if (!pending) {
    pending = resolve(connectionId, displayName, options.transport);
    resolved.set(connectionId, pending);
    // A failure is not remembered: the caller reports it and stops.
    pending.catch(() => resolved.delete(connectionId));
  }
  const { fields, inner, idTokens } = await pending;
  return {
    displayName,
    authKind: fields.authKind,
    subscriptionId: fields.subscriptionId,
    ...(fields.subscriptionName ? { subscriptionName: fields.subscriptionName } : {}),
    tenantId: fields.tenantId,
    cloud: connectionCloud({ ...fields, displayName }, options.acrAudience, options.registryDomain),
    credential: new MaskedCredential(inner, {
      displayName,
      mask: maskSecret,
      ...(idTokens ? { lastCallbackFailure: () => idTokens.lastFailure() } : {}),
    }),
  };
}

async function resolve(connectionId: string, displayName: string, transport: Transport): Promise<Resolved> {
  const fields = await readConnectionFields(connectionId, displayName);
  // The credential needs only the authority; the audience is the caller's per scope.
  const cloud = connectionCloud(fields);
  const idTokens = fields.authKind === 'workloadIdentity' ? pipelineIdTokens(connectionId, displayName, transport) : undefined;
  const inner = connectionCredential(fields, { cloud, transport, env: process.env, ...(idTokens ? { idToken: () => idTokens.idToken() } : {}) });
  return { fields, inner, ...(idTokens ? { idTokens } : {}) };
}

/** Checked at resolution, so a job that cannot federate fails before any request is made. */
function pipelineIdTokens(connectionId: string, displayName: string, transport: Transport): PipelineIdTokenSource {
  const settings = pipelineOidcSettings();
  if (!settings) throw new ConnectionError('OidcUnavailable', [displayName]);
  return new PipelineIdTokenSource({ settings, connectionId, displayName, transport, mask: maskSecret });
}

/** Removes files a connection wrote (the certificate PEM). Safe to call more than once. */
export function disposeConnections(): void {
  disposeConnectionFiles();
  resolved.clear();
}
