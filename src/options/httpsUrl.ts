import { OptionsError } from './optionsError';

/**
 * An endpoint override (ARM, the Entra authority, the registry token audience): an absolute
 * https URL with a host, parsed rather than matched, so that `https://x y`, `https://` or a
 * typo such as `https//login.example` is refused before a token is asked for. A user name or
 * password in the URL would be sent to the wrong place, and a query or fragment means a URL
 * pasted from a browser: both are refused too. The value is echoed, without any user info.
 */
export function checkHttpsUrl(label: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const wellFormed = url !== undefined && url.protocol === 'https:' && url.hostname !== '' && url.search === '' && url.hash === '';
  if (!wellFormed || url === undefined || url.username !== '' || url.password !== '') {
    const shown = value.replace(/\/\/[^/@]*@/, '//…@');
    throw new OptionsError('UrlInvalid', [label, shown], `${label} "${shown}" is not a well-formed https URL (such as https://management.azure.com)`);
  }
  return value;
}
