/**
 * The token scope a distribution API call needs, from its URL, so a held token is sent before
 * the registry has to challenge (distribution's token scope documentation):
 * - `/v2/`                                   → none (a token for no scope: "signing in")
 * - `/v2/_catalog`                           → `registry:catalog:*`
 * - `/v2/{name}/tags/list|manifests|referrers|blobs…` → `repository:{name}:pull`
 * Registries that want other actions for a kind of call say so in their challenge (ACR wants
 * `metadata_read` to list tags): OciAuth learns it per kind from the first challenge.
 */

export const CATALOG_SCOPE = 'registry:catalog:*';

/** What a URL reads: the catalog, the root, or one kind of call on one repository. */
export type ScopeTarget = { kind: 'root' } | { kind: 'catalog' } | { kind: 'tags' | 'manifests' | 'referrers' | 'blobs'; repository: string } | { kind: 'other' };

export function scopeTargetOf(url: string): ScopeTarget {
  const path = new URL(url).pathname;
  if (path === '/v2/' || path === '/v2') return { kind: 'root' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  const name = (encoded: string): string => encoded.split('/').map(decodeURIComponent).join('/');
  const tags = /^\/v2\/(.+)\/tags\/list$/.exec(path);
  if (tags) return { kind: 'tags', repository: name(tags[1]) };
  const call = /^\/v2\/(.+?)\/(manifests|referrers|blobs)\/[^/]+$/.exec(path);
  if (call) return { kind: call[2] as 'manifests' | 'referrers' | 'blobs', repository: name(call[1]) };
  return { kind: 'other' };
}

/** `repository:<name>:<actions>` → its parts, or undefined for another kind of scope. */
export function parseRepositoryScope(scope: string): { repository: string; actions: string } | undefined {
  const match = /^repository(?:\([^)]*\))?:(.+):([^:]+)$/.exec(scope.trim());
  return match ? { repository: match[1], actions: match[2] } : undefined;
}
