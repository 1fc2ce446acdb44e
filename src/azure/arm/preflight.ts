/**
 * Checks made once both registries are resolved and before anything is written, turning
 * Azure's known dead ends for importImage into one clear sentence each instead of a failure
 * per import half an hour later:
 *
 * 1. A registry whose public network access is disabled (or limited to selected networks)
 *    and that does not let trusted Microsoft services through: importImage cannot reach it.
 *    Read from what ARM reported when the registry was located; no request.
 * 2. The target identity cannot import into the target: no
 *    `Microsoft.ContainerRegistry/registries/importImage/action` in ARM's permissions API.
 * 3. The target identity cannot read the source (the import runs as the target identity):
 *    ARM checks `Microsoft.ContainerRegistry/registries/read` on the linked source before it
 *    accepts the import (LinkedAuthorizationFailed otherwise; AcrPull alone is refused there,
 *    Azure/acr#237), so that action it is: Reader, Contributor, Owner or the Data Importer role.
 * 4. The source identity cannot use the source's data plane: the registry refuses its token
 *    exchange. This is the catalog sign-in the listing needs anyway (kept and reused), so it
 *    costs no extra round trip. A token granted without the catalog scope shows up at the
 *    first listing, whose error names AcrPull too (acrErrors.ts). A source in the
 *    attribute-based repository permission mode (ARM's `roleAssignmentMode`) does not honour
 *    AcrPull: the message names the roles that mode has for listing and reading instead. A
 *    registry that takes neither audience the identity can get (Entra has no registry audience
 *    of that name, the registry refuses ARM's) is not a missing role: its own error goes on.
 *
 * When the permissions API itself is refused or missing (403, 404, or another failure) the
 * check is skipped and said so in the report: it must never be what stops a run. Messages
 * name registries and roles, never ids.
 */
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { allowsAction, readPermissions, type PermissionsAnswer } from './armPermissions';
import type { AcrClient } from '../dataplane/acrClient';
import { AcrRequestError } from '../dataplane/acrErrors';
import { AcrAuthenticationError } from '../dataplane/acrTokens';
import { isAbacMode, type RegistryRef, type RegistrySide } from '../registryRef';

export const IMPORT_ACTION = 'Microsoft.ContainerRegistry/registries/importImage/action';
/** What ARM checks on the source before it accepts an import (the linked scope's 'read'). */
export const SOURCE_READ_ACTION = 'Microsoft.ContainerRegistry/registries/read';

/** Keys for localised messages (the task's strings); `args` fill `%s` in order. */
export type PreflightErrorKey =
  | 'PreflightNetworkClosed'
  | 'PreflightCannotImport'
  | 'PreflightCannotReadSource'
  | 'PreflightCannotListSource'
  | 'PreflightCannotListSourceAbac'
  | 'PreflightCrossTenantClosed';

const MESSAGES: Record<PreflightErrorKey, (args: readonly string[]) => string> = {
  // args: source registry name
  PreflightCrossTenantClosed: ([source]) =>
    `registry ${source} is in another tenant than the target and its public network access is disabled or limited; ` +
    'importImage cannot copy across tenants from such a registry (Azure does not support it over private endpoints)',
  // args: registry name, side
  PreflightNetworkClosed: ([name]) =>
    `registry ${name} does not allow trusted Microsoft services; importImage needs 'Allow trusted Microsoft services' ` +
    'when public network access is disabled or limited to selected networks',
  // args: target registry name
  PreflightCannotImport: ([target]) =>
    `the target identity cannot import into ${target}: give it Contributor, or Container Registry Data Importer and Data Reader, on the registry`,
  // args: source registry name, target registry name
  PreflightCannotReadSource: ([source, target]) =>
    `the target identity cannot read the source registry ${source}; importImage into ${target} runs as that identity, ` +
    'which needs Reader (or Container Registry Data Importer and Data Reader) on the source registry',
  // args: source registry name, the registry's answer (status and code)
  PreflightCannotListSource: ([source, answer]) =>
    `the source identity cannot read the source registry ${source} (${answer}): give it AcrPull (or Reader) on the registry`,
  // args: source registry name, the registry's answer (status and code)
  PreflightCannotListSourceAbac: ([source, answer]) =>
    `the source identity cannot read the source registry ${source} (${answer}): the registry uses attribute-based repository permissions, ` +
    'where AcrPull is not honoured; give the identity Container Registry Repository Catalog Lister and Container Registry Repository Reader on the registry',
};

export class PreflightError extends Error {
  constructor(
    readonly key: PreflightErrorKey,
    readonly args: readonly string[],
  ) {
    super(preflightMessage(key, args));
    this.name = 'PreflightError';
  }
}

/** The English message for a key and its arguments (the command line's text). */
export function preflightMessage(key: PreflightErrorKey, args: readonly string[]): string {
  return MESSAGES[key](args);
}

export type PreflightCheck = 'targetImport' | 'sourceRead';

/** A check that could not be made; `message` is one line for the log, without ids. */
export interface PreflightSkip {
  check: PreflightCheck;
  message: string;
}

export interface PreflightReport {
  skipped: PreflightSkip[];
}

