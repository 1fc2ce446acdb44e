/**
 * The ACR data plane's token dance (Azure/acr docs/AAD-OAuth.md), as recorded from real
 * registries: a protected route without a valid bearer answers 401 with a
 * `WWW-Authenticate: Bearer realm="…/oauth2/token",service="…",scope="…"` challenge;
 * `POST /oauth2/exchange` trades an Entra access token for an ACR refresh token;
 * `POST /oauth2/token` trades that for an access token granting the scopes the caller's roles
 * allow (and silently not the others, like ACR). Both ACR tokens are JWTs of the emulator.
 */
import { randomUUID } from 'node:crypto';
import type { AcrTokenRequestRecord } from './api';
import { formOf, jsonReply, type Reply, type RequestContext } from './http';
import { basicCredentials, signInWithPassword, type PasswordIdentity } from './registryCredentials';
import { allowsDataPlane, hasDataPlaneAccess, type DataPlaneAction } from './roles';
import type { EmulatorState, Principal, RegistryState } from './state';
import { audiences, nowSeconds, sameResource, stringClaim, type Claims, type HmacTokenSigner } from './tokens';

export interface AcrAuthDeps {
  state: EmulatorState;
  /** Checks the Entra tokens brought to /oauth2/exchange. */
  entraSigner: HmacTokenSigner;
  /** Signs and checks ACR refresh and access tokens. */
  acrSigner: HmacTokenSigner;
  acrAudience: string;
  armAudiences(): string[];
  tokenLifetimeSeconds(): number;
}

/** One scope as ACR writes it: `repository:library/hello-world:pull,push`, `registry:catalog:*`. */
export interface AccessScope {
  type: string;
  name: string;
  actions: string[];
}

export function parseScope(text: string): AccessScope | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  return { type: text.slice(0, first), name: text.slice(first + 1, last), actions: text.slice(last + 1).split(',').filter(Boolean) };
}

/**
 * A header cannot carry control characters (Node refuses to send it, and the emulator would
 * crash): a repository name a hostile catalog made up is percent-encoded where it has them.
 */
const headerSafe = (text: string): string => text.replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c));
const formatScope = (s: AccessScope): string => `${s.type}:${headerSafe(s.name)}:${s.actions.join(',')}`;

export function acrErrors(status: number, code: string, message: string, detail?: unknown, headers: Record<string, string> = {}): Reply {
  return jsonReply(status, { errors: [{ code, message, ...(detail === undefined ? {} : { detail }) }] }, headers);
}

export const AUTH_REQUIRED = 'authentication required, visit https://aka.ms/acr/authorization for more information.';

/**
 * The 401 challenge. `/v2/` carries no scope (real ACR; az's parser also breaks on a comma in
 * it); protected routes name the scope they need, without spaces after the commas.
 */
export function challenge(registry: RegistryState, scope?: AccessScope, error?: string): Reply {
  const host = registry.loginServer;
  let header = `Bearer realm="https://${host}/oauth2/token",service="${host}"`;
  if (scope) header += `,scope="${formatScope(scope)}"`;
  if (error) header += `,error="${error}"`;
  const detail = scope ? scope.actions.map((a) => ({ Type: scope.type, Name: scope.name, Action: a })) : null;
  return acrErrors(401, 'UNAUTHORIZED', AUTH_REQUIRED, detail, { 'WWW-Authenticate': header });
}

/**
 * Which data-plane permission an ACR scope action needs (roles.ts maps each to the role
 * actions and data actions that grant it). `registry:catalog:*` is the catalog listing.
 */
function dataPlaneActionFor(scope: AccessScope, action: string): DataPlaneAction | undefined {
  if (scope.type === 'registry') return scope.name === 'catalog' && action === '*' ? 'catalog' : undefined;
  if (scope.type !== 'repository') return undefined;
  switch (action) {
    case 'pull':
      return 'pull';
    case 'metadata_read':
      return 'metadata_read';
    case 'push':
      return 'push';
    case 'metadata_write':
      return 'metadata_write';
    case 'delete':
      return 'delete';
    default:
      return undefined;
  }
}

