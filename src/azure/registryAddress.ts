/**
 * The host a registry's data plane is reached at comes from ARM's answer (`loginServer`), and the
 * registry's Entra token is sent there. A host outside the cloud's registry domain (`azurecr.io`,
 * `azurecr.us`, `azurecr.cn`, or the one configured for a private DNS zone or the emulator) is
 * refused before any token could go to it: a tampered or misrouted answer must not collect tokens.
 */
import type { AzureCloud } from './cloud';
import type { RegistryRef, RegistrySide } from './registryRef';

export class RegistryAddressRefused extends Error {
  constructor(
    readonly registryName: string,
    readonly side: RegistrySide,
    readonly host: string,
    readonly domain: string,
  ) {
    super(
      `the ${side} registry "${registryName}" is reached at "${host}", which is not under ${domain}; no token is sent there ` +
        '(for a private DNS zone or another domain, give the registry domain)',
    );
    this.name = 'RegistryAddressRefused';
  }
}

/** The host of a login server (`name.azurecr.io`, `127.0.0.1:8443`), lower case; undefined if unreadable. */
function hostOf(loginServer: string): string | undefined {
  try {
    const url = new URL(`https://${loginServer}`);
    return url.pathname === '/' && url.username === '' && url.search === '' ? url.hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

export function checkRegistryAddress(ref: RegistryRef, side: RegistrySide, cloud: AzureCloud): void {
  const domain = cloud.registryDomain;
  const host = hostOf(ref.loginServer);
  if (host === undefined || (host !== domain && !host.endsWith(`.${domain}`))) {
    throw new RegistryAddressRefused(ref.name, side, ref.loginServer, domain);
  }
}
