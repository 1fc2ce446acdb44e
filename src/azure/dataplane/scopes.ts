/**
 * The registry token scope each data-plane call needs, derived from its URL, so the auth
 * policy can fetch (or reuse) the right access token before sending instead of learning it
 * from a 401 every time:
 * - `/acr/v1/_catalog`, `/v2/_catalog`        -> `registry:catalog:*`
 * - `/acr/v1/{repo}`, `/acr/v1/{repo}/_tags|_manifests…` -> `repository:{repo}:metadata_read`
 * - `/v2/{repo}/tags/list`                   -> `repository:{repo}:metadata_read` (ACR counts
 *   listing tags as metadata: a `content/read` token "can pull but not list", Azure/acr#690)
 * - `/v2/{repo}/manifests|blobs|referrers/…` -> `repository:{repo}:pull`
 * Blob uploads (`pull,push`) are not read by this program and get no scope: the challenge
 * names it.
 */

export const CATALOG_SCOPE = 'registry:catalog:*';

export function metadataReadScope(repository: string): string {
  return `repository:${repository}:metadata_read`;
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** The scope for a data-plane URL, or undefined for URLs that need none (e.g. `/v2/`). */
export function scopeForUrl(url: string): string | undefined {
  const path = new URL(url).pathname;
  if (path === '/acr/v1/_catalog' || path === '/v2/_catalog') return CATALOG_SCOPE;
  // The repository itself (its attributes) or its tags and manifests; the name is one segment (%2F).
  const acr = /^\/acr\/v1\/([^/_][^/]*)(?:$|\/(?:_tags|_manifests)(?:\/|$))/.exec(path);
  if (acr) return metadataReadScope(decodeURIComponent(acr[1]));
  const name = (encoded: string): string => encoded.split('/').map(decodeURIComponent).join('/');
  const tags = /^\/v2\/(.+)\/tags\/list$/.exec(path);
  if (tags) return metadataReadScope(name(tags[1]));
  if (/\/blobs\/uploads(?:\/|$)/.test(path)) return undefined;
  const v2 = /^\/v2\/(.+?)\/(?:manifests|blobs|referrers)\//.exec(path);
  if (v2) return pullScope(name(v2[1]));
  return undefined;
}
