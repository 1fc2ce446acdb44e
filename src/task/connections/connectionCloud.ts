/**
 * The cloud a service connection lives in, from what the connection itself says: its ARM URL
 * (`ENDPOINT_URL_<id>`), its Entra authority (`activeDirectoryAuthority`) and its environment
 * name, and on Azure Stack Hub the audience its ARM accepts. Nothing is hard-coded to the public cloud: a sovereign or custom connection (or the
 * emulator) is honoured as given. Only what a connection cannot say — the registry audience —
 * comes from the environment name, unless the task was given one.
 */
import { AzurePublicCloud, cloudByName, customizeCloud, type AzureCloud } from '../../azure';
import { ConnectionError } from './connectionError';

export interface CloudFields {
  displayName: string;
  /** `AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`, `AzureStack`, … (may be missing). */
  environment?: string;
  /** The connection's ARM URL, usually with a trailing slash. */
  armUrl?: string;
  /** The connection's Entra authority, e.g. `https://login.microsoftonline.com/`. */
  authority?: string;
  /**
   * The audience of its ARM tokens as azure-arm-rest reads it: on Azure Stack Hub the
   * connection's `activeDirectoryServiceEndpointResourceId` (or the first audience of the
   * stamp's metadata); elsewhere the ARM URL itself.
   */
  armAudience?: string;
}

export function connectionCloud(fields: CloudFields, acrAudienceOverride?: string, registryDomainOverride?: string): AzureCloud {
  const known = fields.environment ? cloudByName(fields.environment) : undefined;
  const base = known ?? AzurePublicCloud;
  const armEndpoint = httpsOrigin(fields.armUrl);
  if (armEndpoint === undefined) throw new ConnectionError('BadArmUrl', [fields.displayName]);
  // A connection without an authority belongs to its environment's Entra ID (azure-arm-rest
  // falls back to the public one even for sovereign clouds, which cannot be right there).
  const authorityHost = nonEmpty(fields.authority) ?? base.authorityHost;
  // Registries of unknown clouds (Azure Stack) are asked for this audience first and for the
  // ARM one next (the data plane falls back by itself), so the public value is a safe default.
  const acrAudience = nonEmpty(acrAudienceOverride) ?? base.acrAudience;
  const armAudience = httpsOrigin(fields.armAudience);
  return customizeCloud(base, {
    name: nonEmpty(fields.environment) ?? base.name,
    armEndpoint,
    ...(armAudience !== undefined ? { armAudience } : {}),
    authorityHost,
    acrAudience,
    // Only the connection's environment (or the task's input) knows where its registries live.
    registryDomain: nonEmpty(registryDomainOverride) ?? base.registryDomain,
  });
}

/** An https URL without query or fragment, kept with its path (Azure Stack puts ARM under one). */
function httpsOrigin(value: string | undefined): string | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' || url.search !== '' || url.hash !== '') return undefined;
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
