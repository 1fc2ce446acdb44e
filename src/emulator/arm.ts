/**
 * Azure Resource Manager for Microsoft.ContainerRegistry: list registries (per subscription
 * or resource group, paged by nextLink), get one, and importImage with its long-running
 * operation. Every api-version is accepted (the SDK sends 2025-11-01, az 2.45 older ones);
 * one must be present, as on ARM.
 *
 * Where import checks happen:
 * - on the POST (synchronous 4xx, no operation): authentication, subscription and tenant,
 *   import permission on the target (403 AuthorizationFailed), target existence (404),
 *   a malformed body (400), read permission on a `source.resourceId` (403
 *   LinkedAuthorizationFailed — ARM checks linked scopes up front);
 * - when the operation runs (operation Failed): everything about the source registry and
 *   content and the target tags (see importImage.ts).
 */
import type { RequestContext, Reply, Route, ServiceSpec } from './http';
import { jsonReply } from './http';
import {
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
import { parseImportParameters } from './importImage';
import type { ImportOperations } from './operations';
import { ACTION_OF, hasAbility, hasAnyRole } from './roles';
import { registryResourceId, type RegistryState } from './state';
import type { RequestBudget } from './throttling';
import type { SubscriptionState } from './state';

export interface ArmDeps extends ArmAuthDeps {
  pageSize(): number;
  operations: ImportOperations;
  /** ARM's write budget per subscription (see throttling.ts). */
  writeBudget: RequestBudget;
}

const READS_REMAINING = { 'x-ms-ratelimit-remaining-subscription-reads': '249' };

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
      anonymousPullEnabled: false,
      roleAssignmentMode: 'LegacyRegistryPermissions',
    },
  };
}

/** Azure's timestamp form: ISO 8601 with seven fractional digits. */
export function azureTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

const segment = (ctx: RequestContext, i: number): string => decodeURIComponent(ctx.params[i] ?? '');

/** The steps every ARM route starts with: api-version, token, subscription and tenant. */
function admit(ctx: RequestContext, deps: ArmDeps): { caller: ArmCaller; subscription: SubscriptionState; apiVersion: string } | Reply {
  const apiVersion = ctx.url.searchParams.get('api-version');
  if (!apiVersion) {
    return armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  const caller = authenticateArm(ctx, deps);
  if (isReply(caller)) return caller;
  const subscription = checkSubscription(caller, segment(ctx, 0), deps);
  if (isReply(subscription)) return subscription;
  return { caller, subscription, apiVersion };
}

function skipTokenOf(query: URLSearchParams): string | undefined {
  for (const [k, v] of query) if (k.toLowerCase() === '$skiptoken') return v;
  return undefined;
}

function listRegistries(deps: ArmDeps, byResourceGroup: boolean) {
  return (ctx: RequestContext): Reply => {
    const admitted = admit(ctx, deps);
    if (isReply(admitted)) return admitted;
    const { caller, subscription, apiVersion } = admitted;
    const resourceGroup = byResourceGroup ? segment(ctx, 1).toLowerCase() : undefined;
    const visible = deps.state.registries.filter(
      (r) =>
        r.subscriptionId.toLowerCase() === subscription.id.toLowerCase() &&
        (resourceGroup === undefined || r.resourceGroup.toLowerCase() === resourceGroup) &&
        hasAnyRole(caller.principal, r.resourceId),
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
    return jsonReply(200, body, READS_REMAINING);
  };
}

/**
 * The generic resources list az uses to find a registry's resource group
 * (`$filter=resourceType eq 'Microsoft.ContainerRegistry/registries'`). Only registries
 * exist in the emulator; any other type filter gives an empty list.
 */
function listResources(deps: ArmDeps) {
  return (ctx: RequestContext): Reply => {
    const admitted = admit(ctx, deps);
    if (isReply(admitted)) return admitted;
    const { caller, subscription } = admitted;
    const filter = ctx.url.searchParams.get('$filter') ?? '';
    const type = /resourceType\s+eq\s+'([^']+)'/i.exec(filter)?.[1];
    const wanted = type === undefined || type.toLowerCase() === 'microsoft.containerregistry/registries';
    const value = wanted
      ? deps.state.registries
          .filter((r) => r.subscriptionId.toLowerCase() === subscription.id.toLowerCase() && hasAnyRole(caller.principal, r.resourceId))
          .map((r) => ({ id: r.resourceId, name: r.name, type: 'Microsoft.ContainerRegistry/registries', sku: { name: r.sku, tier: r.sku }, location: r.location, tags: {} }))
      : [];
    return jsonReply(200, { value }, READS_REMAINING);
  };
}

