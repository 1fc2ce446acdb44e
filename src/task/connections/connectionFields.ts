/**
 * Reads one ARM service connection as the agent hands it to the task, through
 * azure-pipelines-tasks-azure-arm-rest's `AzureRMEndpoint.getEndpoint(false, true)`:
 * Microsoft's reading of the connection (schemes, defaults, Azure Stack metadata, the
 * certificate PEM). Only its fields are used; its token code is not (see
 * docs/decisions/003-task-credentials.md). For the schemes used here getEndpoint makes no
 * network call — it reads task-lib's vault and builds an object — except for an Azure Stack
 * Hub connection without its authority or ARM audience, whose stamp it asks for them
 * (`<ARM URL>metadata/endpoints`, the way every Microsoft task reads such a connection).
 *
 * Before it, the few things whose absence would make azure-arm-rest fail with a puzzling
 * message ("Cannot read properties of undefined") are checked, each with a message that
 * names the connection and says what to do.
 *
 * The same file holds the two ways connections are read without leaking: the authorization
 * read without echoing it, and task-lib's debug stream muted while a connection is read.
 */
import * as tl from 'azure-pipelines-task-lib/task';
import type { AzureEndpoint } from 'azure-pipelines-tasks-azure-arm-rest/azureModels';
import { oneLineError } from '../../azure';
import type { CloudFields } from './connectionCloud';
import { authKindOf, type CredentialFields } from './connectionCredential';
import { ConnectionError } from './connectionError';

/**
 * An endpoint's authorization (`ENDPOINT_AUTH_<id>`: scheme and parameters) read without ever
 * echoing it: task-lib logs only whether it exists, but on malformed JSON its error message
 * quotes the whole value — secrets included — so that error is replaced here.
 */
export type EndpointAuthorizationRead = { found: false } | { found: true; auth?: tl.EndpointAuthorization };

export function readEndpointAuthorization(id: string): EndpointAuthorizationRead {
  try {
    const auth = tl.getEndpointAuthorization(id, true);
    return auth === undefined ? { found: false } : { found: true, auth };
  } catch {
    // Present but unreadable: the caller decides; the value stays unsaid.
    return { found: true };
  }
}

/**
 * Reading a connection logs it: task-lib writes each endpoint value it returns to the debug
 * stream (`<id> data subscriptionid = …`), and azure-arm-rest's getEndpoint dumps the whole
 * endpoint object, secret included. The agent masks the secret, but not the subscription and
 * tenant ids, which this product never logs. So the debug stream is muted while a connection
 * is read. Both libraries call task-lib's `debug` through its exports object, which is why
 * replacing that one property is enough.
 */
interface TaskLibDebug {
  debug: (message: string) => void;
}

async function withDebugMuted<T>(read: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const taskLib = require('azure-pipelines-task-lib/task') as TaskLibDebug;
  const debug = taskLib.debug;
  taskLib.debug = () => undefined;
  try {
    return await read();
  } finally {
    taskLib.debug = debug;
  }
}

export interface ConnectionFields extends CredentialFields, CloudFields {
  subscriptionId: string;
  subscriptionName?: string;
}

type ArmEndpointModule = typeof import('azure-pipelines-tasks-azure-arm-rest/azure-arm-endpoint');
let armEndpointModule: ArmEndpointModule | undefined;

/**
 * azure-arm-endpoint computes its certificate path from Agent.TempDirectory when it loads
 * (and throws without it), so it is loaded on first use, after that variable was checked.
 */
function armEndpoint(): ArmEndpointModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  armEndpointModule ??= require('azure-pipelines-tasks-azure-arm-rest/azure-arm-endpoint') as ArmEndpointModule;
  return armEndpointModule;
}

/** Removes what getEndpoint wrote (the certificate PEM), if azure-arm-rest was ever used. */
export function disposeConnectionFiles(): void {
  armEndpointModule?.dispose();
}

export function readConnectionFields(connectionId: string, displayName: string): Promise<ConnectionFields> {
  return withDebugMuted(() => readFields(connectionId, displayName));
}

