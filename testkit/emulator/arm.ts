/**
 * Azure Resource Manager for Microsoft.ContainerRegistry: list registries (per subscription
 * or resource group, paged by nextLink), get one, importImage with its long-running
 * operation, and the caller's permissions at a scope (Microsoft.Authorization/permissions).
 * The subscriptions and the cloud's metadata are in subscriptions.ts.
 *
 * Every route starts the same way (`metered`): api-version present, the path's names valid
 * (armNames.ts), the api-version one ARM knows for the route (armVersions.ts), token,
 * subscription and tenant, then one token from the subscription's bucket — writes for
 * importImage, reads for every GET (LRO polls included). RBAC is roles.ts: a registry the
 * caller may not read (`Microsoft.ContainerRegistry/registries/read`) is a 403 on GET and
 * absent from every list. The answer carries what is left in
 * `x-ms-ratelimit-remaining-subscription-writes` / `-reads`; an empty bucket answers 429
 * SubscriptionRequestsThrottled with Retry-After before anything else is looked at.
 *
 * Where import checks happen:
 * - on the POST (synchronous 4xx, no operation): authentication, subscription and tenant,
 *   import permission on the target (403 AuthorizationFailed), target existence (404),
 *   a malformed body (400), read permission (`…/registries/read`) on a `source.resourceId`
 *   (403 LinkedAuthorizationFailed — ARM checks linked scopes up front; AcrPull alone is
 *   refused there, Azure/acr#237);
 * - when the operation starts and again when it lands, on its own clock (operation Failed):
 *   everything about the source registry and content and the target tags (see importImage.ts
 *   and operations.ts).
 */
import type { RequestContext, Reply, Route, ServiceSpec } from './http';
import { jsonReply } from './http';
import {
  armAudiences,
  armCommonHeaders,
  armError,
  authenticateArm,
  authorizationFailed,
  checkSubscription,
  isReply,
  linkedAuthorizationFailed,
  type ArmAuthDeps,
  type ArmCaller,
} from './armAuth';
import { invalidNames } from './armNames';
import { CONTAINER_REGISTRY_VERSIONS, PERMISSIONS_VERSIONS, unsupportedApiVersion, type VersionedType } from './armVersions';
import { loggableImportBody, parseImportParameters, type EntraSourceIdentity } from './importImage';
import type { ImportOperations } from './operations';
import { ACTION, allowsAction, permissionsAt } from './roles';
import { registryResourceId, type RegistryState } from './state';
import type { RequestBudget } from './throttling';
import type { SubscriptionState } from './state';
import { audiences, sameResource, stringClaim } from './tokens';

export interface ArmDeps extends ArmAuthDeps {
  pageSize(): number;
  operations: ImportOperations;
  /** ARM's write budget per subscription (importImage POSTs; see throttling.ts). */
  writeBudget: RequestBudget;
  /** ARM's read budget per subscription (every GET, polls included). */
  readBudget: RequestBudget;
}

/** A registry as Registries_Get answers it (shape of the 2025-11-01 RegistryGet example). */
export function registryBody(r: RegistryState): Record<string, unknown> {
  return {
    id: r.resourceId,
    name: r.name,
    type: 'Microsoft.ContainerRegistry/registries',
    location: r.location,
    tags: {},
    sku: { name: r.sku, tier: r.sku },
    properties: {
      loginServer: r.loginServer,
      creationDate: azureTimestamp(r.creationDate),
      provisioningState: 'Succeeded',
      adminUserEnabled: false,
      networkRuleSet: { defaultAction: r.publicNetworkAccess === 'Enabled' ? 'Allow' : 'Deny', ipRules: [] },
      policies: {
        quarantinePolicy: { status: 'disabled' },
        trustPolicy: { type: 'Notary', status: 'disabled' },
        retentionPolicy: { days: 7, lastUpdatedTime: new Date(r.creationDate).toISOString().replace('Z', '+00:00'), status: 'disabled' },
        exportPolicy: { status: 'enabled' },
        azureADAuthenticationAsArmPolicy: { status: r.aadAuthAsArmPolicy },
      },
      encryption: { status: 'disabled' },
      status: null,
      dataEndpointEnabled: false,
      dataEndpointHostNames: [],
      privateEndpointConnections: [],
      publicNetworkAccess: r.publicNetworkAccess,
      networkRuleBypassOptions: r.networkRuleBypassOptions,
      networkRuleBypassAllowedForTasks: false,
      zoneRedundancy: 'Disabled',
      anonymousPullEnabled: r.anonymousPullEnabled,
      roleAssignmentMode: r.roleAssignmentMode,
    },
  };
}

