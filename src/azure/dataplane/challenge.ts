/**
 * Reads a registry's `WWW-Authenticate: Bearer realm="…",service="…"[,scope="…"]` challenge.
 * Real ACR writes no spaces after commas, but other registries and proxies do, and a scope
 * such as `repository:app:pull,push` carries a comma inside its quotes; both are accepted.
 */

export interface BearerChallenge {
  /** Token endpoint, e.g. `https://myreg.azurecr.io/oauth2/token`. */
  realm: string;
  /** The `service` value to send with token requests (the login server). */
  service: string;
  /** Space-separated scopes the failed request needed, when the registry says. */
  scope?: string;
  /** `invalid_token` and the like, when the registry says. */
  error?: string;
}

const PARAM = /\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s",]*))\s*(?:,|$)/y;

/** The Bearer challenge of a header value, or undefined when there is none with realm and service. */
export function parseBearerChallenge(header: string | null | undefined): BearerChallenge | undefined {
  if (!header) return undefined;
  const start = /(?:^|,)\s*Bearer\s+/i.exec(header);
  if (!start) return undefined;
  const params = new Map<string, string>();
  PARAM.lastIndex = start.index + start[0].length;
  for (;;) {
    const at = PARAM.lastIndex;
    if (at >= header.length) break;
    const match = PARAM.exec(header);
    if (!match) break;
    const key = match[1].toLowerCase();
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
    if (!params.has(key)) params.set(key, value);
    if (PARAM.lastIndex === at) break;
  }
  const realm = params.get('realm');
  const service = params.get('service');
  if (!realm || !service) return undefined;
  const scope = params.get('scope');
  const error = params.get('error');
  return { realm, service, ...(scope ? { scope } : {}), ...(error ? { error } : {}) };
}
