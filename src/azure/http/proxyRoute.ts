/**
 * Which proxy, if any, a request goes through: decided per request URL, so a bypass list can
 * send a registry on a private endpoint straight to it while ARM and Entra go through the
 * proxy. The front end supplies the rule (the task: the agent's proxy and bypass list; the
 * command line: HTTPS_PROXY / NO_PROXY, below); the transport applies it (routing.ts).
 */

/** The proxy for a request URL (its user name and password included), or undefined for direct. */
export type ProxyResolver = (url: string) => URL | undefined;

/** A proxy given as an address: `http://host:port`, or `host:port` (taken as http). */
export function proxyUrlOf(value: string): URL {
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
}

export type Env = Record<string, string | undefined>;

/**
 * The proxy environment as the Azure SDK reads it (@typespec/ts-http-runtime's proxyPolicy,
 * which core-rest-pipeline 1.24 uses), so the command line behaves as it did when the SDK
 * applied it, and as other Azure SDK tools on the same machine do:
 * - the proxy is HTTPS_PROXY, else ALL_PROXY, else HTTP_PROXY (each upper case first, then
 *   lower case), for every request, https and http alike;
 * - NO_PROXY (or no_proxy) is a comma-separated list; an entry that starts with a dot matches
 *   that domain and every name under it (`.corp.example` matches `corp.example` and
 *   `a.corp.example`), any other entry matches one host name exactly. Entries are compared
 *   with the URL's host name only: a `host:port` entry, a `*`, a wildcard or an address range
 *   matches nothing (the SDK's rule; curl and Go read some of them otherwise).
 * One difference: entries are compared without regard to case, as host names are (the SDK
 * compares the lower-cased host with the entry as written).
 */
export function envProxyResolver(env: Env): ProxyResolver | undefined {
  const value = envValue(env, 'HTTPS_PROXY') ?? envValue(env, 'ALL_PROXY') ?? envValue(env, 'HTTP_PROXY');
  if (value === undefined) return undefined;
  const proxy = proxyUrlOf(value);
  const noProxy = (envValue(env, 'NO_PROXY') ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  return (url) => (bypassedByNoProxy(new URL(url).hostname, noProxy) ? undefined : proxy);
}

export function bypassedByNoProxy(host: string, entries: readonly string[]): boolean {
  return entries.some((entry) => (entry.startsWith('.') ? host.endsWith(entry) || host === entry.slice(1) : host === entry));
}

function envValue(env: Env, name: string): string | undefined {
  const value = env[name] || env[name.toLowerCase()];
  return value ? value : undefined;
}

/**
 * Azure's instance metadata service (IMDS): the managed-identity endpoint of VMs and scale
 * sets, a link-local address no proxy can reach.
 */
export const IMDS_HOST = '169.254.169.254';
