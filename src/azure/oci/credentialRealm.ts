/**
 * Where a registry's credentials may go (issue 14, security). A Bearer challenge names a token
 * realm, and the reader sends the user's credentials there as Basic auth; a registry (or a
 * proxy or a tampered answer in front of it) could name any URL. The credentials go only to:
 * - the registry's own API host, any port;
 * - a host on the same registrable domain as the API host (`registry.example.com` →
 *   `auth.example.com`), except on shared domains (below);
 * - a documented auth host: Docker Hub's `auth.docker.io`.
 * and only over HTTPS. Anything else is refused before a byte is sent.
 *
 * The registrable domain is kept simple on purpose, not the Public Suffix List: the last two
 * labels of the host name, or the last three when the second-to-last label with the last one
 * is a known two-part public suffix (`co.uk`, `com.au`…, MULTI_PART_SUFFIXES). Shared hosting
 * domains where unrelated parties own sibling names (`azurecr.io`, `cloudfront.net`…) would
 * pass that rule, so a realm under one of SHARED_DOMAINS must be the API host itself. An IP
 * address only ever matches itself.
 */
import { isIP } from 'node:net';

/** Second-level suffixes under which the registrable domain has three labels. */
const MULTI_PART_SUFFIXES: ReadonlySet<string> = new Set([
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'com.au', 'net.au', 'org.au', 'co.jp', 'ne.jp', 'or.jp', 'co.nz', 'com.br', 'com.cn',
  'co.in', 'co.kr', 'com.mx', 'co.za', 'com.sg', 'com.tr', 'com.tw',
]);

/**
 * Domains whose names belong to many unrelated tenants (registries, CDNs, cloud hosting): two
 * names under one of them are not one party, so only the API host itself qualifies there.
 */
const SHARED_DOMAINS: ReadonlySet<string> = new Set([
  'azurecr.io', 'azurecr.cn', 'azurecr.us', 'amazonaws.com', 'cloudfront.net', 'pkg.dev', 'azurewebsites.net', 'herokuapp.com',
  'github.io', 'appspot.com', 'cloudapp.net', 'windows.net', 'googleusercontent.com', 'nip.io', 'sslip.io', 'localhost',
]);

/** Token realms a registry documents on another domain, by the registry's API host. */
const DOCUMENTED_AUTH_HOSTS: ReadonlyMap<string, readonly string[]> = new Map([['registry-1.docker.io', ['auth.docker.io']]]);

/** A host name without brackets, port, case or trailing dot. */
function normalHostname(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

/** The registrable domain of a host name (see the file comment), or the address itself for an IP. */
export function registrableDomain(hostname: string): string {
  const host = normalHostname(hostname);
  if (isIP(host) !== 0) return host;
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const lastTwo = labels.slice(-2).join('.');
  return MULTI_PART_SUFFIXES.has(lastTwo) ? labels.slice(-3).join('.') : lastTwo;
}

/**
 * Why the user's credentials must not go to `realm` for the registry served on `apiHost`
 * (`host[:port]`), or undefined when they may.
 */
export function realmRefusal(apiHost: string, realm: URL): string | undefined {
  if (realm.protocol !== 'https:') return 'is not HTTPS';
  if (realm.username !== '' || realm.password !== '') return 'carries credentials of its own';
  const api = normalHostname(new URL(`https://${apiHost}`).hostname);
  const target = normalHostname(realm.hostname);
  if (target === api) return undefined;
  if (DOCUMENTED_AUTH_HOSTS.get(api)?.includes(target)) return undefined;
  if (isIP(api) !== 0 || isIP(target) !== 0) return 'is not the registry\'s own address';
  const domain = registrableDomain(api);
  if (SHARED_DOMAINS.has(domain) || registrableDomain(target) !== domain) return 'is not on the registry\'s own domain';
  return undefined;
}
