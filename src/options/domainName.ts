import { OptionsError } from './optionsError';

/**
 * A DNS domain (or an IPv4 address, for a registry reached by address such as the emulator):
 * labels of letters, digits and inner hyphens, at most 253 characters. A leading dot is
 * dropped (`.azurecr.io` is how people often write a suffix); the value is compared in lower case.
 */
const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function checkDomainName(label: string, value: string): string {
  const domain = value.replace(/^\.+/, '').toLowerCase();
  if (!DOMAIN.test(domain)) {
    throw new OptionsError('DomainInvalid', [label, value], `${label} "${value}" is not a DNS domain such as azurecr.io`);
  }
  return domain;
}