/** The part of the requested scopes the principal's roles allow. */
function grant(principal: Principal | undefined, registry: RegistryState, requested: AccessScope[]): AccessScope[] {
  const granted: AccessScope[] = [];
  for (const scope of requested) {
    const actions = scope.actions.filter((a) => {
      const needed = dataPlaneActionFor(scope, a);
      return needed !== undefined && allowsDataPlane(principal, registry.resourceId, needed);
    });
    if (actions.length > 0) granted.push({ ...scope, actions });
  }
  return granted;
}

function baseClaims(registry: RegistryState, lifetime: number, subject: Claims): Claims {
  const now = nowSeconds();
  return {
    jti: randomUUID(),
    sub: subject.sub,
    nbf: now,
    exp: now + lifetime,
    iat: now,
    iss: 'Azure Container Registry',
    aud: registry.loginServer,
    version: '1.0',
    rid: randomUUID().replace(/-/g, ''),
    appid: subject.appid,
    tenant: subject.tenant,
  };
}

/** `POST /oauth2/exchange`: Entra access token → ACR refresh token. */
export function exchange(ctx: RequestContext, registry: RegistryState, deps: AcrAuthDeps): Reply {
  const form = formOf(ctx.body);
  const grantType = form.get('grant_type');
  if (grantType !== 'access_token' && grantType !== 'access_token_refresh_token') {
    return acrErrors(400, 'UNSUPPORTED', `grant_type '${grantType ?? ''}' is not supported; use access_token.`);
  }
  const service = form.get('service');
  if (!service || service.toLowerCase() !== registry.loginServer) {
    return acrErrors(400, 'INVALID_SERVICE', `service '${service ?? ''}' does not name this registry ('${registry.loginServer}').`);
  }
  const token = form.get('access_token');
  if (!token) return acrErrors(400, 'INVALID_REQUEST', 'access_token is required.');
  const check = deps.entraSigner.check(token);
  if (!check.ok) {
    return acrErrors(401, 'UNAUTHORIZED', check.reason === 'expired' ? 'The access token has expired.' : 'The access token is invalid.');
  }
  const aud = audiences(check.claims);
  const acrAudience = aud.some((a) => sameResource(a, deps.acrAudience));
  const armAudience = aud.some((a) => deps.armAudiences().some((b) => sameResource(a, b)));
  if (!acrAudience && !armAudience) {
    return acrErrors(401, 'UNAUTHORIZED', `The access token's audience '${aud.join(',')}' is not accepted; use ${deps.acrAudience}.`);
  }
  if (!acrAudience && registry.aadAuthAsArmPolicy === 'disabled') {
    return acrErrors(
      401,
      'UNAUTHORIZED',
      `Azure AD authentication as ARM policy is disabled on the registry: tokens for the ARM audience are not accepted, use an Entra token for ${deps.acrAudience}.`,
    );
  }
  const tenantId = stringClaim(check.claims, 'tid') ?? '';
  const tenant = form.get('tenant');
  if (tenant && tenant.toLowerCase() !== tenantId.toLowerCase()) {
    return acrErrors(401, 'UNAUTHORIZED', `The access token is from tenant '${tenantId}', not '${tenant}'.`);
  }
  const clientId = stringClaim(check.claims, 'appid') ?? '';
  const principal = deps.state.principal(tenantId, clientId);
  if (!hasDataPlaneAccess(principal, registry.resourceId)) {
    return acrErrors(401, 'UNAUTHORIZED', `The identity '${clientId}' has no role on registry '${registry.name}'.`);
  }
  const refresh = deps.acrSigner.sign({
    ...baseClaims(registry, deps.tokenLifetimeSeconds(), { sub: stringClaim(check.claims, 'oid'), appid: clientId, tenant: tenantId }),
    grant_type: 'refresh_token',
    permissions: { actions: ['read', 'write', 'delete'], notActions: [] },
    roles: [],
  });
  return jsonReply(200, { refresh_token: refresh });
}

/** The scopes a request asks for, both ways the distribution spec writes them. */
export function askedScopes(form: URLSearchParams): string[] {
  return form
    .getAll('scope')
    .flatMap((s) => s.split(' '))
    .filter(Boolean);
}

/** What anonymous pull allows: reading, never writing (pull, metadata_read, the catalog). */
const ANONYMOUS_ACTIONS: ReadonlySet<DataPlaneAction> = new Set(['pull', 'metadata_read', 'catalog']);

