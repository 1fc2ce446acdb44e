/**
 * `GET /v2/{name}/tags/list`: the distribution spec's tag listing, `{"name", "tags": [names]}`
 * in lexical order, `n` per page and the page after `last`, the next page in a `Link` header.
 *
 * ACR counts it as reading metadata, not content: its scope is `metadata_read`, as for
 * `/acr/v1/{name}/_tags` (a token with `content/read` only "can pull but not list", ACR's
 * maintainers in Azure/acr#690; `helm dependency update` fails to list tags with such a token,
 * Azure/acr#600; listing tags anonymously is "anonymous metadata/read", Azure/acr#663). Paging
 * is ACR's, as its catalog pages (AAD-OAuth.md): default 100, at most 1000, and the Link in the
 * recorded form; the Link's exact form for this route was not recorded.
 */
import { jsonReply, type Reply, type RequestContext } from './http';
import { pageOf } from './paging';
import { nameUnknown, param, repoScope, type Guard } from './routeParts';
import type { RegistryState } from './state';

export function tagList(ctx: RequestContext, registry: RegistryState, guard: Guard): Reply {
  const name = param(ctx, 0);
  const refused = guard(ctx, repoScope(name, 'metadata_read'));
  if (refused) return refused;
  const repo = registry.repository(name);
  if (!repo) return nameUnknown(name);
  const page = pageOf(repo.tagsByName(), (t) => t.name, ctx.url.searchParams, `/v2/${name}/tags/list`, true);
  return jsonReply(200, { name, tags: page.items.map((t) => t.name) }, page.link ? { Link: page.link } : {});
}