/** Azure's timestamp form: ISO 8601 with seven fractional digits. */
let stampMinute = Number.NaN;
let stampPrefix = '';

export function azureTimestamp(ms: number): string {
  // A listing of everything formats hundreds of thousands of times from a few minutes of the
  // emulator's life: the 'YYYY-MM-DDTHH:MM:' part is made once per minute, the rest by hand.
  const minute = Math.floor(ms / 60000);
  if (minute !== stampMinute) {
    stampMinute = minute;
    stampPrefix = new Date(minute * 60000).toISOString().slice(0, 17);
  }
  const rest = ms - minute * 60000;
  const seconds = Math.floor(rest / 1000);
  const millis = Math.floor(rest % 1000);
  return `${stampPrefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}0000Z`;
}

export const segment = (ctx: RequestContext, i: number): string => decodeURIComponent(ctx.params[i] ?? '');

export interface Admitted {
  caller: ArmCaller;
  subscription: SubscriptionState;
  apiVersion: string;
}

/**
 * What a route's path holds, for the checks before authentication: which capture is the
 * resource group and which the registry, and whose api-versions apply.
 */
export interface RouteShape {
  resourceGroup?: number;
  registry?: number;
  versions: 'resources' | { type: string; versions: readonly string[] };
}

/** The location ARM names in NoRegisteredProviderFound: the registry's, else the subscription's first. */
function locationFor(deps: ArmAuthDeps, subscriptionId: string, registryName?: string): string {
  const inSubscription = deps.state.registries.filter((r) => r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase());
  const named = registryName === undefined ? undefined : inSubscription.find((r) => r.name.toLowerCase() === registryName.toLowerCase());
  return (named ?? inSubscription[0])?.location ?? 'westus';
}

