/**
 * What an identity may do on a scope, from ARM's permissions API
 * (`GET {scope}/providers/Microsoft.Authorization/permissions`): one entry per role the
 * identity holds there, each with `actions` / `notActions` (management plane) and
 * `dataActions` / `notDataActions` (data plane), wildcards allowed (`*`, `*\/read`,
 * `Microsoft.ContainerRegistry/*`). Any signed-in identity may call it for itself.
 *
 * The request goes through an ARM client's pipeline (its credential, retries, pacing and
 * counting). A refusal or an error of the API itself is an answer of its own kind, never an
 * exception: a check that cannot be made is skipped, it does not stop a run.
 */
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, type HttpClient } from '@azure/core-rest-pipeline';
import { parseBody } from '../dataplane/acrErrors';
import { describeArmError } from '../http/serviceErrorCapture';

export const PERMISSIONS_API_VERSION = '2022-04-01';

export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export type PermissionsAnswer =
  | { readonly known: true; readonly permissions: readonly Permission[] }
  /** The API refused, was missing or failed: `status` when it answered, `reason` one safe line. */
  | { readonly known: false; readonly status?: number; readonly reason: string };

/** Pages followed at most (an identity has one entry per role assignment). */
const MAX_PAGES = 20;

let sharedHttpClient: HttpClient | undefined;

export async function readPermissions(
  client: ContainerRegistryManagementClient,
  armEndpoint: string,
  scope: string,
  signal?: AbortSignal,
): Promise<PermissionsAnswer> {
  const httpClient = (sharedHttpClient ??= createDefaultHttpClient());
  const permissions: Permission[] = [];
  let url: string | undefined =
    `${armEndpoint.replace(/\/+$/, '')}${scope}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API_VERSION}`;
  for (let page = 0; url !== undefined && page < MAX_PAGES; page++) {
    const request = createPipelineRequest({
      url,
      method: 'GET',
      headers: createHttpHeaders({ Accept: 'application/json' }),
      ...(signal ? { abortSignal: signal } : {}),
    });
    let status: number;
    let body: unknown;
    try {
      const response = await client.pipeline.sendRequest(httpClient, request);
      status = response.status;
      body = parseBody(response.bodyAsText);
      if (status !== 200) {
        const described = describeArmError({ statusCode: status, request, message: `HTTP ${status}` });
        return { known: false, status, reason: `the permissions API answered HTTP ${status}${described.code ? ` (${described.code})` : ''}` };
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      return { known: false, reason: `the permissions API could not be reached: ${describeArmError(error).message}` };
    }
    const value = (body as { value?: unknown } | undefined)?.value;
    if (!Array.isArray(value)) return { known: false, status, reason: 'the permissions API answered without a list of permissions' };
    for (const item of value) permissions.push(toPermission(item));
    url = sameOrigin((body as { nextLink?: unknown }).nextLink, armEndpoint);
  }
  return { known: true, permissions };
}

/** Whether the permissions allow a management action (`Microsoft.X/y/action`). */
export function allowsAction(permissions: readonly Permission[], action: string): boolean {
  return permissions.some((p) => p.actions.some((a) => matches(a, action)) && !p.notActions.some((n) => matches(n, action)));
}

/** Whether the permissions allow a data action (`Microsoft.ContainerRegistry/registries/repositories/content/read`). */
export function allowsDataAction(permissions: readonly Permission[], action: string): boolean {
  return permissions.some((p) => p.dataActions.some((a) => matches(a, action)) && !p.notDataActions.some((n) => matches(n, action)));
}

/** An action pattern as Azure RBAC reads it: case-insensitive, `*` standing for any run of characters. */
export function matches(pattern: string, action: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(action);
}

function toPermission(item: unknown): Permission {
  const entry = (item ?? {}) as Record<string, unknown>;
  const strings = (key: string): string[] =>
    Array.isArray(entry[key]) ? (entry[key] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  return { actions: strings('actions'), notActions: strings('notActions'), dataActions: strings('dataActions'), notDataActions: strings('notDataActions') };
}

/** A next link on the ARM endpoint itself (the ARM token is never sent anywhere else). */
function sameOrigin(link: unknown, armEndpoint: string): string | undefined {
  if (typeof link !== 'string' || link === '') return undefined;
  try {
    const url = new URL(link, armEndpoint);
    return url.origin === new URL(armEndpoint).origin ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
