/**
 * Follows the registry's paging: `Link: </acr/v1/_catalog?last=x&n=1000>; rel="next"`.
 * The target is relative to the registry host; it is used verbatim (it repeats `n` and any
 * `orderby`), resolved against the registry's base URL. A next link on another host is
 * refused: the authentication policy would otherwise hand a registry token to it.
 */

/** The absolute URL of the next page, or undefined when this was the last page. */
export function nextPageUrl(linkHeader: string | null | undefined, registryBase: string): string | undefined {
  if (!linkHeader) return undefined;
  for (const part of splitLinks(linkHeader)) {
    const match = /^\s*<([^>]*)>\s*((?:;\s*[^;]*)*)$/.exec(part);
    if (!match) continue;
    const params = match[2] ?? '';
    const rels = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(params);
    const rel = (rels?.[1] ?? rels?.[2] ?? '').toLowerCase().split(/\s+/);
    if (!rel.includes('next')) continue;
    const base = new URL(registryBase);
    const next = new URL(match[1], base);
    if (next.origin !== base.origin) {
      throw new Error(`the registry ${base.host} sent a next-page link to another host; refusing to follow it`);
    }
    return next.toString();
  }
  return undefined;
}

/** Splits on commas that separate links (not those inside `<…>` or quotes). */
function splitLinks(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inAngle = false;
  let inQuote = false;
  for (const ch of header) {
    if (ch === '<' && !inQuote) inAngle = true;
    else if (ch === '>' && !inQuote) inAngle = false;
    else if (ch === '"' && !inAngle) inQuote = !inQuote;
    if (ch === ',' && !inAngle && !inQuote) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim() !== '') parts.push(current);
  return parts;
}