/** The steps before authentication: api-version present, names valid, api-version known. */
export function checkRequest(ctx: RequestContext, deps: ArmAuthDeps, shape: RouteShape): { apiVersion: string } | Reply {
  const apiVersion = ctx.url.searchParams.get('api-version');
  if (!apiVersion) {
    return armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  const subscriptionId = segment(ctx, 0);
  const resourceGroup = shape.resourceGroup === undefined || !ctx.params[shape.resourceGroup] ? undefined : segment(ctx, shape.resourceGroup);
  const registry = shape.registry === undefined || !ctx.params[shape.registry] ? undefined : segment(ctx, shape.registry);
  const invalid = invalidNames({ subscriptionId, resourceGroup, registry });
  if (invalid) return invalid;
  const versioned: VersionedType =
    shape.versions === 'resources' ? { kind: 'resources' } : { kind: 'provider', ...shape.versions, location: locationFor(deps, subscriptionId, registry) };
  return unsupportedApiVersion(apiVersion, versioned) ?? { apiVersion };
}

/** The steps every ARM route starts with: the request's checks, token, subscription and tenant. */
function admit(ctx: RequestContext, deps: ArmDeps, shape: RouteShape): Admitted | Reply {
  const checked = checkRequest(ctx, deps, shape);
  if (isReply(checked)) return checked;
  const caller = authenticateArm(ctx, deps);
  if (isReply(caller)) return caller;
  const subscription = checkSubscription(caller, segment(ctx, 0), deps);
  if (isReply(subscription)) return subscription;
  return { caller, subscription, apiVersion: checked.apiVersion };
}

export type Bucket = 'writes' | 'reads';

/** The ARM action a throttled request stood for, as ARM names it in the 429 message. */
const THROTTLED_ACTION: Partial<Record<string, string>> = {
  'arm.importImage': ACTION.import,
  'arm.importImage.poll': 'Microsoft.ContainerRegistry/locations/operationResults/read',
  'arm.registries.list': ACTION.read,
  'arm.registries.get': ACTION.read,
  'arm.subscriptions': 'Microsoft.Resources/subscriptions/read',
  'arm.resources.list': 'Microsoft.Resources/subscriptions/resources/read',
  'arm.permissions': 'Microsoft.Authorization/permissions/read',
};

/** ARM's answer when a subscription's token bucket is empty. */
export function subscriptionThrottled(bucket: Bucket, subscriptionId: string, route: string, retryAfterSeconds: number): Reply {
  const kind = bucket === 'writes' ? 'write' : 'read';
  return armError(
    429,
    'SubscriptionRequestsThrottled',
    `Number of '${kind}' requests for subscription '${subscriptionId}' actions '${THROTTLED_ACTION[route] ?? ACTION.read}' exceeded. Please try again after '${retryAfterSeconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/**
 * Admission, then one token of the subscription's `bucket`; the answer carries the bucket's
 * remainder. `prelude` runs first whatever happens (importImage logs its body there).
 */
export function metered(
  deps: ArmDeps,
  shape: RouteShape,
  bucket: Bucket,
  handler: (ctx: RequestContext, admitted: Admitted) => Reply | Promise<Reply>,
  prelude?: (ctx: RequestContext) => void,
) {
  return async (ctx: RequestContext): Promise<Reply> => {
    prelude?.(ctx);
    const admitted = admit(ctx, deps, shape);
    let reply: Reply;
    if (isReply(admitted)) {
      reply = admitted;
    } else {
      const decision = (bucket === 'writes' ? deps.writeBudget : deps.readBudget).take(admitted.subscription.id);
      reply = decision.allowed
        ? await handler(ctx, admitted)
        : subscriptionThrottled(bucket, admitted.subscription.id, ctx.route, decision.retryAfterSeconds ?? 1);
      reply.headers = { ...reply.headers, [`x-ms-ratelimit-remaining-subscription-${bucket}`]: String(decision.remaining) };
    }
    // An import fault is for an import that starts (always answered 202); a refused POST gives it back.
    if (reply.status !== 202) ctx.refundImportFault();
    return reply;
  };
}

function skipTokenOf(query: URLSearchParams): string | undefined {
  for (const [k, v] of query) if (k.toLowerCase() === '$skiptoken') return v;
  return undefined;
}

function listRegistries(deps: ArmDeps, byResourceGroup: boolean) {
  return (ctx: RequestContext, { caller, subscription, apiVersion }: Admitted): Reply => {
    const resourceGroup = byResourceGroup ? segment(ctx, 1).toLowerCase() : undefined;
    const visible = deps.state.registries.filter(
      (r) =>
        r.subscriptionId.toLowerCase() === subscription.id.toLowerCase() &&
        (resourceGroup === undefined || r.resourceGroup.toLowerCase() === resourceGroup) &&
        allowsAction(caller.principal, r.resourceId, ACTION.read),
    );
    const token = skipTokenOf(ctx.url.searchParams);
    let offset = 0;
    if (token !== undefined) {
      const decoded = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/, ''));
      if (!Number.isInteger(decoded) || decoded < 0) return armError(400, 'InvalidSkipToken', `The skip token '${token}' is not valid.`);
      offset = decoded;
    }
    const size = Math.max(1, deps.pageSize());
    const page = visible.slice(offset, offset + size);
    const body: Record<string, unknown> = { value: page.map(registryBody) };
    if (offset + size < visible.length) {
      const next = Buffer.from(`offset:${offset + size}`, 'utf8').toString('base64url');
      body.nextLink = `${deps.armEndpoint()}${ctx.path}?api-version=${encodeURIComponent(apiVersion)}&$skipToken=${next}`;
    }
    return jsonReply(200, body);
  };
}

/**
 * The generic resources list az uses to find a registry's resource group
 * (`$filter=resourceType eq 'Microsoft.ContainerRegistry/registries'`). Only registries
 * exist in the emulator; any other type filter gives an empty list. Like every list, it holds
 * only what the caller may read.
 */
function listResources(deps: ArmDeps) {
  return (ctx: RequestContext, { caller, subscription }: Admitted): Reply => {
    const filter = ctx.url.searchParams.get('$filter') ?? '';
    const type = /resourceType\s+eq\s+'([^']+)'/i.exec(filter)?.[1];
    const wanted = type === undefined || type.toLowerCase() === 'microsoft.containerregistry/registries';
    const value = wanted
      ? deps.state.registries
          .filter((r) => r.subscriptionId.toLowerCase() === subscription.id.toLowerCase() && allowsAction(caller.principal, r.resourceId, ACTION.read))
          .map((r) => ({ id: r.resourceId, name: r.name, type: 'Microsoft.ContainerRegistry/registries', sku: { name: r.sku, tier: r.sku }, location: r.location, tags: {} }))
      : [];
    return jsonReply(200, { value });
  };
}

/** ARM's 404 for a resource group the subscription lacks (a group exists when a registry is in it). */
function missingResourceGroup(deps: ArmDeps, subscriptionId: string, resourceGroup: string): Reply | undefined {
  const groupExists = deps.state.registries.some(
    (r) => r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() && r.resourceGroup.toLowerCase() === resourceGroup.toLowerCase(),
  );
  return groupExists ? undefined : armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
}

function registryNotFound(deps: ArmDeps, subscriptionId: string, resourceGroup: string, name: string): Reply {
  return missingResourceGroup(deps, subscriptionId, resourceGroup) ?? armError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.ContainerRegistry/registries/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

function findRegistry(deps: ArmDeps, subscriptionId: string, resourceGroup: string, name: string): RegistryState | undefined {
  return deps.state.registryById(registryResourceId(subscriptionId, resourceGroup, name));
}

function getRegistry(deps: ArmDeps) {
  return (ctx: RequestContext, { caller, subscription }: Admitted): Reply => {
    const [resourceGroup, name] = [segment(ctx, 1), segment(ctx, 2)];
    const id = registryResourceId(subscription.id, resourceGroup, name);
    // RBAC comes before existence: without access, a missing registry is a 403 too.
    if (!allowsAction(caller.principal, id, ACTION.read)) return authorizationFailed(caller, ACTION.read, id);
    const registry = findRegistry(deps, subscription.id, resourceGroup, name);
    if (!registry) return registryNotFound(deps, subscription.id, resourceGroup, name);
    return jsonReply(200, registryBody(registry));
  };
}

/** Logs the import body (source credentials redacted) even when the POST is refused. */
function logImportBody(ctx: RequestContext): void {
  ctx.logBody(loggableImportBody(ctx.body));
}

/**
 * A password that is a valid Entra access token for ARM (what `az account get-access-token`
 * prints, as Azure's cross-tenant import docs use it): the identity it signs in as, in its own tenant.
 */
function entraIdentityOf(deps: ArmDeps, password: string | undefined): EntraSourceIdentity | undefined {
  if (password === undefined) return undefined;
  const check = deps.signer.check(password);
  if (!check.ok) return undefined;
  const accepted = armAudiences(deps.armEndpoint(), deps.extraArmAudiences);
  if (!audiences(check.claims).some((a) => accepted.some((b) => sameResource(a, b)))) return undefined;
  const tenantId = stringClaim(check.claims, 'tid');
  const clientId = stringClaim(check.claims, 'appid') ?? stringClaim(check.claims, 'azp');
  return tenantId && clientId ? { tenantId, clientId } : undefined;
}

function importImage(deps: ArmDeps) {
  return (ctx: RequestContext, { caller, subscription, apiVersion }: Admitted): Reply | Promise<Reply> => {
    let body: unknown;
    let parseError: string | undefined;
    try {
      body = JSON.parse(ctx.body.toString('utf8'));
    } catch (e) {
      parseError = (e as Error).message;
    }
    const [resourceGroup, name] = [segment(ctx, 1), segment(ctx, 2)];
    const targetId = registryResourceId(subscription.id, resourceGroup, name);
    if (!allowsAction(caller.principal, targetId, ACTION.import)) return authorizationFailed(caller, ACTION.import, targetId);
    const target = findRegistry(deps, subscription.id, resourceGroup, name);
    if (!target) return registryNotFound(deps, subscription.id, resourceGroup, name);
    if (parseError !== undefined) {
      return armError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${parseError}'.`);
    }
    const request = parseImportParameters(body);
    if ('invalid' in request) return armError(400, 'InvalidParameters', request.invalid);
    const entra = entraIdentityOf(deps, request.source.credentials?.password);
    if (entra) request.source.entraIdentity = entra;
    const sourceId = request.source.resourceId;
    if (sourceId !== undefined && !allowsAction(caller.principal, sourceId, ACTION.read)) {
      return linkedAuthorizationFailed(caller, ACTION.import, target.resourceId, sourceId);
    }
    return deps.operations.start(target, request, apiVersion, ctx.injectedImportFault);
  };
}

