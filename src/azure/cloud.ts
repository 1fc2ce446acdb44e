/**
 * Where Azure lives: the ARM endpoint, the Entra ID authority and the audience the registries
 * accept for exchanged Entra tokens. Sovereign clouds and the emulator differ only here, so
 * every other module takes an `AzureCloud` instead of hard-coding a host.
 */

export interface AzureCloud {
  /** A label for messages, e.g. `AzureCloud`. */
  name: string;
  /** Azure Resource Manager, e.g. `https://management.azure.com`. */
  armEndpoint: string;
  /**
   * The audience ARM tokens are asked for, when it is not the ARM endpoint itself: Azure Stack
   * Hub's ARM accepts only its own (`https://management.<directory>/<guid>`, the connection's
   * `activeDirectoryServiceEndpointResourceId` or the first of its metadata's audiences).
   */
  armAudience?: string;
  /** Entra ID authority host, e.g. `https://login.microsoftonline.com` (tenants are path segments). */
  authorityHost: string;
  /**
   * Audience of the Entra token exchanged at a registry's `/oauth2/exchange`. Registries whose
   * `azureADAuthenticationAsArmPolicy` is disabled accept only this one; the data-plane auth
   * falls back to the ARM audience when a cloud does not know it.
   */
  acrAudience: string;
  /**
   * The DNS domain every registry's login server must be under (`azurecr.io`): ARM's answer
   * names the host the Entra tokens are sent to, so a host elsewhere is refused
   * (registryAddress.ts). A private DNS zone or the emulator configures its own.
   */
  registryDomain: string;
}

export const AzurePublicCloud: AzureCloud = Object.freeze({
  name: 'AzureCloud',
  armEndpoint: 'https://management.azure.com',
  authorityHost: 'https://login.microsoftonline.com',
  acrAudience: 'https://containerregistry.azure.net',
  registryDomain: 'azurecr.io',
});

export const AzureUSGovernment: AzureCloud = Object.freeze({
  name: 'AzureUSGovernment',
  armEndpoint: 'https://management.usgovcloudapi.net',
  authorityHost: 'https://login.microsoftonline.us',
  acrAudience: 'https://containerregistry.azure.net',
  registryDomain: 'azurecr.us',
});

export const AzureChinaCloud: AzureCloud = Object.freeze({
  name: 'AzureChinaCloud',
  armEndpoint: 'https://management.chinacloudapi.cn',
  authorityHost: 'https://login.chinacloudapi.cn',
  acrAudience: 'https://containerregistry.azure.net',
  registryDomain: 'azurecr.cn',
});

const KNOWN_CLOUDS: readonly AzureCloud[] = [AzurePublicCloud, AzureUSGovernment, AzureChinaCloud];

/** Names people type for the clouds (az uses `AzureCloud`, the SDKs `AzurePublicCloud`). */
const CLOUD_ALIASES: Record<string, AzureCloud> = {
  azurecloud: AzurePublicCloud,
  azurepubliccloud: AzurePublicCloud,
  public: AzurePublicCloud,
  azureusgovernment: AzureUSGovernment,
  azureusgovernmentcloud: AzureUSGovernment,
  usgov: AzureUSGovernment,
  azurechinacloud: AzureChinaCloud,
  china: AzureChinaCloud,
};

/** Entra ID hosts that run instance discovery themselves and that managed identity can serve. */
const WELL_KNOWN_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
]);

/** A known cloud by name (case-insensitive), or undefined. */
export function cloudByName(name: string): AzureCloud | undefined {
  return CLOUD_ALIASES[name.trim().toLowerCase()];
}

/**
 * A cloud from a base with any field replaced (a sovereign cloud, Azure Stack, the emulator).
 * Endpoints are normalised without a trailing slash so scopes never get a double slash.
 */
export function customizeCloud(base: AzureCloud, overrides: Partial<AzureCloud>): AzureCloud {
  const merged = { ...base, ...definedOnly(overrides) };
  const changed = KNOWN_CLOUDS.every((known) => !sameCloud(known, merged));
  const armEndpoint = withoutTrailingSlash(merged.armEndpoint);
  // Kept only when it differs: everywhere but Azure Stack Hub the endpoint is the audience.
  const armAudience = merged.armAudience === undefined ? undefined : withoutTrailingSlash(merged.armAudience);
  return Object.freeze({
    name: changed && merged.name === base.name ? `${base.name} (custom)` : merged.name,
    armEndpoint,
    ...(armAudience !== undefined && armAudience.toLowerCase() !== armEndpoint.toLowerCase() ? { armAudience } : {}),
    authorityHost: withoutTrailingSlash(merged.authorityHost),
    acrAudience: withoutTrailingSlash(merged.acrAudience),
    registryDomain: merged.registryDomain.replace(/^\.+/, '').toLowerCase(),
  });
}

/** The `.default` scope of an endpoint or audience: `<endpoint>/.default`. */
export function defaultScope(endpointOrAudience: string): string {
  return `${withoutTrailingSlash(endpointOrAudience)}/.default`;
}

/** The scope of ARM tokens: the cloud's ARM audience (Azure Stack Hub) or its endpoint. */
export function armScope(cloud: AzureCloud): string {
  return defaultScope(cloud.armAudience ?? cloud.armEndpoint);
}

export function acrScope(cloud: AzureCloud): string {
  return defaultScope(cloud.acrAudience);
}

/**
 * True when the authority is one of Entra ID's public hosts. Anything else (Azure Stack, ADFS,
 * the emulator) needs `disableInstanceDiscovery`, and is not a place where managed identity can
 * be trusted to mean "this machine's Azure identity".
 */
export function isWellKnownAuthority(cloud: AzureCloud): boolean {
  try {
    const url = new URL(cloud.authorityHost);
    return url.protocol === 'https:' && url.port === '' && WELL_KNOWN_AUTHORITY_HOSTS.has(url.hostname.toLowerCase());
  } catch {
    return false;
  }
}

function sameCloud(a: AzureCloud, b: AzureCloud): boolean {
  return (
    withoutTrailingSlash(a.armEndpoint) === withoutTrailingSlash(b.armEndpoint) &&
    withoutTrailingSlash(a.armAudience ?? a.armEndpoint) === withoutTrailingSlash(b.armAudience ?? b.armEndpoint) &&
    withoutTrailingSlash(a.authorityHost) === withoutTrailingSlash(b.authorityHost) &&
    withoutTrailingSlash(a.acrAudience) === withoutTrailingSlash(b.acrAudience) &&
    a.registryDomain === b.registryDomain
  );
}

function withoutTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

function definedOnly(overrides: Partial<AzureCloud>): Partial<AzureCloud> {
  const out: Partial<AzureCloud> = {};
  for (const [key, value] of Object.entries(overrides) as [keyof AzureCloud, string | undefined][]) {
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}
