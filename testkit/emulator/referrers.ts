/**
 * `GET /v2/{name}/referrers/{digest}` (OCI distribution spec 1.1): an OCI image index whose
 * `manifests` are the descriptors of the repository's manifests whose `subject` is `digest`,
 * each with its `artifactType` (the manifest's own, else its config's media type) and
 * `annotations`. Always 200 once the repository exists, also for a digest nothing refers to or
 * that the repository does not hold (a referrer may be pushed before its subject); 400 for a
 * digest that is not one. `?artifactType=` keeps the matching ones and the answer then says
 * `OCI-Filters-Applied: artifactType`. Pages follow `Link` (the spec allows it and does not fix
 * the form; the emulator pages by `n` and `last` like ACR's other listings, keeping the
 * filter). `az acr manifest list-referrers` reads it with a pull token: the scope is `pull`.
 */
import type { DescriptorFixture } from './api';
import { acrErrors } from './acrAuth';
import { jsonReply, type Reply, type RequestContext } from './http';
import { MediaTypes } from './mediaTypes';
import { pageOf } from './paging';
import { DIGEST, nameUnknown, param, repoScope, type Guard } from './routeParts';
import type { RegistryState, StoredManifest } from './state';

type ReferrerDescriptor = DescriptorFixture & { artifactType?: string; annotations?: Record<string, string> };

function descriptor(m: StoredManifest): ReferrerDescriptor {
  const artifactType = m.artifactType ?? m.configMediaType;
  return {
    mediaType: m.mediaType,
    digest: m.digest,
    size: m.size,
    ...(artifactType ? { artifactType } : {}),
    ...(m.annotations ? { annotations: m.annotations } : {}),
  };
}

export function referrers(ctx: RequestContext, registry: RegistryState, guard: Guard): Reply {
  const [name, digest] = [param(ctx, 0), param(ctx, 1)];
  const refused = guard(ctx, repoScope(name, 'pull'));
  if (refused) return refused;
  const repo = registry.repository(name);
  if (!repo) return nameUnknown(name);
  if (!DIGEST.test(digest)) return acrErrors(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content', { Digest: digest });
  const query = ctx.url.searchParams;
  const filter = query.get('artifactType');
  let found = repo.referrersOf(digest).map(descriptor);
  if (filter) found = found.filter((d) => d.artifactType === filter);
  const page = pageOf(found, (d) => d.digest, query, '', true);
  const headers: Record<string, string> = { 'Content-Type': MediaTypes.ociIndex };
  if (filter) headers['OCI-Filters-Applied'] = 'artifactType';
  if (page.link) {
    const next = new URLSearchParams({ ...(filter ? { artifactType: filter } : {}), last: page.items[page.items.length - 1]?.digest ?? '', n: query.get('n') ?? '' });
    if (!query.get('n')) next.delete('n');
    headers.Link = `</v2/${name}/referrers/${digest}?${next.toString()}>; rel="next"`;
  }
  return jsonReply(200, { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: page.items }, headers);
}