function pollImport(deps: ArmDeps) {
  return (ctx: RequestContext, { subscription }: Admitted): Reply => deps.operations.poll(subscription.id, segment(ctx, 2), ctx.url.searchParams);
}

/**
 * `GET {scope}/providers/Microsoft.Authorization/permissions`: the caller's permissions at a
 * subscription, resource group or registry scope, one entry per role assignment covering it.
 * Any authenticated caller may ask about itself; no assignment gives an empty list.
 */
function listPermissions(deps: ArmDeps) {
  return (ctx: RequestContext, { caller, subscription }: Admitted): Reply => {
    const resourceGroup = ctx.params[1] ? segment(ctx, 1) : undefined;
    const name = ctx.params[2] ? segment(ctx, 2) : undefined;
    let scope = `/subscriptions/${subscription.id}`;
    if (resourceGroup !== undefined) {
      const missing = missingResourceGroup(deps, subscription.id, resourceGroup);
      if (missing) return missing;
      scope = `${scope}/resourceGroups/${resourceGroup}`;
    }
    if (resourceGroup !== undefined && name !== undefined) {
      if (!findRegistry(deps, subscription.id, resourceGroup, name)) return registryNotFound(deps, subscription.id, resourceGroup, name);
      scope = registryResourceId(subscription.id, resourceGroup, name);
    }
    return jsonReply(200, { value: permissionsAt(caller.principal, scope) });
  };
}

