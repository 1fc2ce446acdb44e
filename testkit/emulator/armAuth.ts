/**
 * How Azure Resource Manager judges a caller: a bearer token Entra issued for ARM's audience
 * (its own endpoint, https://management.azure.com or https://management.core.windows.net,
 * with or without trailing slash), not expired, from the tenant of the subscription asked
 * about; then RBAC on the resource. Errors use ARM's codes and message forms.
 */
import { randomUUID } from 'node:crypto';
import { jsonReply, type Reply, type RequestContext } from './http';
import type { EmulatorState, Principal, SubscriptionState } from './state';
import { audiences, sameResource, stringClaim, type Claims, type HmacTokenSigner } from './tokens';

export function armError(status: number, code: string, message: string, headers: Record<string, string> = {}): Reply {
  return jsonReply(status, { error: { code, message } }, headers);
}

export interface ArmCaller {
  claims: Claims;
  tenantId: string;
  clientId: string;
  objectId: string;
  /** Undefined when the token's app is not (or no longer) a principal of the fixture. */
  principal?: Principal;
}

export interface ArmAuthDeps {
  state: EmulatorState;
  signer: HmacTokenSigner;
  armEndpoint(): string;
  authorityHost(): string;
  /** Audiences configured besides the usual ones (Azure Stack Hub's). */
  extraArmAudiences?: readonly string[];
}

/** The audiences ARM accepts, as its own error message lists them. */
export function armAudiences(armEndpoint: string, extra: readonly string[] = []): string[] {
  return [...extra, armEndpoint, 'https://management.azure.com', 'https://management.core.windows.net'];
}

/** .NET's invariant date form, as ARM prints token times. */
function dotNetTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const h = d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
}

export function authenticateArm(ctx: RequestContext, deps: ArmAuthDeps): ArmCaller | Reply {
  const unauthorized = (code: string, message: string): Reply =>
    armError(401, code, message, {
      'WWW-Authenticate': `Bearer authorization_uri="${deps.authorityHost()}/", error="invalid_token", error_description="${message.replace(/"/g, "'")}"`,
    });
  const header = ctx.header('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return unauthorized('InvalidAuthenticationToken', "Authentication failed. The 'Authorization' header is missing or not a bearer token.");
  const check = deps.signer.check(match[1]);
  if (!check.ok && check.reason === 'expired') {
    return unauthorized(
      'ExpiredAuthenticationToken',
      `The access token expiry UTC time '${dotNetTime(check.exp)}' is earlier than current UTC time '${dotNetTime(Math.floor(Date.now() / 1000))}'.`,
    );
  }
  if (!check.ok) return unauthorized('InvalidAuthenticationToken', 'The access token is invalid.');
  const allowed = armAudiences(deps.armEndpoint(), deps.extraArmAudiences);
  const aud = audiences(check.claims);
  if (!aud.some((a) => allowed.some((b) => sameResource(a, b)))) {
    return unauthorized(
      'InvalidAuthenticationToken',
      `The access token has been obtained for wrong audience or resource '${aud.join(',')}'. It should exactly match with one of the allowed audiences '${allowed.flatMap((a) => [`${a}/`, a]).join("','")}'.`,
    );
  }
  const tenantId = stringClaim(check.claims, 'tid') ?? '';
  const clientId = stringClaim(check.claims, 'appid') ?? '';
  return {
    claims: check.claims,
    tenantId,
    clientId,
    objectId: stringClaim(check.claims, 'oid') ?? '',
    principal: deps.state.principal(tenantId, clientId),
  };
}

/** Tells a finished answer from a value to carry on with (no such value has a `status`). */
export function isReply<T extends object>(value: T | Reply): value is Reply {
  return 'status' in value && typeof value.status === 'number';
}

/** ARM answers for a subscription only to tokens of the subscription's tenant. */
export function checkSubscription(caller: ArmCaller, subscriptionId: string, deps: ArmAuthDeps): SubscriptionState | Reply {
  const subscription = deps.state.subscription(subscriptionId);
  if (!subscription) return armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  if (subscription.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) {
    return armError(
      401,
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer 'https://sts.windows.net/${caller.tenantId}/'. It must match the tenant 'https://sts.windows.net/${subscription.tenantId}/' associated with this subscription. Please use the authority (URL) '${deps.authorityHost()}/${subscription.tenantId}' to get the token.`,
    );
  }
  return subscription;
}

export function authorizationFailed(caller: ArmCaller, action: string, scope: string): Reply {
  return armError(
    403,
    'AuthorizationFailed',
    `The client '${caller.clientId}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/**
 * ARM's 403 when the caller may act on the target but not on a scope the request links to,
 * in the form recorded for importImage (Azure/acr#237, 2019): the linked action named 'read'.
 */
export function linkedAuthorizationFailed(caller: ArmCaller, action: string, scope: string, linkedScope: string): Reply {
  return armError(
    403,
    'LinkedAuthorizationFailed',
    `The client '${caller.clientId}' with object id '${caller.objectId}' has permission to perform action '${action}' on scope '${scope}'; however, it does not have permission to perform action 'read' on the linked scope(s) '${linkedScope}'.`,
  );
}

/** Headers on every ARM answer. */
export function armCommonHeaders(ctx: RequestContext): Record<string, string> {
  const requestId = randomUUID();
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return {
    'Cache-Control': 'no-cache',
    Pragma: 'no-cache',
    Expires: '-1',
    'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
    'X-Content-Type-Options': 'nosniff',
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': ctx.header('x-ms-correlation-request-id') ?? requestId,
    'x-ms-routing-request-id': `LOCAL:${stamp}:${requestId}`,
  };
}
