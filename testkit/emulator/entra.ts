/**
 * Microsoft Entra ID, as far as service principals use it: tenant metadata, MSAL's instance
 * discovery, and the client-credentials grant on the v2 (`scope=`) and v1 (`resource=`)
 * token endpoints, with a secret, a certificate-signed assertion or a federated ID token.
 * Errors come in Entra's shape (`error`, `error_description` starting with AADSTS…,
 * `error_codes`), with the codes Entra uses for the same mistakes. A token is only issued for
 * a resource the emulator serves (ARM, the registries' audience): any other is a resource
 * principal the tenant does not have, AADSTS500011, as Entra answers it.
 */
import { X509Certificate, randomUUID } from 'node:crypto';
import { issueAccessToken } from './accessTokens';
import type { TokenRequestRecord } from './api';
import type { FederatedTokenIssuer } from './federation';
import { DEFAULT_FEDERATED_AUDIENCE } from './federation';
import { formOf, jsonReply, type Reply, type RequestContext, type Route, type ServiceSpec } from './http';
import type { EmulatorState, Principal } from './state';
import {
  audiences,
  decodeJwt,
  normaliseResource,
  nowSeconds,
  stringClaim,
  verifyRsaJwt,
  type DecodedJwt,
  type HmacTokenSigner,
} from './tokens';

export interface EntraDeps {
  state: EmulatorState;
  signer: HmacTokenSigner;
  federation: FederatedTokenIssuer;
  tokenLifetimeSeconds(): number;
  /** Whether a resource (audience) exists: one the emulator serves. */
  servesResource(resource: string): boolean;
}

/** Entra's refusal of a resource no service principal in the tenant stands for (AADSTS500011). */
export function unknownResource(resource: string, tenant: string): { error: string; code: number; description: string } {
  return {
    error: 'invalid_resource',
    code: 500011,
    description: `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  };
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Entra tolerates this much clock skew on an assertion's not-before time. */
const SKEW_SECONDS = 300;

/** A refusal in Entra's terms: HTTP status, OAuth `error`, AADSTS code and description. */
class EntraError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly description: string,
  ) {
    super(`AADSTS${code}: ${description}`);
  }
}

function entraErrorReply(e: EntraError, ctx: RequestContext): Reply {
  const traceId = randomUUID();
  const correlationId = ctx.header('client-request-id') ?? randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return jsonReply(e.status, {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [e.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${ctx.url.origin}/error?code=${e.code}`,
  });
}

function hostOf(ctx: RequestContext): string {
  return ctx.url.origin;
}

function openIdConfiguration(ctx: RequestContext, tenant: string, v2: boolean): Record<string, unknown> {
  const host = hostOf(ctx);
  const base = `${host}/${tenant}`;
  return {
    token_endpoint: v2 ? `${base}/oauth2/v2.0/token` : `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${host}/${tenant}/discovery/${v2 ? 'v2.0/' : ''}keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: v2 ? `${host}/${tenant}/v2.0` : `https://sts.windows.net/${tenant}/`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${host}/${tenant}/openid/userinfo`,
    authorization_endpoint: v2 ? `${base}/oauth2/v2.0/authorize` : `${base}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/oauth2/${v2 ? 'v2.0/' : ''}devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/${v2 ? 'v2.0/' : ''}logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
    tenant_region_scope: 'WW',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** MSAL's instance discovery: the authority it asked about is an alias of this host. */
function instanceDiscovery(ctx: RequestContext): Reply {
  const host = ctx.url.host;
  let tenant = 'common';
  const asked = ctx.url.searchParams.get('authorization_endpoint');
  const aliases = new Set([host, '127.0.0.1', 'localhost']);
  if (asked) {
    try {
      const u = new URL(asked);
      aliases.add(u.host);
      aliases.add(u.hostname);
      tenant = u.pathname.split('/').filter(Boolean)[0] ?? 'common';
    } catch {
      // keep the defaults
    }
  }
  return jsonReply(200, {
    tenant_discovery_endpoint: `${ctx.url.origin}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [
      { preferred_network: host, preferred_cache: host, aliases: [...aliases] },
      {
        preferred_network: 'login.microsoftonline.com',
        preferred_cache: 'login.windows.net',
        aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
      },
    ],
  });
}

/** The resource of a client-credentials request: `https://x//.default` → `https://x`. */
function resourceFromScope(scope: string): string {
  const defaults = scope.split(/\s+/).filter((s) => s.endsWith('/.default'));
  if (defaults.length !== 1) {
    throw new EntraError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  return normaliseResource(defaults[0].slice(0, -'/.default'.length));
}

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (!value) {
    throw new EntraError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
  }
  return value;
}

