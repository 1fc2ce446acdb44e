/**
 * Docker Hub's personality on an emulated data plane (`flavour: 'dockerHub'`): what a client of
 * registry-1.docker.io sees differently from distribution and from ACR.
 * - `/v2/_catalog` is refused whoever asks: 401 UNAUTHORIZED with the catalog scope in the
 *   detail, and the token route never grants `registry:catalog:*` (genuinetools/reg#86 and
 *   docker/hub-feedback#1614 quote the answer; regclient#539: "Docker Hub … does not support
 *   the `_catalog` API").
 * - Pull rate limits: every manifest answer carries `ratelimit-limit: <n>;w=21600`,
 *   `ratelimit-remaining: <left>;w=21600` and `docker-ratelimit-source`; a GET is a pull and
 *   counts down, a HEAD does not (Docker's "download rate limit" page: "using GET emulates a
 *   real pull and will count towards the limit; using HEAD will not"). Once spent, a GET
 *   answers 429 TOOMANYREQUESTS "You have reached your pull rate limit…".
 * - No ACR API (`/acr/v1/…` is 404).
 */
import type { AcrAuthDeps } from './acrAuth';
import { jsonReply, type Reply, type RequestContext } from './http';
import type { RegistryState } from './state';

/** Docker's six-hour window, seconds. */
export const DOCKER_HUB_WINDOW_SECONDS = 21_600;

/** Docker Hub's words for a spent allowance (Docker's download-rate-limit page). */
export const PULL_LIMIT_MESSAGE =
  'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limits';

/** The answer Docker Hub gives `/v2/_catalog` (quoted in genuinetools/reg#86). */
export function hubCatalogRefusal(registry: RegistryState): Reply {
  const host = registry.loginServer;
  return jsonReply(
    401,
    { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: [{ Type: 'registry', Class: '', Name: 'catalog', Action: '*' }] }] },
    { 'WWW-Authenticate': `Bearer realm="https://${host}/oauth2/token",service="${host}",scope="registry:catalog:*",error="insufficient_scope"` },
  );
}

interface Allowance {
  used: number;
  windowStart: number;
}

/** Pulls per source (the caller's IP when anonymous, the user when signed in), in Docker's window. */
export class PullAllowances {
  private readonly bySource = new Map<string, Allowance>();

  constructor(private readonly now: () => number = Date.now) {}

  private allowance(source: string): Allowance {
    const t = this.now();
    let a = this.bySource.get(source);
    if (!a || t - a.windowStart >= DOCKER_HUB_WINDOW_SECONDS * 1000) {
      a = { used: 0, windowStart: t };
      this.bySource.set(source, a);
    }
    return a;
  }

  remaining(source: string, limit: number): number {
    return Math.max(0, limit - this.allowance(source).used);
  }

  /** Counts one pull; false when none was left. */
  take(source: string, limit: number): boolean {
    const a = this.allowance(source);
    if (a.used >= limit) return false;
    a.used += 1;
    return true;
  }

  /** Seconds until the source's window starts over. */
  secondsLeft(source: string): number {
    const a = this.allowance(source);
    return Math.max(1, Math.ceil((a.windowStart + DOCKER_HUB_WINDOW_SECONDS * 1000 - this.now()) / 1000));
  }
}

/** Whose allowance a request uses: the signed-in user, or the caller's address. */
function sourceOf(ctx: RequestContext, deps: AcrAuthDeps): { key: string; header: string; authenticated: boolean } {
  const m = /^Bearer\s+(\S+)$/i.exec(ctx.header('authorization') ?? '');
  const check = m ? deps.acrSigner.check(m[1] ?? '') : undefined;
  const sub = check?.ok ? check.claims.sub : undefined;
  if (typeof sub === 'string' && sub !== '' && sub !== 'anonymous') return { key: `user:${sub}`, header: sub, authenticated: true };
  const ip = ctx.req.socket.remoteAddress ?? '127.0.0.1';
  return { key: `ip:${ip}`, header: ip.replace(/^::ffff:/, ''), authenticated: false };
}

/**
 * Wraps the manifest route: answers that a client may see (200) carry the rate-limit headers;
 * a GET takes one pull first, and with none left answers 429 instead.
 */
export function rateLimitedManifests(
  registry: RegistryState,
  deps: AcrAuthDeps,
  allowances: PullAllowances,
  handle: (ctx: RequestContext) => Reply,
): (ctx: RequestContext) => Reply {
  return (ctx) => {
    const reply = handle(ctx);
    if (ctx.method === 'PUT' || reply.status !== 200) return reply;
    const source = sourceOf(ctx, deps);
    const limit = source.authenticated ? registry.dockerHubPullLimits.authenticated : registry.dockerHubPullLimits.anonymous;
    const headers = (left: number): Record<string, string> => ({
      'ratelimit-limit': `${limit};w=${DOCKER_HUB_WINDOW_SECONDS}`,
      'ratelimit-remaining': `${left};w=${DOCKER_HUB_WINDOW_SECONDS}`,
      'docker-ratelimit-source': source.header,
    });
    if (ctx.method === 'GET' && !allowances.take(source.key, limit)) {
      return jsonReply(429, { errors: [{ code: 'TOOMANYREQUESTS', message: PULL_LIMIT_MESSAGE }] }, { ...headers(0), 'Retry-After': String(allowances.secondsLeft(source.key)) });
    }
    return { ...reply, headers: { ...reply.headers, ...headers(allowances.remaining(source.key, limit)) } };
  };
}