function registryNotFound(deps: ArmDeps, subscriptionId: string, resourceGroup: string, name: string): Reply {
  const groupExists = deps.state.registries.some(
    (r) => r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() && r.resourceGroup.toLowerCase() === resourceGroup.toLowerCase(),
  );
  if (!groupExists) return armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
  return armError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.ContainerRegistry/registries/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

function findRegistry(deps: ArmDeps, subscriptionId: string, resourceGroup: string, name: string): RegistryState | undefined {
  return deps.state.registryById(registryResourceId(subscriptionId, resourceGroup, name));
}

function getRegistry(deps: ArmDeps) {
  return (ctx: RequestContext): Reply => {
    const admitted = admit(ctx, deps);
    if (isReply(admitted)) return admitted;
    const { caller, subscription } = admitted;
    const [resourceGroup, name] = [segment(ctx, 1), segment(ctx, 2)];
    const id = registryResourceId(subscription.id, resourceGroup, name);
    // RBAC comes before existence: without access, a missing registry is a 403 too.
    if (!hasAnyRole(caller.principal, id)) return authorizationFailed(caller, ACTION_OF.read, id);
    const registry = findRegistry(deps, subscription.id, resourceGroup, name);
    if (!registry) return registryNotFound(deps, subscription.id, resourceGroup, name);
    return jsonReply(200, registryBody(registry), READS_REMAINING);
  };
}

/** The import body as logged: source credentials are secrets and never kept. */
function loggableImportBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const copy = structuredClone(body) as { source?: { credentials?: Record<string, unknown> } };
  if (copy.source?.credentials) {
    for (const k of Object.keys(copy.source.credentials)) copy.source.credentials[k] = '<redacted>';
  }
  return copy;
}

function importImage(deps: ArmDeps) {
  return (ctx: RequestContext): Reply => {
    let body: unknown;
    let parseError: string | undefined;
    try {
      body = JSON.parse(ctx.body.toString('utf8'));
      ctx.logBody(loggableImportBody(body));
    } catch (e) {
      parseError = (e as Error).message;
    }
    const admitted = admit(ctx, deps);
    if (isReply(admitted)) return admitted;
    const { caller, subscription, apiVersion } = admitted;
    const [resourceGroup, name] = [segment(ctx, 1), segment(ctx, 2)];
    const targetId = registryResourceId(subscription.id, resourceGroup, name);
    if (!hasAbility(caller.principal, targetId, 'import')) return authorizationFailed(caller, ACTION_OF.import, targetId);
    const target = findRegistry(deps, subscription.id, resourceGroup, name);
    if (!target) return registryNotFound(deps, subscription.id, resourceGroup, name);
    if (parseError !== undefined) {
      return armError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${parseError}'.`);
    }
    const request = parseImportParameters(body);
    if ('invalid' in request) return armError(400, 'InvalidParameters', request.invalid);
    const sourceId = request.source.resourceId;
    if (sourceId !== undefined && !hasAbility(caller.principal, sourceId, 'pull')) {
      return linkedAuthorizationFailed(caller, ACTION_OF.import, target.resourceId, ACTION_OF.pull, sourceId);
    }
    const budget = deps.writeBudget.take(subscription.id);
    const writeHeaders = { 'x-ms-ratelimit-remaining-subscription-writes': String(budget.remaining) };
    if (!budget.allowed) {
      return armError(
        429,
        'SubscriptionRequestsThrottled',
        `Number of write requests for subscription '${subscription.id}' exceeded the limit. Please try again after '${budget.retryAfterSeconds ?? 1}' seconds.`,
        { ...writeHeaders, 'Retry-After': String(budget.retryAfterSeconds ?? 1) },
      );
    }
    return deps.operations.start(target, request, apiVersion, ctx.injectedImportFailure, writeHeaders);
  };
}

function pollImport(deps: ArmDeps) {
  return (ctx: RequestContext): Reply => {
    const admitted = admit(ctx, deps);
    if (isReply(admitted)) return admitted;
    return deps.operations.poll(admitted.subscription.id, segment(ctx, 2), ctx.url.searchParams, READS_REMAINING);
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

export function armService(deps: ArmDeps): ServiceSpec {
  const provider = String.raw`/providers/Microsoft\.ContainerRegistry`;
  const routes: Route[] = [
    { name: 'arm.resources.list', methods: ['GET'], path: /^\/subscriptions\/([^/]+)\/resources\/?$/i, handle: listResources(deps) },
    { name: 'arm.registries.list', methods: ['GET'], path: new RegExp(String.raw`^/subscriptions/([^/]+)${provider}/registries/?$`, 'i'), handle: listRegistries(deps, false) },
    {
      name: 'arm.registries.list',
      methods: ['GET'],
      path: new RegExp(String.raw`^/subscriptions/([^/]+)/resourceGroups/([^/]+)${provider}/registries/?$`, 'i'),
      handle: listRegistries(deps, true),
    },
    {
      name: 'arm.registries.get',
      methods: ['GET'],
      path: new RegExp(String.raw`^/subscriptions/([^/]+)/resourceGroups/([^/]+)${provider}/registries/([^/]+)$`, 'i'),
      handle: getRegistry(deps),
    },
    {
      name: 'arm.importImage',
      methods: ['POST'],
      path: new RegExp(String.raw`^/subscriptions/([^/]+)/resourceGroups/([^/]+)${provider}/registries/([^/]+)/importImage$`, 'i'),
      handle: importImage(deps),
    },
    {
      name: 'arm.importImage.poll',
      methods: ['GET'],
      path: new RegExp(String.raw`^/subscriptions/([^/]+)${provider}/locations/([^/]+)/operationResults/([^/]+)$`, 'i'),
      handle: pollImport(deps),
    },
  ];
  return {
    service: 'arm',
    routes,
    notFound: (ctx) => armError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${ctx.url.origin}${ctx.path}'.`),
    faultReply: (status) =>
      armError(status, ARM_FAULT_CODES[status] ?? 'Failed', status === 429 ? 'The request is being throttled.' : `The request failed with status ${status} (injected fault).`),
    commonHeaders: (ctx) => armCommonHeaders(ctx),
  };
}