/**
 * The scopes a password identity (a repository-scoped token, the admin user, a service principal) gets: of each
 * scope asked, the actions it allows. Docker Hub's personality never grants the catalog.
 */
function grantToIdentity(registry: RegistryState, identity: PasswordIdentity, requested: AccessScope[]): AccessScope[] {
  const granted: AccessScope[] = [];
  for (const scope of requested) {
    const actions = scope.actions.filter((a) => {
      const needed = dataPlaneActionFor(scope, a);
      if (needed === undefined) return false;
      // The admin user lists the catalog, a service principal when its roles allow; a token never.
      if (needed === 'catalog') return registry.flavour === 'acr' && (identity.kind === 'admin' || (identity.kind === 'principal' && identity.allows(scope.name, 'catalog')));
      return identity.allows(scope.name, needed);
    });
    if (actions.length > 0) granted.push({ ...scope, actions });
  }
  return granted;
}

/** What anonymous pull grants of the scopes asked (Docker Hub's personality: never the catalog). */
function grantAnonymous(registry: RegistryState, requested: AccessScope[]): AccessScope[] {
  const granted: AccessScope[] = [];
  for (const scope of requested) {
    const actions = scope.actions.filter((a) => {
      const needed = dataPlaneActionFor(scope, a);
      return needed !== undefined && ANONYMOUS_ACTIONS.has(needed) && !(needed === 'catalog' && registry.flavour === 'dockerHub');
    });
    if (actions.length > 0) granted.push({ ...scope, actions });
  }
  return granted;
}

/**
 * An access token for a password sign-in or an anonymous caller, for the scopes asked. The
 * answer never carries the password, and the log entry only the scopes.
 */
function passwordOrAnonymousToken(
  ctx: RequestContext,
  registry: RegistryState,
  deps: AcrAuthDeps,
  service: string | null,
  asked: string[],
  credentials: { username: string; password: string } | undefined,
): Reply {
  const identity = credentials ? signInWithPassword(registry, credentials.username, credentials.password, (tenantId, clientId) => deps.state.principal(tenantId, clientId)) : undefined;
  if (credentials && !identity) return acrErrors(401, 'UNAUTHORIZED', AUTH_REQUIRED);
  if (!identity && !registry.anonymousPullEnabled) return acrErrors(401, 'UNAUTHORIZED', 'Anonymous pull and admin credentials are disabled on this registry.');
  if (!service || service.toLowerCase() !== registry.loginServer) {
    return acrErrors(400, 'INVALID_SERVICE', `service '${service ?? ''}' does not name this registry ('${registry.loginServer}').`);
  }
  const requested = asked.map(parseScope).filter((s): s is AccessScope => s !== undefined);
  const granted = identity ? grantToIdentity(registry, identity, requested) : grantAnonymous(registry, requested);
  const subject = identity ? identity.name : 'anonymous';
  const record: AcrTokenRequestRecord = { scopes: asked, granted: granted.map(formatScope) };
  ctx.logBody(record);
  const access = deps.acrSigner.sign({
    ...baseClaims(registry, deps.tokenLifetimeSeconds(), { sub: subject }),
    grant_type: 'access_token',
    access: granted,
    roles: [],
  });
  return jsonReply(200, { access_token: access });
}

/**
 * `grant_type=password`: with `username` and `password`, a repository-scoped token or the
 * admin user signs in; without a user name and with an empty `refresh_token` it is how clients
 * ask for an anonymous token (recorded: the JS SDK's anonymous catalog listing, 2023,
 * `js_list_repositories_anonymous.json`), granted the read scopes when anonymous pull is on.
 */
function passwordGrant(ctx: RequestContext, registry: RegistryState, deps: AcrAuthDeps, form: URLSearchParams): Reply {
  const username = form.get('username');
  const password = form.get('password');
  if (form.get('refresh_token') || (!username && password) || (username && !password)) {
    return acrErrors(401, 'UNAUTHORIZED', 'Anonymous pull and admin credentials are disabled on this registry.');
  }
  const credentials = username && password ? { username, password } : undefined;
  return passwordOrAnonymousToken(ctx, registry, deps, form.get('service'), askedScopes(form), credentials);
}