const ARM_FAULT_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'AuthorizationFailed',
  404: 'NotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

const REGISTRIES = { type: 'registries', versions: CONTAINER_REGISTRY_VERSIONS } as const;
const OPERATION_RESULTS = { type: 'locations/operationResults', versions: CONTAINER_REGISTRY_VERSIONS } as const;
const PERMISSIONS = { type: 'permissions', versions: PERMISSIONS_VERSIONS } as const;

export function armRoutes(deps: ArmDeps): Route[] {
  const provider = String.raw`/providers/Microsoft\.ContainerRegistry`;
  return [
    {
      name: 'arm.resources.list',
      methods: ['GET'],
      path: /^\/subscriptions\/([^/]+)\/resources\/?$/i,
      handle: metered(deps, { versions: 'resources' }, 'reads', listResources(deps)),
    },
    {
      name: 'arm.registries.list',
      methods: ['GET'],
      path: new RegExp(String.raw`^/subscriptions/([^/]+)${provider}/registries/?$`, 'i'),
      handle: metered(deps, { versions: REGISTRIES }, 'reads', listRegistries(deps, false)),
    },
    {
      name: 'arm.registries.list',
      methods: ['GET'],
      path: new RegExp(String.raw`^/subscriptions/([^/]+)/resourceGroups/([^/]+)${provider}/registries/?$`, 'i'),
      handle: metered(deps, { resourceGroup: 1, versions: REGISTRIES }, 'reads', listRegistries(deps, true)),
    },
    {
      name: 'arm.registries.get',
      methods: ['GET'],
      path: new RegExp(String.raw`^/subscriptions/([^/]+)/resourceGroups/([^/]+)${provider}/registries/([^/]+)$`, 'i'),
      handle: metered(deps, { resourceGroup: 1, registry: 2, versions: REGISTRIES }, 'reads', getRegistry(deps)),
    },
    {
      name: 'arm.importImage',
      methods: ['POST'],
      path: new RegExp(String.raw`^/subscriptions/([^/]+)/resourceGroups/([^/]+)${provider}/registries/([^/]+)/importImage$`, 'i'),
      handle: metered(deps, { resourceGroup: 1, registry: 2, versions: REGISTRIES }, 'writes', importImage(deps), logImportBody),
    },
    {
      name: 'arm.importImage.poll',
      methods: ['GET'],
      path: new RegExp(String.raw`^/subscriptions/([^/]+)${provider}/locations/([^/]+)/operationResults/([^/]+)$`, 'i'),
      handle: metered(deps, { versions: OPERATION_RESULTS }, 'reads', pollImport(deps)),
    },
    {
      name: 'arm.permissions',
      methods: ['GET'],
      path: new RegExp(
        String.raw`^/subscriptions/([^/]+)(?:/resourceGroups/([^/]+)(?:${provider}/registries/([^/]+))?)?/providers/Microsoft\.Authorization/permissions/?$`,
        'i',
      ),
      handle: metered(deps, { resourceGroup: 1, registry: 2, versions: PERMISSIONS }, 'reads', listPermissions(deps)),
    },
  ];
}

const ARM_FAULT_CODES_LOOKUP = (status: number): string => ARM_FAULT_CODES[status] ?? 'Failed';

/** ARM's service: the registry routes here, then the subscriptions and the cloud's metadata. */
export function armService(deps: ArmDeps, more: readonly Route[] = []): ServiceSpec {
  return {
    service: 'arm',
    routes: [...armRoutes(deps), ...more],
    notFound: (ctx) => armError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${ctx.url.origin}${ctx.path}'.`),
    faultReply: (status) =>
      armError(status, ARM_FAULT_CODES_LOOKUP(status), status === 429 ? 'The request is being throttled.' : `The request failed with status ${status} (injected fault).`),
    commonHeaders: (ctx) => armCommonHeaders(ctx),
  };
}
