/**
 * The managed-identity endpoint of the machine a task runs on. It stands in for IMDS
 * (169.254.169.254), which no test may ever reach, so the managed identity scheme is proven
 * end to end against the same Entra tokens ARM and ACR check. It speaks the three local
 * protocols Azure documents for such an endpoint, each with its own proof that the caller is
 * on the machine (a real machine offers one of them; this one answers all three):
 *
 * - **App Service 2019-08-01** (what @azure/identity, through MSAL, uses when
 *   `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set):
 *   `GET <endpoint>?api-version=2019-08-01&resource=<audience>[&client_id=<id>]` with header
 *   `X-IDENTITY-HEADER: <secret>` → `{access_token, expires_on, resource, token_type,
 *   client_id}`, `expires_on` in epoch seconds (a string).
 * - **App Service 2017-09-01** (what az 2.45's msrestazure sends with `MSI_ENDPOINT` and
 *   `MSI_SECRET`): `GET <endpoint>/?resource=<audience>&api-version=2017-09-01[&clientid=<id>]`
 *   with header `secret: <secret>` (App Service's managed-identity docs, 2018–2019 revisions)
 *   → the same fields, `expires_on` as the date App Service writes there, e.g.
 *   `11/05/2021 15:18:31 +00:00` (azure-cli's `adal_authentication.py` quotes that answer and
 *   parses it with `%m/%d/%Y %H:%M:%S %z`).
 * - **The local token endpoint of Cloud Shell and the old VM extension** (what msrestazure
 *   sends with `MSI_ENDPOINT` alone): `POST <endpoint>` with header `Metadata: true` and form
 *   `resource=<audience>[&client_id=<id>]` → `{access_token, refresh_token: "", expires_in,
 *   expires_on, not_before, resource, token_type}`, every number a string (Microsoft's 2017
 *   VM extension tutorial `msi-tutorial-linux-vm-access-arm`; Cloud Shell's "Acquire a token"
 *   article sends the same request). Without `Metadata: true` it is refused, 400, in the
 *   words IMDS uses ("Required metadata header not specified").
 *
 * The App Service forms refuse a missing or wrong secret (401) before anything else. A
 * resource the emulator does not serve gets Entra's AADSTS500011 refusal passed through (400
 * `invalid_resource`), as IMDS was recorded passing it (MSAL.NET#3979); App Service's own
 * wording for it is not recorded.
 */
import { randomUUID } from 'node:crypto';
import { issueAccessToken, type IssuedAccessToken } from './accessTokens';
import { unknownResource } from './entra';
import type { ManagedIdentityRecord } from './api';
import { formOf, jsonReply, type Reply, type RequestContext, type ServiceSpec } from './http';
import type { EmulatorState, Principal } from './state';
import { normaliseResource, type HmacTokenSigner } from './tokens';

export const MANAGED_IDENTITY_PATH = '/msi/token';

/** App Service's older api-version: its own secret header and its own `expires_on`. */
export const APP_SERVICE_2017 = '2017-09-01';

export interface ManagedIdentityDeps {
  state: EmulatorState;
  signer: HmacTokenSigner;
  /** The secret every App Service request must carry (`X-IDENTITY-HEADER`, or `secret` in 2017-09-01). */
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

/** `MM/DD/YYYY HH:mm:ss +00:00` in UTC: App Service's `expires_on` in 2017-09-01. */
export function appService2017Date(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +00:00`;
}

type Protocol = 'appService2019' | 'appService2017' | 'localPost';

interface Asked {
  protocol: Protocol;
  clientId?: string;
  resource?: string;
}

/** Which protocol a request speaks, and what it asks for. */
function asked(ctx: RequestContext): Asked {
  if (ctx.method === 'POST') {
    const form = formOf(ctx.body);
    return { protocol: 'localPost', clientId: form.get('client_id') ?? undefined, resource: form.get('resource') ?? undefined };
  }
  const q = ctx.url.searchParams;
  const protocol = q.get('api-version') === APP_SERVICE_2017 ? 'appService2017' : 'appService2019';
  return { protocol, clientId: q.get(protocol === 'appService2017' ? 'clientid' : 'client_id') ?? undefined, resource: q.get('resource') ?? undefined };
}

/** The caller's proof that it runs on the machine, as its protocol asks for it; a refusal if missing. */
function refusal(ctx: RequestContext, protocol: Protocol, secret: string): Reply | undefined {
  switch (protocol) {
    case 'localPost':
      return ctx.header('metadata') === 'true' ? undefined : jsonReply(400, { error: 'bad_request_102', error_description: 'Required metadata header not specified' });
    case 'appService2017':
      return ctx.header('secret') === secret ? undefined : identityError(401, 'Unauthorized: the secret header is missing or wrong.');
    case 'appService2019':
      if (ctx.header('x-identity-header') !== secret) return identityError(401, 'Unauthorized: the X-IDENTITY-HEADER header is missing or wrong.');
      return ctx.url.searchParams.get('api-version') ? undefined : identityError(400, 'The api-version parameter is required.');
  }
}

/** The token answer in the protocol's own shape. */
function tokenBody(protocol: Protocol, issued: IssuedAccessToken, resource: string, principal: Principal, lifetime: number): Record<string, string> {
  const { token, issuedAt, exp } = issued;
  switch (protocol) {
    case 'localPost':
      return {
        access_token: token,
        refresh_token: '',
        expires_in: String(lifetime),
        expires_on: String(exp),
        not_before: String(issuedAt),
        resource,
        token_type: 'Bearer',
      };
    case 'appService2017':
      return { access_token: token, expires_on: appService2017Date(exp), resource, token_type: 'Bearer', client_id: principal.clientId };
    case 'appService2019':
      // App Service answers times as strings of epoch seconds.
      return { access_token: token, expires_on: String(exp), resource, token_type: 'Bearer', client_id: principal.clientId };
  }
}

function tokenRoute(deps: ManagedIdentityDeps) {
  return (ctx: RequestContext): Reply => {
    const { protocol, clientId, resource } = asked(ctx);
    const record: ManagedIdentityRecord = { ...(clientId ? { clientId } : {}), ...(resource ? { resource } : {}) };
    ctx.logBody(record);
    const refused = refusal(ctx, protocol, deps.identityHeader);
    if (refused) return refused;
    if (!resource) return identityError(400, 'The resource parameter is required.');
    const principal = identityFor(deps.state, clientId);
    if (!principal) {
      return identityError(400, clientId ? 'No user-assigned identity with this client id is assigned to the resource.' : 'No system-assigned identity is enabled for the resource.');
    }
    const audience = normaliseResource(resource);
    if (!deps.servesResource(audience)) {
      const unknown = unknownResource(resource, principal.tenantId);
      return jsonReply(400, { error: unknown.error, error_description: `AADSTS${unknown.code}: ${unknown.description}` });
    }
    const lifetime = deps.tokenLifetimeSeconds();
    const issued = issueAccessToken(deps.signer, principal, audience, lifetime, 'managedIdentity');
    return jsonReply(200, tokenBody(protocol, issued, resource, principal, lifetime));
  };
}

export function managedIdentityService(deps: ManagedIdentityDeps): ServiceSpec {
  return {
    service: 'identity',
    routes: [{ name: 'identity.token', methods: ['GET', 'POST'], path: /^\/msi\/token\/?$/, handle: tokenRoute(deps) }],
    notFound: () => identityError(404, 'Not found.'),
    faultReply: (status) => identityError(status, `The request failed with status ${status}.`),
    commonHeaders: () => ({}),
  };
}