function checkTimes(jwt: DecodedJwt): void {
  const now = nowSeconds();
  const exp = jwt.claims.exp;
  const nbf = typeof jwt.claims.nbf === 'number' ? jwt.claims.nbf : undefined;
  // Expiry is checked strictly (tests mint already-expired tokens); not-before with skew.
  if (typeof exp !== 'number' || exp <= now || (nbf !== undefined && nbf - SKEW_SECONDS > now)) {
    const iso = (s: unknown): string => (typeof s === 'number' ? new Date(s * 1000).toISOString() : 'unknown');
    throw new EntraError(
      400,
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, assertion valid from ${iso(nbf ?? jwt.claims.iat)}, expiry time of assertion ${iso(exp)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
    );
  }
}

/** A federated ID token: minted by the emulator's issuer for this principal's credential. */
function checkFederatedAssertion(jwt: DecodedJwt, principal: Principal, deps: EntraDeps): void {
  const federated = principal.federated;
  if (!federated) throw new EntraError(400, 'invalid_client', 700211, 'No matching federated identity record found for presented assertion issuer.');
  const iss = stringClaim(jwt.claims, 'iss');
  if (iss !== federated.issuer) {
    throw new EntraError(400, 'invalid_client', 700211, `No matching federated identity record found for presented assertion issuer '${iss ?? ''}'.`);
  }
  if (!deps.federation.signed(jwt)) {
    throw new EntraError(400, 'invalid_client', 50013, 'Assertion failed signature validation. [Reason - The key was not found.]');
  }
  checkTimes(jwt);
  const sub = stringClaim(jwt.claims, 'sub');
  if (sub !== federated.subject) {
    throw new EntraError(
      400,
      'invalid_client',
      700213,
      `No matching federated identity record found for presented assertion subject '${sub ?? ''}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
    );
  }
  const expectedAudience = federated.audience ?? DEFAULT_FEDERATED_AUDIENCE;
  const aud = audiences(jwt.claims);
  if (!aud.includes(expectedAudience)) {
    throw new EntraError(400, 'invalid_client', 700212, `No matching federated identity record found for presented assertion audience '${aud.join(',')}'.`);
  }
}

/** A certificate credential: an assertion by the app itself, signed by the certificate's key. */
function checkCertificateAssertion(jwt: DecodedJwt, principal: Principal): void {
  if (!principal.certificatePem) {
    throw new EntraError(401, 'invalid_client', 700027, 'Client assertion failed signature validation. No certificate is registered on the application.');
  }
  const key = new X509Certificate(principal.certificatePem).publicKey;
  if (!verifyRsaJwt(jwt, key)) {
    throw new EntraError(
      401,
      'invalid_client',
      700027,
      'The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found.]',
    );
  }
  checkTimes(jwt);
  if (stringClaim(jwt.claims, 'iss') !== principal.clientId || stringClaim(jwt.claims, 'sub') !== principal.clientId) {
    throw new EntraError(400, 'invalid_client', 700023, "Client assertion audience claim does not match Realm issuer. The 'iss' and 'sub' claims must be the client id.");
  }
  // MSAL puts the v2 token endpoint in `aud`, ADAL the v1 one; both are this authority's.
  if (!audiences(jwt.claims).some((a) => /\/oauth2\/(v2\.0\/)?token\/?$/.test(a))) {
    throw new EntraError(400, 'invalid_client', 700016, "Client assertion audience claim must be the token endpoint of the authority.");
  }
}

function authenticateClient(form: URLSearchParams, principal: Principal, deps: EntraDeps): 'secret' | 'assertion' {
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    if (principal.secret === undefined || secret !== principal.secret) {
      throw new EntraError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${principal.clientId}'.`,
      );
    }
    return 'secret';
  }
  if (assertion !== null) {
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      throw new EntraError(400, 'invalid_request', 50027, `Invalid client_assertion_type; expected '${JWT_BEARER}'.`);
    }
    const jwt = decodeJwt(assertion);
    if (!jwt) throw new EntraError(400, 'invalid_request', 50027, 'Invalid JWT token. The token is not in a valid format.');
    const iss = stringClaim(jwt.claims, 'iss');
    if (principal.federated && (iss === principal.federated.issuer || !principal.certificatePem)) {
      checkFederatedAssertion(jwt, principal, deps);
    } else {
      checkCertificateAssertion(jwt, principal);
    }
    return 'assertion';
  }
  throw new EntraError(
    401,
    'invalid_client',
    7000216,
    "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
  );
}

/**
 * What the request log keeps of a token request: tenant, client, audience, the kind of
 * credential and, for an assertion, the claims that identify it (never a secret or a token).
 */
