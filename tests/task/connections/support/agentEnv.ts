/**
 * The environment an Azure Pipelines agent gives a task for its service connections
 * (microsoft/azure-pipelines-agent Handler.AddEndpointsToEnvironment): per connection
 * `ENDPOINT_URL_<id>`, `ENDPOINT_AUTH_<id>` (JSON), `ENDPOINT_AUTH_SCHEME_<id>`,
 * `ENDPOINT_AUTH_PARAMETER_<id>_<KEY>`, `ENDPOINT_DATA_<id>` (JSON) and
 * `ENDPOINT_DATA_<id>_<KEY>`; for the job, the SystemVssConnection and the System.* variables
 * workload identity federation needs.
 */
import type { Emulator } from '../../../../testkit/emulator/api';

export type Scheme = 'ServicePrincipal' | 'ManagedServiceIdentity' | 'WorkloadIdentityFederation' | (string & {});

export interface ConnectionSpec {
  id: string;
  scheme: Scheme;
  /** Authorization parameters as Azure DevOps stores them (keys as it spells them). */
  parameters: Record<string, string>;
  /** Endpoint data as Azure DevOps stores it. */
  data: Record<string, string>;
  /** `ENDPOINT_URL_<id>`: the ARM URL, with the trailing slash Azure DevOps gives it. */
  url: string;
}

/** Key part of a variable name: upper case, `.` and spaces as `_` (VarUtil.ConvertToEnvVariableFormat). */
const envKey = (key: string): string => key.replace(/[.\s]/g, '_').toUpperCase();

export function connectionEnv(spec: ConnectionSpec): Record<string, string> {
  const env: Record<string, string> = {
    [`ENDPOINT_URL_${spec.id}`]: spec.url,
    [`ENDPOINT_AUTH_${spec.id}`]: JSON.stringify({ parameters: spec.parameters, scheme: spec.scheme }),
    [`ENDPOINT_AUTH_SCHEME_${spec.id}`]: spec.scheme,
    [`ENDPOINT_DATA_${spec.id}`]: JSON.stringify(spec.data),
  };
  for (const [k, v] of Object.entries(spec.parameters)) env[`ENDPOINT_AUTH_PARAMETER_${spec.id}_${envKey(k)}`] = v;
  for (const [k, v] of Object.entries(spec.data)) env[`ENDPOINT_DATA_${spec.id}_${envKey(k)}`] = v;
  return env;
}

export interface ConnectionBasics {
  id: string;
  tenantId: string;
  subscriptionId: string;
  subscriptionName?: string;
  environment?: string;
}

/** Endpoint data of a subscription-scoped ARM connection pointing at the emulator. */
function data(em: Emulator, c: ConnectionBasics, extra: Record<string, string> = {}): Record<string, string> {
  return {
    environment: c.environment ?? 'AzureCloud',
    scopeLevel: 'Subscription',
    subscriptionId: c.subscriptionId,
    subscriptionName: c.subscriptionName ?? `Subscription of ${c.id.slice(0, 4)}`,
    activeDirectoryAuthority: `${em.authorityHost}/`,
    environmentAuthorityUrl: `${em.authorityHost}/`,
    creationMode: 'Manual',
    ...extra,
  };
}

export function secretConnection(em: Emulator, c: ConnectionBasics & { clientId: string; secret?: string }): ConnectionSpec {
  return {
    id: c.id,
    scheme: 'ServicePrincipal',
    parameters: {
      tenantid: c.tenantId,
      serviceprincipalid: c.clientId,
      authenticationType: 'spnKey',
      ...(c.secret !== undefined ? { serviceprincipalkey: c.secret } : {}),
    },
    data: data(em, c),
    url: `${em.armEndpoint}/`,
  };
}