async function readFields(connectionId: string, displayName: string): Promise<ConnectionFields> {
  if (!tl.getVariable('Agent.TempDirectory')) throw new ConnectionError('AgentTempMissing', []);
  if (tl.getEndpointUrl(connectionId, true) === undefined && !readEndpointAuthorization(connectionId).found) {
    throw new ConnectionError('NotAvailable', [displayName]);
  }
  const scheme = tl.getEndpointAuthorizationScheme(connectionId, true);
  const authKind = authKindOf(scheme, tl.getEndpointAuthorizationParameter(connectionId, 'authenticationType', true));
  if (authKind === undefined) throw new ConnectionError('SchemeUnsupported', [displayName, scheme ?? '']);
  checkPresent(tl.getEndpointAuthorizationParameter(connectionId, 'tenantid', true), 'NoTenant', displayName);
  if (authKind !== 'managedIdentity') {
    checkPresent(tl.getEndpointAuthorizationParameter(connectionId, 'serviceprincipalid', true), 'NoClientId', displayName);
  }
  if (authKind === 'secret') {
    checkPresent(tl.getEndpointAuthorizationParameter(connectionId, 'serviceprincipalkey', true), 'NoSecret', displayName);
  }
  if (authKind === 'certificate') {
    checkPresent(tl.getEndpointAuthorizationParameter(connectionId, 'servicePrincipalCertificate', true), 'NoCertificate', displayName);
  }
  if (tl.getEndpointDataParameter(connectionId, 'EnableAdfsAuthentication', true)?.toLowerCase() === 'true') {
    throw new ConnectionError('AdfsUnsupported', [displayName]);
  }

  const endpoint = await getEndpoint(connectionId, displayName, authKind === 'certificate');
  const authority = endpoint.activeDirectoryAuthority ?? tl.getEndpointDataParameter(connectionId, 'activeDirectoryAuthority', true);
  // An Azure Stack Hub stamp's metadata may reveal AD FS only now (its login endpoint ends in /adfs).
  if (endpoint.isADFSEnabled === true || isAdfsAuthority(authority)) throw new ConnectionError('AdfsUnsupported', [displayName]);
  const subscriptionId = endpoint.subscriptionID?.trim();
  const scopeLevel = endpoint.scopeLevel?.trim().toLowerCase();
  if (!subscriptionId || (scopeLevel && scopeLevel !== 'subscription')) throw new ConnectionError('NotSubscriptionScoped', [displayName]);

  return {
    displayName,
    authKind,
    subscriptionId,
    ...optional('subscriptionName', endpoint.subscriptionName),
    tenantId: endpoint.tenantID,
    ...optional('clientId', endpoint.servicePrincipalClientID),
    ...optional('secret', authKind === 'secret' ? endpoint.servicePrincipalKey : undefined),
    ...optional('certificatePem', authKind === 'certificate' ? endpoint.servicePrincipalCertificate : undefined),
    ...optional('msiClientId', authKind === 'managedIdentity' ? endpoint.msiClientId : undefined),
    ...optional('environment', endpoint.environment),
    armUrl: endpoint.url,
    // The connection's own authority: Azure Stack's from its metadata, otherwise the data
    // field the MSAL path reads (whatever USE_MSAL says; the ADAL field is a legacy alias).
    ...optional('authority', authority),
    // azure-arm-rest's ARM audience: Azure Stack Hub's activeDirectoryServiceEndpointResourceId
    // (or its metadata's first audience); the ARM URL for every other cloud.
    ...optional('armAudience', endpoint.activeDirectoryResourceID),
  };
}

async function getEndpoint(connectionId: string, displayName: string, writesCertificate: boolean): Promise<AzureEndpoint> {
  const module = armEndpoint();
  try {
    return await new module.AzureRMEndpoint(connectionId).getEndpoint(false, true);
  } catch (error) {
    throw new ConnectionError('Unreadable', [displayName, oneLineError(error)]);
  } finally {
    // The PEM (certificate and private key) is kept in memory from here on: the file goes
    // at once, and a second certificate connection (same fixed file name) cannot clobber it.
    if (writesCertificate) module.dispose();
  }
}

/** AD FS authorities are `https://adfs.<stamp>/adfs/`: the path's last segment is `adfs`. */
function isAdfsAuthority(authority: string | undefined): boolean {
  if (authority === undefined) return false;
  try {
    return /\/adfs\/?$/i.test(new URL(authority.trim()).pathname);
  } catch {
    return false;
  }
}

function checkPresent(value: string | undefined, problem: 'NoTenant' | 'NoClientId' | 'NoSecret' | 'NoCertificate', displayName: string): void {
  if (value === undefined || value.trim() === '') throw new ConnectionError(problem, [displayName]);
}

/** `{key: value}` when the value is not blank (kept as given: a secret is never trimmed). */
function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value !== undefined && value.trim() !== '' ? ({ [key]: value } as Partial<Record<K, string>>) : {};
}
