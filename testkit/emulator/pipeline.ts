/**
 * Azure DevOps as a pipeline job sees it for workload identity federation: the job's OIDC
 * endpoint (`System.OidcRequestUri`). `POST <…>/oidctoken?api-version=…&serviceConnectionId=<id>`
 * with the job's access token as bearer answers `{"oidcToken": "<jwt>"}`: an ID token for the
 * connection (issuer `https://vstoken.dev.azure.com/<organization id>`, subject
 * `sc://<organization>/<project>/<connection name>`, audience `api://AzureADTokenExchange`),
 * valid for `idTokenLifetimeSeconds`. Entra accepts it only from an app whose federated
 * credential names that issuer and subject — exactly as with the real service.
 */
import { randomUUID } from 'node:crypto';
import type { IdTokenRecord, PipelineFixture, ServiceConnectionFixture } from './api';
import type { FederatedIdentity, FederatedTokenIssuer } from './federation';
import { jsonReply, type Reply, type RequestContext, type ServiceSpec } from './http';

export const DEFAULT_ORGANIZATION = 'contoso';
const DEFAULT_ORGANIZATION_ID = '3c2e1f0a-7d6b-4a59-8e4c-2b1a0f9e8d7c';
const DEFAULT_PROJECT = 'acr-transfer';

/**
 * The federated identity credential an app needs to trust ID tokens the emulated pipeline
 * issues for a service connection (put it in the principal's `federated`).
 */
export function pipelineFederatedCredential(connectionName: string, pipeline: Partial<PipelineFixture> = {}): FederatedIdentity {
  const organization = pipeline.organization ?? DEFAULT_ORGANIZATION;
  return {
    issuer: `https://vstoken.dev.azure.com/${pipeline.organizationId ?? DEFAULT_ORGANIZATION_ID}`,
    subject: `sc://${organization}/${pipeline.project ?? DEFAULT_PROJECT}/${connectionName}`,
  };
}

export interface PipelineDeps {
  pipeline: PipelineFixture | undefined;
  federation: FederatedTokenIssuer;
  /** The bearer token the endpoint accepts (the job's System.AccessToken). */
  systemAccessToken: string;
  idTokenLifetimeSeconds(): number;
}

/** Azure DevOps' error body (`message`, `typeKey`), as its REST API answers. */
function devOpsError(status: number, typeKey: string, message: string): Reply {
  return jsonReply(status, { $id: '1', innerException: null, message, typeName: `Microsoft.VisualStudio.Services.${typeKey}`, typeKey, errorCode: 0, eventId: 3000 });
}

function connectionOf(deps: PipelineDeps, id: string): ServiceConnectionFixture | undefined {
  return deps.pipeline?.serviceConnections.find((c) => c.id.toLowerCase() === id.toLowerCase());
}

function oidcToken(deps: PipelineDeps) {
  return (ctx: RequestContext): Reply => {
    const connectionId = ctx.url.searchParams.get('serviceConnectionId') ?? undefined;
    const record: IdTokenRecord = connectionId ? { serviceConnectionId: connectionId } : {};
    ctx.logBody(record);
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.header('authorization') ?? '')?.[1];
    if (bearer !== deps.systemAccessToken) {
      // Azure DevOps answers an anonymous or stale job token with 401 and a sign-in hint.
      return {
        ...devOpsError(401, 'UnauthorizedRequestException', 'TF400813: The user is not authorized to access this resource.'),
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'WWW-Authenticate': 'Bearer' },
      };
    }
    if (!ctx.url.searchParams.get('api-version')) {
      return devOpsError(400, 'VssVersionNotSpecifiedException', 'No api-version was supplied for the "POST" request. The version must be supplied either as part of the Accept header or as a query parameter.');
    }
    if (!connectionId) {
      return devOpsError(400, 'ArgumentNullException', 'Value cannot be null. Parameter name: serviceConnectionId');
    }
    const connection = connectionOf(deps, connectionId);
    if (!connection) {
      return devOpsError(404, 'ServiceEndpointNotFoundException', `Service connection with id ${connectionId} does not exist or is not authorized for this pipeline.`);
    }
    const minted = deps.federation.mintFor(pipelineFederatedCredential(connection.name, deps.pipeline), deps.idTokenLifetimeSeconds());
    ctx.logBody({ ...record, jti: minted.jti, exp: minted.exp });
    return jsonReply(200, { oidcToken: minted.token });
  };
}

export function pipelineService(deps: PipelineDeps): ServiceSpec {
  return {
    service: 'pipeline',
    routes: [{ name: 'pipeline.oidcToken', methods: ['POST'], path: /^\/.*\/oidctoken\/?$/i, handle: oidcToken(deps) }],
    notFound: (ctx) => devOpsError(404, 'ApiResourceNotFoundException', `API resource location for ${ctx.method} ${ctx.path} was not found.`),
    faultReply: (status) => devOpsError(status, 'VssServiceException', `The request failed with status ${status}.`),
    commonHeaders: () => ({ 'X-TFS-ProcessId': randomUUID(), ActivityId: randomUUID(), 'X-VSS-E2EID': randomUUID() }),
  };
}