export function certificateConnection(em: Emulator, c: ConnectionBasics & { clientId: string; pem: string }): ConnectionSpec {
  return {
    id: c.id,
    scheme: 'ServicePrincipal',
    parameters: { tenantid: c.tenantId, serviceprincipalid: c.clientId, authenticationType: 'spnCertificate', servicePrincipalCertificate: c.pem },
    data: data(em, c),
    url: `${em.armEndpoint}/`,
  };
}

export function managedIdentityConnection(em: Emulator, c: ConnectionBasics & { msiClientId?: string }): ConnectionSpec {
  return {
    id: c.id,
    scheme: 'ManagedServiceIdentity',
    parameters: { tenantid: c.tenantId },
    data: data(em, c, c.msiClientId ? { msiclientId: c.msiClientId } : {}),
    url: `${em.armEndpoint}/`,
  };
}

export function workloadIdentityConnection(em: Emulator, c: ConnectionBasics & { clientId: string }): ConnectionSpec {
  return {
    id: c.id,
    scheme: 'WorkloadIdentityFederation',
    parameters: { tenantid: c.tenantId, serviceprincipalid: c.clientId },
    data: data(em, c),
    url: `${em.armEndpoint}/`,
  };
}

/**
 * A Docker Registry service connection as the agent passes it: the "Others" (and "Docker Hub")
 * types hold the registry URL in `ENDPOINT_URL_<id>` and in the `registry` parameter, and the
 * user name, password and email as `UsernamePassword` parameters; `registrytype` is endpoint data.
 */
export function dockerRegistryConnection(c: { id: string; url: string; username: string; password: string; registryType?: string }): ConnectionSpec {
  return {
    id: c.id,
    scheme: 'UsernamePassword',
    parameters: { username: c.username, password: c.password, email: '', registry: c.url },
    data: { registrytype: c.registryType ?? 'Others' },
    url: c.url,
  };
}

/**
 * A Docker Registry service connection of type "Azure Container Registry" with a service
 * principal, as the agent passes it: scheme `ServicePrincipal`, the login server and the
 * principal's app id and secret as parameters, the registry's id and type as endpoint data.
 */
export function acrRegistryConnection(c: { id: string; loginServer: string; tenantId: string; clientId: string; secret: string; registryId: string; subscriptionId: string }): ConnectionSpec {
  return {
    id: c.id,
    scheme: 'ServicePrincipal',
    parameters: { loginServer: c.loginServer, servicePrincipalid: c.clientId, serviceprincipalkey: c.secret, tenantId: c.tenantId, scope: c.registryId, role: '7f951dda-4ed3-4680-a7ca-43fe172d538d' },
    data: { registryId: c.registryId, registrytype: 'ACR', subscriptionId: c.subscriptionId, subscriptionName: `Subscription ${c.subscriptionId.slice(0, 8)}` },
    url: `https://${c.loginServer}`,
  };
}

/** The job's variables for workload identity federation (System.OidcRequestUri and friends). */
export function pipelineEnv(em: Emulator, accessToken = em.pipeline.systemAccessToken): Record<string, string> {
  return {
    SYSTEM_OIDCREQUESTURI: em.pipeline.oidcRequestUri,
    SYSTEM_COLLECTIONURI: em.pipeline.collectionUri,
    SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: em.pipeline.collectionUri,
    SYSTEM_TEAMPROJECTID: em.pipeline.projectId,
    SYSTEM_PLANID: em.pipeline.planId,
    SYSTEM_JOBID: em.pipeline.jobId,
    SYSTEM_HOSTTYPE: em.pipeline.hostType,
    ENDPOINT_URL_SYSTEMVSSCONNECTION: em.pipeline.collectionUri,
    ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({ parameters: { AccessToken: accessToken }, scheme: 'OAuth' }),
    ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION: 'OAuth',
    ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: accessToken,
  };
}

/** The machine's managed-identity endpoint (App Service form), instead of IMDS. */
export function managedIdentityEnv(em: Emulator): Record<string, string> {
  return { IDENTITY_ENDPOINT: em.managedIdentity.endpoint, IDENTITY_HEADER: em.managedIdentity.header };
}
