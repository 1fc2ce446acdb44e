import { OptionsError } from './optionsError';

/** DNS labels (letters, digits, inner hyphens) or an IPv4 address, then an optional port. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::(\d{1,5}))?$/;

/**
 * A registry named by its address (`--source-registry-uri`): the host, with a port when it is
 * not 443, as importImage's `source.registryUri` takes it. A scheme or a path is refused rather
 * than cut off, because `https://ghcr.io/org` usually means a repository was pasted where the
 * host belongs, and guessing which part was meant could copy the wrong thing. Lower-cased: DNS
 * ignores case, and the address is compared with the target's and with auth hosts.
 */
export function checkRegistryHost(label: string, text: string): string {
  const host = text.toLowerCase();
  const refuse = (why: string): OptionsError => new OptionsError('RegistryHostInvalid', [label, text, why], `${label} "${text}" is not a registry host: ${why}`);
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(host)) throw refuse('leave out the scheme, e.g. ghcr.io instead of https://ghcr.io');
  if (host.includes('/')) throw refuse('give the host alone; name repositories with --repository');
  if (host.includes('@')) throw refuse('give the host alone; credentials go in --source-username and the password file or variable');
  const match = HOST.exec(host);
  if (match === null || host.length > 253) throw refuse('use a DNS name or an IPv4 address, optionally with :port');
  const port = match[1] === undefined ? undefined : Number(match[1]);
  if (port !== undefined && (port < 1 || port > 65_535)) throw refuse('the port must be 1 to 65535');
  return host;
}
