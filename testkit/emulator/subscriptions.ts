/**
 * ARM's own resources the Azure CLI and the SDKs read before anything else:
 * - `GET /subscriptions`: the subscriptions of the token's tenant the caller has a role
 *   assignment in (at the subscription or anywhere below it); none gives an empty list, as ARM
 *   does. A tenant-level read: no subscription bucket, ARM's tenant read header instead.
 * - `GET /subscriptions/{id}`: one of them; 403 AuthorizationFailed without any assignment in it.
 * - `GET /metadata/endpoints?api-version=…`: the cloud's endpoints, unauthenticated, pointing at
 *   the emulator's Entra, ARM and registry domain. Three shapes, by api-version: the 2015 one
 *   (`galleryEndpoint`, `graphEndpoint`, `portalEndpoint`, `authentication`) that
 *   `az cloud register` autodetect reads, the 2019-05-01 array of clouds, and the 2022-09-01
 *   single cloud (fields as go-azure-sdk reads them). Endpoints the emulator does not serve
 *   keep the public cloud's values; Entra refuses tokens for them (entra.ts).
 * Bodies are shaped after a 2022-12-01 answer of the real `GET /subscriptions` and the az
 * 2.45 recording of `az login --service-principal`.
 */
import { armError, authenticateArm, authorizationFailed, isReply, type ArmAuthDeps, type ArmCaller } from './armAuth';
import { metered, segment, type ArmDeps } from './arm';
import { unsupportedApiVersion } from './armVersions';
import { jsonReply, type Reply, type RequestContext, type Route } from './http';
import { hasAssignmentWithin } from './roles';
import type { SubscriptionState } from './state';

/** What ARM reports left of a tenant's reads when nothing throttles (recorded constant). */
const TENANT_READS_REMAINING = '11999';

function subscriptionBody(s: SubscriptionState): Record<string, unknown> {
  return {
    id: `/subscriptions/${s.id}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.id,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

const visibleTo = (caller: ArmCaller, s: SubscriptionState): boolean =>
  s.tenantId.toLowerCase() === caller.tenantId.toLowerCase() && hasAssignmentWithin(caller.principal, `/subscriptions/${s.id}`);

function listSubscriptions(deps: ArmAuthDeps) {
  return (ctx: RequestContext): Reply => {
    const apiVersion = ctx.url.searchParams.get('api-version');
    if (!apiVersion) {
      return armError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    }
    const refused = unsupportedApiVersion(apiVersion, { kind: 'resources' });
    if (refused) return refused;
    const caller = authenticateArm(ctx, deps);
    if (isReply(caller)) return caller;
    const value = [...deps.state.subscriptions.values()].filter((s) => visibleTo(caller, s)).map(subscriptionBody);
    return jsonReply(200, { value, count: { type: 'Total', value: value.length } }, { 'x-ms-ratelimit-remaining-tenant-reads': TENANT_READS_REMAINING });
  };
}

function getSubscription() {
  return (ctx: RequestContext, { caller, subscription }: { caller: ArmCaller; subscription: SubscriptionState }): Reply => {
    if (!visibleTo(caller, subscription)) return authorizationFailed(caller, 'Microsoft.Resources/subscriptions/read', `/subscriptions/${segment(ctx, 0)}`);
    return jsonReply(200, subscriptionBody(subscription));
  };
}

export interface CloudEndpoints {
  authorityHost(): string;
  armEndpoint(): string;
  /** The suffix every registry's login server is under (`acrLoginServer`). */
  registryDomain: string;
  /** Audiences listed before the public ones (an Azure Stack Hub stamp lists its own first). */
  extraArmAudiences?: readonly string[];
}

/** The `authentication.audiences` of the metadata, with a trailing slash as Azure writes them. */
function metadataAudiences(endpoints: CloudEndpoints): string[] {
  const extra = (endpoints.extraArmAudiences ?? []).map((a) => (a.endsWith('/') ? a : `${a}/`));
  return [...extra, 'https://management.core.windows.net/', 'https://management.azure.com/'];
}

const METADATA_VERSIONS = ['1.0', '2015-01-01', '2019-05-01', '2022-09-01'];

/** The 2019-05-01 and 2022-09-01 cloud object, for the emulator's endpoints. */
function cloud(endpoints: CloudEndpoints): Record<string, unknown> {
  return {
    portal: 'https://portal.azure.com',
    authentication: {
      loginEndpoint: `${endpoints.authorityHost()}/`,
      audiences: metadataAudiences(endpoints),
      tenant: 'common',
      identityProvider: 'AAD',
    },
    media: 'https://rest.media.azure.net',
    graphAudience: 'https://graph.windows.net/',
    graph: 'https://graph.windows.net/',
    name: 'AcrTransferEmulator',
    suffixes: {
      azureDataLakeStoreFileSystem: 'azuredatalakestore.net',
      acrLoginServer: endpoints.registryDomain,
      sqlServerHostname: 'database.windows.net',
      azureDataLakeAnalyticsCatalogAndJob: 'azuredatalakeanalytics.net',
      keyVaultDns: 'vault.azure.net',
      storage: 'core.windows.net',
      azureFrontDoorEndpointSuffix: 'azurefd.net',
    },
    batch: 'https://batch.core.windows.net/',
    resourceManager: `${endpoints.armEndpoint()}/`,
    vmImageAliasDoc: 'https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json',
    activeDirectoryDataLake: 'https://datalake.azure.net/',
    sqlManagement: 'https://management.core.windows.net:8443/',
    gallery: 'https://gallery.azure.com/',
    microsoftGraphResourceId: 'https://graph.microsoft.com/',
  };
}

function metadata(endpoints: CloudEndpoints) {
  return (ctx: RequestContext): Reply => {
    const apiVersion = ctx.url.searchParams.get('api-version');
    if (!apiVersion) {
      return armError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    }
    switch (apiVersion) {
      case '1.0':
      case '2015-01-01':
        return jsonReply(200, {
          galleryEndpoint: 'https://gallery.azure.com/',
          graphEndpoint: 'https://graph.windows.net/',
          portalEndpoint: 'https://portal.azure.com/',
          authentication: { loginEndpoint: `${endpoints.authorityHost()}/`, audiences: metadataAudiences(endpoints) },
        });
      case '2019-05-01':
        return jsonReply(200, [cloud(endpoints)]);
      case '2022-09-01':
        return jsonReply(200, cloud(endpoints));
      default:
        return armError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. The supported versions are '${METADATA_VERSIONS.join(',')}'.`);
    }
  };
}

export function subscriptionRoutes(deps: ArmDeps, endpoints: CloudEndpoints): Route[] {
  return [
    { name: 'arm.subscriptions', methods: ['GET'], path: /^\/subscriptions\/?$/i, handle: listSubscriptions(deps) },
    {
      name: 'arm.subscriptions',
      methods: ['GET'],
      path: /^\/subscriptions\/([^/]+)\/?$/i,
      handle: metered(deps, { versions: 'resources' }, 'reads', getSubscription()),
    },
    { name: 'arm.metadata', methods: ['GET'], path: /^\/metadata\/endpoints\/?$/i, handle: metadata(endpoints) },
  ];
}