function tokenRequestRecord(tenantId: string, form: URLSearchParams, v1: boolean): TokenRequestRecord {
  const clientId = form.get('client_id') ?? undefined;
  const scope = form.get(v1 ? 'resource' : 'scope') ?? undefined;
  const assertion = form.get('client_assertion');
  const credential = form.get('client_secret') !== null ? 'secret' : assertion !== null ? 'assertion' : 'none';
  const claims = assertion === null ? undefined : decodeJwt(assertion)?.claims;
  return {
    tenantId,
    ...(clientId ? { clientId } : {}),
    ...(scope ? { scope } : {}),
    credential,
    ...(claims
      ? {
          assertion: {
            ...(typeof claims.iss === 'string' ? { iss: claims.iss } : {}),
            ...(typeof claims.jti === 'string' ? { jti: claims.jti } : {}),
            ...(typeof claims.exp === 'number' ? { exp: claims.exp } : {}),
          },
        }
      : {}),
  };
}

function tokenEndpoint(deps: EntraDeps, v1: boolean) {
  return (ctx: RequestContext): Reply => {
    try {
      const tenant = decodeURIComponent(ctx.params[0] ?? '');
      const form = formOf(ctx.body);
      ctx.logBody(tokenRequestRecord(tenant, form, v1));
      const grant = required(form, 'grant_type');
      if (grant !== 'client_credentials') {
        throw new EntraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
      }
      if (!deps.state.knowsTenant(tenant)) {
        throw new EntraError(
          400,
          'invalid_request',
          90002,
          `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        );
      }
      const clientId = required(form, 'client_id');
      const resource = v1 ? normaliseResource(required(form, 'resource')) : resourceFromScope(required(form, 'scope'));
      const principal = deps.state.principal(tenant, clientId);
      if (!principal) {
        throw new EntraError(
          400,
          'unauthorized_client',
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        );
      }
      const method = authenticateClient(form, principal, deps);
      if (!deps.servesResource(resource)) {
        // Entra names the resource as the request wrote it.
        const asWritten = v1 ? (form.get('resource') ?? resource) : ((form.get('scope') ?? '').split(/\s+/).find((x) => x.endsWith('/.default'))?.slice(0, -'/.default'.length) ?? resource);
        const refusal = unknownResource(asWritten, tenant);
        throw new EntraError(400, refusal.error, refusal.code, refusal.description);
      }
      const lifetime = deps.tokenLifetimeSeconds();
      const { token: accessToken, issuedAt: now, exp } = issueAccessToken(deps.signer, principal, resource, lifetime, method);
      if (v1) {
        // The v1 endpoint answers numbers as strings.
        return jsonReply(200, {
          token_type: 'Bearer',
          expires_in: String(lifetime),
          ext_expires_in: String(lifetime),
          expires_on: String(exp),
          not_before: String(now),
          resource: form.get('resource'),
          access_token: accessToken,
        });
      }
      return jsonReply(200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
    } catch (e) {
      if (e instanceof EntraError) return entraErrorReply(e, ctx);
      throw e;
    }
  };
}

function openIdRoute(deps: EntraDeps, v2: boolean) {
  return (ctx: RequestContext): Reply => {
    const tenant = decodeURIComponent(ctx.params[0] ?? '');
    const generic = ['common', 'organizations', 'consumers'].includes(tenant.toLowerCase());
    if (!generic && !deps.state.knowsTenant(tenant)) {
      return entraErrorReply(new EntraError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`), ctx);
    }
    return jsonReply(200, openIdConfiguration(ctx, tenant, v2));
  };
}

export function entraService(deps: EntraDeps): ServiceSpec {
  const routes: Route[] = [
    { name: 'entra.discovery', methods: ['GET'], path: /^\/common\/discovery\/instance\/?$/, handle: instanceDiscovery },
    { name: 'entra.openid', methods: ['GET'], path: /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/, handle: openIdRoute(deps, true) },
    { name: 'entra.openid', methods: ['GET'], path: /^\/([^/]+)\/\.well-known\/openid-configuration$/, handle: openIdRoute(deps, false) },
    { name: 'entra.token', methods: ['POST'], path: /^\/([^/]+)\/oauth2\/v2\.0\/token\/?$/, handle: tokenEndpoint(deps, false) },
    { name: 'entra.tokenV1', methods: ['POST'], path: /^\/([^/]+)\/oauth2\/token\/?$/, handle: tokenEndpoint(deps, true) },
  ];
  return {
    service: 'entra',
    routes,
    notFound: (ctx) => entraErrorReply(new EntraError(404, 'invalid_request', 900561, `The endpoint '${ctx.path}' does not exist.`), ctx),
    faultReply: (status, ctx) =>
      entraErrorReply(
        status === 429 || status >= 500
          ? new EntraError(status, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.')
          : new EntraError(status, 'invalid_request', 90000, `The request failed with status ${status}.`),
        ctx,
      ),
    commonHeaders: () => ({
      'Cache-Control': 'no-store, no-cache',
      Pragma: 'no-cache',
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'x-ms-request-id': randomUUID(),
      'x-ms-ests-server': 'acr-transfer-emulator',
    }),
  };
}