/**
 * `GET /oauth2/token?service=…&scope=…` (the REST spec's "Exchange Username, Password and Scope
 * for an ACR Access Token", what docker sends): Basic credentials of a token or the admin user,
 * or none for anonymous pull. Answers `{access_token}`.
 */
export function tokenByLogin(ctx: RequestContext, registry: RegistryState, deps: AcrAuthDeps): Reply {
  const header = ctx.header('authorization');
  const credentials = basicCredentials(header);
  if (header && !credentials) return acrErrors(401, 'UNAUTHORIZED', AUTH_REQUIRED);
  return passwordOrAnonymousToken(ctx, registry, deps, ctx.url.searchParams.get('service'), askedScopes(ctx.url.searchParams), credentials);
}

/** `POST /oauth2/token`: ACR refresh token + scopes → ACR access token. */
export function token(ctx: RequestContext, registry: RegistryState, deps: AcrAuthDeps): Reply {
  const form = formOf(ctx.body);
  const grantType = form.get('grant_type');
  if (grantType === 'password') return passwordGrant(ctx, registry, deps, form);
  if (grantType !== 'refresh_token') return acrErrors(400, 'UNSUPPORTED', `grant_type '${grantType ?? ''}' is not supported; use refresh_token.`);
  const service = form.get('service');
  if (!service || service.toLowerCase() !== registry.loginServer) {
    return acrErrors(400, 'INVALID_SERVICE', `service '${service ?? ''}' does not name this registry ('${registry.loginServer}').`);
  }
  const check = deps.acrSigner.check(form.get('refresh_token') ?? '');
  if (!check.ok) {
    return acrErrors(401, 'UNAUTHORIZED', check.reason === 'expired' ? 'The refresh token has expired.' : 'The refresh token is invalid.');
  }
  if (check.claims.aud !== registry.loginServer || check.claims.grant_type !== 'refresh_token') {
    return acrErrors(401, 'UNAUTHORIZED', 'The refresh token was not issued by this registry.');
  }
  // Several scopes in one request, both ways the distribution spec writes them: the `scope`
  // parameter repeated (token.md, the GET form) or one space-separated list (oauth.md, the POST
  // form docker sends with a refresh token). The token grants each one the principal may have.
  const asked = askedScopes(form);
  const requested = asked.map(parseScope).filter((s): s is AccessScope => s !== undefined);
  const principal = deps.state.principal(stringClaim(check.claims, 'tenant') ?? '', stringClaim(check.claims, 'appid') ?? '');
  const granted = grant(principal, registry, requested);
  const record: AcrTokenRequestRecord = { scopes: asked, granted: granted.map(formatScope) };
  ctx.logBody(record);
  const access = deps.acrSigner.sign({
    ...baseClaims(registry, deps.tokenLifetimeSeconds(), check.claims),
    grant_type: 'access_token',
    access: granted,
    roles: [],
  });
  return jsonReply(200, { access_token: access });
}

/**
 * Lets a data-plane request through when its bearer is an access token of this registry
 * granting `needed`; answers the 401 challenge for that scope otherwise.
 */
export function authorize(ctx: RequestContext, registry: RegistryState, deps: AcrAuthDeps, needed: AccessScope): Reply | undefined {
  const header = ctx.header('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return challenge(registry, needed);
  const check = deps.acrSigner.check(match[1]);
  if (!check.ok || check.claims.aud !== registry.loginServer || check.claims.grant_type !== 'access_token') {
    return challenge(registry, needed, 'invalid_token');
  }
  const access = Array.isArray(check.claims.access) ? (check.claims.access as AccessScope[]) : [];
  const allowed = needed.actions.every((a) =>
    access.some((s) => s.type === needed.type && s.name === needed.name && (s.actions.includes(a) || s.actions.includes('*'))),
  );
  return allowed ? undefined : challenge(registry, needed, 'insufficient_scope');
}

/** `/v2/`: 200 to any valid access token of this registry, the scope-less challenge otherwise. */
export function authenticatedAtAll(ctx: RequestContext, registry: RegistryState, deps: AcrAuthDeps): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.header('authorization') ?? '');
  if (!match) return false;
  const check = deps.acrSigner.check(match[1]);
  return check.ok && check.claims.aud === registry.loginServer && check.claims.grant_type === 'access_token';
}