export interface PreflightInputs {
  /** Absent for a source named by its address (not an ACR reached through ARM): only the target is checked. */
  source?: RegistryRef;
  target: RegistryRef;
  /** An ARM client signed in as the target identity (the one importImage runs as). */
  targetArm: ContainerRegistryManagementClient;
  armEndpoint: string;
  /**
   * The source is in another tenant: importImage reads it with the source identity's token, so
   * the target identity needs no read on it, and the source must be reachable without private
   * networking (Azure's limit for cross-tenant import).
   */
  crossTenant?: boolean;
  /** The source's data-plane client, signed in as the source identity (with `source`). */
  sourceData?: AcrClient;
  /** The target's data-plane client: its token exchange is started once the registries can be reached. */
  targetData?: AcrClient;
  signal?: AbortSignal;
}

/** Runs every check (concurrently); throws the first dead end found as a PreflightError. */
export async function runPreflight(inputs: PreflightInputs): Promise<PreflightReport> {
  const { source, target, targetArm, armEndpoint, signal } = inputs;
  const sides: [RegistryRef, RegistrySide][] = [[target, 'target'], ...(source !== undefined ? [[source, 'source'] as [RegistryRef, RegistrySide]] : [])];
  for (const [ref, side] of sides) {
    if (closedToTrustedServices(ref)) throw new PreflightError('PreflightNetworkClosed', [ref.name, side]);
  }
  if (source !== undefined && inputs.crossTenant === true && restrictedNetwork(source)) throw new PreflightError('PreflightCrossTenantClosed', [source.name]);
  // The source's sign-in started first: the run's next steps (catalog token, catalog) wait on
  // it, the permission answers only by the time it is done. Its Entra token is at hand (asked
  // ahead), so its exchange leaves ahead of the permission reads started after it.
  const sourceSignIn = inputs.sourceData !== undefined ? signInFailure(inputs.sourceData, signal) : undefined;
  // Not a check: the target's registry token exchange, started beside the permission reads so
  // that its first listing waits for an access token only (decision 018). Never fails here.
  inputs.targetData?.exchangeAhead();

  const [onTarget, onSource, signIn] = await Promise.all([
    readPermissions(targetArm, armEndpoint, target.id, signal),
    source !== undefined && inputs.crossTenant !== true ? readPermissions(targetArm, armEndpoint, source.id, signal) : undefined,
    sourceSignIn,
  ]);
  const skipped: PreflightSkip[] = [];
  const known = (answer: PermissionsAnswer, check: PreflightCheck, what: string): answer is Extract<PermissionsAnswer, { known: true }> => {
    if (answer.known) return true;
    skipped.push({ check, message: `could not check ${what}: ${answer.reason}; the check was skipped` });
    return false;
  };

  if (known(onTarget, 'targetImport', `whether the target identity may import into ${target.name}`)) {
    if (!allowsAction(onTarget.permissions, IMPORT_ACTION)) throw new PreflightError('PreflightCannotImport', [target.name]);
  }
  if (source !== undefined && inputs.sourceData !== undefined && onSource === undefined) {
    if (signIn !== undefined) throw new PreflightError(isAbacMode(source) ? 'PreflightCannotListSourceAbac' : 'PreflightCannotListSource', [source.name, signIn]);
    return { skipped };
  }
  if (source === undefined || onSource === undefined) return { skipped };
  if (known(onSource, 'sourceRead', `whether the target identity may read ${source.name}`)) {
    if (!allowsAction(onSource.permissions, SOURCE_READ_ACTION)) throw new PreflightError('PreflightCannotReadSource', [source.name, target.name]);
  }
  if (signIn !== undefined) throw new PreflightError(isAbacMode(source) ? 'PreflightCannotListSourceAbac' : 'PreflightCannotListSource', [source.name, signIn]);
  return { skipped };
}

/**
 * Public access disabled, or a firewall that denies by default, without the trusted-services
 * bypass. A bypass ARM did not report is taken as Azure's default (AzureServices).
 */
export function closedToTrustedServices(ref: RegistryRef): boolean {
  const restricted = restrictedNetwork(ref);
  const bypass = ref.networkRuleBypassOptions;
  return restricted && bypass !== undefined && bypass.toLowerCase() !== 'azureservices';
}

/** Public network access disabled, or a firewall that denies by default. */
function restrictedNetwork(ref: RegistryRef): boolean {
  return ref.publicNetworkAccess?.toLowerCase() === 'disabled' || ref.networkDefaultAction?.toLowerCase() === 'deny';
}

/** The registry's refusal (`HTTP 401 UNAUTHORIZED`) when it refuses the identity; other failures are thrown. */
async function signInFailure(client: AcrClient, signal: AbortSignal | undefined): Promise<string | undefined> {
  try {
    await client.signIn(signal);
    return undefined;
  } catch (error) {
    // An audience the registry does not take is not a missing role: its own message says what to set.
    if (error instanceof AcrAuthenticationError && error.noUsableAudience) throw error;
    const status = error instanceof AcrAuthenticationError || error instanceof AcrRequestError ? error.status : undefined;
    if (status !== 401 && status !== 403) throw error;
    const code = (error as AcrAuthenticationError | AcrRequestError).code;
    return `the registry answered HTTP ${status}${code ? ` ${code}` : ''}`;
  }
}
