/**
 * The managed-identity endpoint of the machine a task runs on, in the App Service form that
 * @azure/identity (through MSAL) uses when `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set:
 * `GET <endpoint>?api-version=2019-08-01&resource=<audience>[&client_id=<id>]` with header
 * `X-IDENTITY-HEADER: <secret>` → `{access_token, expires_on, resource, token_type, client_id}`.
 * It stands in for IMDS (169.254.169.254), which no test may ever reach, so the managed
 * identity scheme is proven end to end against the same Entra tokens ARM and ACR check.
 * A resource the emulator does not serve gets Entra's AADSTS500011 refusal passed through
 * (400 `invalid_resource`), as IMDS was recorded passing it (MSAL.NET#3979); App Service's own
 * wording for it is not recorded.
 */
import { randomUUID } from 'node:crypto';
import { issueAccessToken } from './accessTokens';
import { unknownResource } from './entra';
import type { ManagedIdentityRecord } from './api';
import { jsonReply, type Reply, type RequestContext, type ServiceSpec } from './http';
import type { EmulatorState, Principal } from './state';
import { normaliseResource, type HmacTokenSigner } from './tokens';

export const MANAGED_IDENTITY_PATH = '/msi/token';

export interface ManagedIdentityDeps {
  state: EmulatorState;
  signer: HmacTokenSigner;
  /** The `X-IDENTITY-HEADER` value every request must carry. */
  identityHeader: string;
  tokenLifetimeSeconds(): number;
  /** Whether a resource (audience) exists: one the emulator serves. */
  servesResource(resource: string): boolean;
}

/** App Service's error body: `statusCode`, `message`, `correlationId`. */
function identityError(status: number, message: string): Reply {
  return jsonReply(status, { statusCode: status, message, correlationId: randomUUID() });
}

/** A user-assigned identity by client id, or the machine's one system-assigned identity. */
function identityFor(state: EmulatorState, clientId: string | undefined): Principal | undefined {
  if (clientId) return state.principals.find((p) => p.managedIdentity !== undefined && p.clientId.toLowerCase() === clientId.toLowerCase());
  return state.principals.find((p) => p.managedIdentity === 'systemAssigned');
}

function tokenRoute(deps: ManagedIdentityDeps) {
  return (ctx: RequestContext): Reply => {
    const clientId = ctx.url.searchParams.get('client_id') ?? undefined;
    const resource = ctx.url.searchParams.get('resource') ?? undefined;
    const record: ManagedIdentityRecord = { ...(clientId ? { clientId } : {}), ...(resource ? { resource } : {}) };
    ctx.logBody(record);
    if (ctx.header('x-identity-header') !== deps.identityHeader) {
      return identityError(401, 'Unauthorized: the X-IDENTITY-HEADER header is missing or wrong.');
    }
    if (!ctx.url.searchParams.get('api-version')) return identityError(400, 'The api-version parameter is required.');
    if (!resource) return identityError(400, 'The resource parameter is required.');
    const principal = identityFor(deps.state, clientId);
    if (!principal) {
      return identityError(400, clientId ? 'No user-assigned identity with this client id is assigned to the resource.' : 'No system-assigned identity is enabled for the resource.');
    }
    const audience = normaliseResource(resource);
    if (!deps.servesResource(audience)) {
      const refusal = unknownResource(resource, principal.tenantId);
      return jsonReply(400, { error: refusal.error, error_description: `AADSTS${refusal.code}: ${refusal.description}` });
    }
    const { token, exp } = issueAccessToken(deps.signer, principal, audience, deps.tokenLifetimeSeconds(), 'managedIdentity');
    // App Service answers times as strings of epoch seconds.
    return jsonReply(200, { access_token: token, expires_on: String(exp), resource, token_type: 'Bearer', client_id: principal.clientId });
  };
}

export function managedIdentityService(deps: ManagedIdentityDeps): ServiceSpec {
  return {
    service: 'identity',
    routes: [{ name: 'identity.token', methods: ['GET'], path: /^\/msi\/token\/?$/, handle: tokenRoute(deps) }],
    notFound: () => identityError(404, 'Not found.'),
    faultReply: (status) => identityError(status, `The request failed with status ${status}.`),
    commonHeaders: () => ({}),
  };
}
