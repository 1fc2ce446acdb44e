/**
 * One registry's data plane (its own HTTPS server; `loginServer` = 127.0.0.1:<port>): the
 * token routes, the ACR metadata listings (`/acr/v1/_catalog`, `_tags`, `_manifests` and
 * their single-item forms, with their `changeableAttributes` PATCHes: attributes.ts) and the
 * distribution routes: manifests (GET/HEAD negotiated by Accept: manifestNegotiation.ts; PUT),
 * `tags/list` (tagList.ts), blobs and uploads (blobs.ts), referrers (referrers.ts). Answers
 * follow the recorded sessions of real registries: bodies, headers, the Link paging form,
 * `{"repositories": null}` for an empty registry, NAME_UNKNOWN for a missing repository, 405
 * REGISTRY_DISALLOWED_OPERATION for a write to a locked tag, manifest or repository.
 * Repository names arrive URL-encoded (%2F) or with raw slashes.
 */
import { randomUUID } from 'node:crypto';
import type { AcrTokenRequestRecord, ChangeableAttributes } from './api';
import { AUTH_REQUIRED, acrErrors, askedScopes, authenticatedAtAll, authorize, challenge, exchange, token, tokenByLogin, type AcrAuthDeps, type AccessScope } from './acrAuth';
import { azureTimestamp } from './arm';
import { manifestFromBytes } from './manifestParse';
import { acceptedTypes, negotiate } from './manifestNegotiation';
import { formOf, jsonReply, type Reply, type RequestContext, type Route, type ServiceSpec } from './http';
import { byTime, ordered, pageOf } from './paging';
import { DIGEST, disallowed, nameUnknown, param, repoScope, type Guard } from './routeParts';
import { AttributeRoutes } from './attributes';
import { BlobRoutes } from './blobs';
import { referrers } from './referrers';
import { hubCatalogRefusal, PullAllowances, rateLimitedManifests } from './dockerHub';
import { tagList } from './tagList';
import type { RegistryState, Repository, StoredManifest, StoredTag } from './state';
import { callsPerSecondHeader, type RequestBudget } from './throttling';

export interface DataPlaneDeps extends AcrAuthDeps {
  /**
   * The registries' read budget, keyed by registry name (see throttling.ts). Every request
   * but a write (manifest PUT, tag DELETE) takes one read before anything else, challenges
   * and token requests included.
   */
  readBudget: RequestBudget;
}

const CATALOG_SCOPE: AccessScope = { type: 'registry', name: 'catalog', actions: ['*'] };

/** `changeableAttributes` in the recorded order, of a tag, a manifest or a repository. */
function changeable(held: ChangeableAttributes): ChangeableAttributes {
  return { deleteEnabled: held.deleteEnabled, writeEnabled: held.writeEnabled, readEnabled: held.readEnabled, listEnabled: held.listEnabled };
}

function tagBody(tag: StoredTag): Record<string, unknown> {
  return {
    name: tag.name,
    digest: tag.digest,
    createdTime: azureTimestamp(tag.createdTime),
    lastUpdateTime: azureTimestamp(tag.lastUpdateTime),
    signed: false,
    changeableAttributes: changeable(tag),
  };
}

/**
 * One manifest's attributes as ACR answers them. Both views have `tags` only when there are
 * some (2023 recordings: an untagged image read alone, `recording_sets_manifest_properties`,
 * has none; a tagged index has them). The single read (`_manifests/{digest}`) has, for an
 * index, `references`; a listing entry (`_manifests`) never has them (a 2023 listing shows an
 * index of 11 platforms with its mediaType and tags, no references).
 */
function manifestBody(m: StoredManifest, tags: readonly string[], view: 'single' | 'listing'): Record<string, unknown> {
  const single = view === 'single';
  return {
    digest: m.digest,
    imageSize: m.imageSize,
    createdTime: azureTimestamp(m.createdTime),
    lastUpdateTime: azureTimestamp(m.lastUpdateTime),
    ...(m.platform ? { architecture: m.platform.architecture, os: m.platform.os } : {}),
    mediaType: m.mediaType,
    ...(m.configMediaType ? { configMediaType: m.configMediaType } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    changeableAttributes: changeable(m),
    ...(single && m.references.length > 0
      ? { references: m.references.map((r) => ({ digest: r.digest, architecture: r.platform.architecture, os: r.platform.os })) }
      : {}),
  };
}

export class DataPlane {
  constructor(
    private readonly registry: RegistryState,
    private readonly deps: DataPlaneDeps,
  ) {}

  private guard(ctx: RequestContext, scope: AccessScope): Reply | undefined {
    return authorize(ctx, this.registry, this.deps, scope);
  }

  private withLink(body: unknown, link: string | undefined): Reply {
    return jsonReply(200, body, link ? { Link: link } : {});
  }

  v2Root = (ctx: RequestContext): Reply =>
    authenticatedAtAll(ctx, this.registry, this.deps) ? jsonReply(200, {}) : challenge(this.registry);

  exchange = (ctx: RequestContext): Reply => exchange(ctx, this.registry, this.deps);

  token = (ctx: RequestContext): Reply => token(ctx, this.registry, this.deps);

  tokenByLogin = (ctx: RequestContext): Reply => tokenByLogin(ctx, this.registry, this.deps);

  /** `/acr/v1/_catalog` and `/v2/_catalog`; the Link keeps the path that was asked. */
  catalog = (ctx: RequestContext): Reply => {
    const refused = this.guard(ctx, CATALOG_SCOPE);
    if (refused) return refused;
    const page = pageOf(this.registry.sortedRepositories(), (r) => r, ctx.url.searchParams, ctx.path, true);
    // An empty page is `null`, as a real registry serialises it (recorded).
    return this.withLink({ repositories: page.items.length > 0 ? page.items : null }, page.link);
  };

  tags = (ctx: RequestContext): Reply => {
    const name = param(ctx, 0);
    const refused = this.guard(ctx, repoScope(name, 'metadata_read'));
    if (refused) return refused;
    const repo = this.registry.repository(name);
    if (!repo) return nameUnknown(name);
    const query = ctx.url.searchParams;
    const digest = query.get('digest');
    const orderby = query.get('orderby');
    // The name-sorted array is kept by the repository; only a time order or a filter copies it.
    let all: readonly StoredTag[] = repo.tagsByName();
    if (digest) all = all.filter((t) => t.digest === digest);
    if (byTime(orderby)) all = ordered([...all], (t) => t.name, (t) => t.lastUpdateTime, orderby);
    const page = pageOf(all, (t) => t.name, query, `/acr/v1/${encodeURIComponent(name)}/_tags`, !byTime(orderby));
    return this.withLink({ registry: this.registry.loginServer, imageName: name, tags: page.items.map(tagBody) }, page.link);
  };

  tag = (ctx: RequestContext): Reply => {
    if (ctx.method === 'PATCH') return this.attributes.tag(ctx);
    const [name, tagName] = [param(ctx, 0), param(ctx, 1)];
    const deleting = ctx.method === 'DELETE';
    const refused = this.guard(ctx, repoScope(name, deleting ? 'delete' : 'metadata_read'));
    if (refused) return refused;
    const repo = this.registry.repository(name);
    if (!repo) return nameUnknown(name);
    const found = repo.tags.get(tagName);
    if (!found) return acrErrors(404, 'TAG_UNKNOWN', 'the specified tag does not exist', { name: tagName });
    if (!deleting) return jsonReply(200, { registry: this.registry.loginServer, imageName: name, tag: tagBody(found) });
    // A locked tag (writeEnabled false) can be neither overwritten nor deleted; nor can anything
    // in a locked repository.
    if (!found.writeEnabled || !found.deleteEnabled || !repo.writeEnabled) return disallowed();
    this.registry.deleteTag(name, tagName);
    return { status: 202 };
  };

  /**
   * `GET /acr/v1/{repo}`: the repository's properties, in the recorded field order (2023
   * recording of the JS SDK, `recording_sets_repository_properties`): its own
   * `changeableAttributes` are the repository lock, apart from its tags' and manifests'.
   */
  repository = (ctx: RequestContext): Reply => {
    if (ctx.method === 'PATCH') return this.attributes.repository(ctx);
    const name = param(ctx, 0);
    const refused = this.guard(ctx, repoScope(name, 'metadata_read'));
    if (refused) return refused;
    const repo = this.registry.repository(name);
    if (!repo) return nameUnknown(name);
    return jsonReply(200, this.repositoryBody(repo));
  };

  private repositoryBody(repo: Repository): Record<string, unknown> {
    return {
      registry: this.registry.loginServer,
      imageName: repo.name,
      createdTime: azureTimestamp(repo.createdTime),
      lastUpdateTime: azureTimestamp(repo.lastUpdateTime()),
      manifestCount: repo.manifests.size,
      tagCount: repo.tags.size,
      changeableAttributes: changeable(repo),
    };
  }

  /** The PATCH routes of `changeableAttributes` answer what the GETs answer (attributes.ts). */
  private readonly attributes = new AttributeRoutes((name) => this.registry.repository(name), (ctx, scope) => this.guard(ctx, scope), {
    repository: (repo) => this.repositoryBody(repo),
    manifest: (repo, digest) => ({
      registry: this.registry.loginServer,
      imageName: repo.name,
      manifest: manifestBody(repo.manifests.get(digest) as StoredManifest, repo.tagsOf(digest), 'single'),
    }),
    tag: (repo, tag) => ({ registry: this.registry.loginServer, imageName: repo.name, tag: tagBody(repo.tags.get(tag) as StoredTag) }),
  });

  manifests = (ctx: RequestContext): Reply => {
    const name = param(ctx, 0);
    const refused = this.guard(ctx, repoScope(name, 'metadata_read'));
    if (refused) return refused;
    const repo = this.registry.repository(name);
    if (!repo) return nameUnknown(name);
    const query = ctx.url.searchParams;
    const orderby = query.get('orderby');
    const all = ordered([...repo.manifests.values()], (m) => m.digest, (m) => m.lastUpdateTime, orderby);
    const page = pageOf(all, (m) => m.digest, query, `/acr/v1/${encodeURIComponent(name)}/_manifests`, !byTime(orderby));
    const tagsOf = repo.tagNamesByDigest();
    return this.withLink(
      { registry: this.registry.loginServer, imageName: name, manifests: page.items.map((m) => manifestBody(m, tagsOf.get(m.digest) ?? [], 'listing')) },
      page.link,
    );
  };

  manifestProperties = (ctx: RequestContext): Reply => {
    if (ctx.method === 'PATCH') return this.attributes.manifest(ctx);
    const [name, digest] = [param(ctx, 0), param(ctx, 1)];
    const refused = this.guard(ctx, repoScope(name, 'metadata_read'));
    if (refused) return refused;
    const repo = this.registry.repository(name);
    if (!repo) return nameUnknown(name);
    const m = repo.manifests.get(digest);
    if (!m) return acrErrors(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { digest });
    return jsonReply(200, { registry: this.registry.loginServer, imageName: name, manifest: manifestBody(m, repo.tagsOf(m.digest), 'single') });
  };

  /** `GET|HEAD|PUT /v2/{name}/manifests/{reference}`. */
  manifest = (ctx: RequestContext): Reply => {
    const [name, reference] = [param(ctx, 0), param(ctx, 1)];
    if (ctx.method === 'PUT') return this.putManifest(ctx, name, reference);
    const refused = this.guard(ctx, repoScope(name, 'pull'));
    if (refused) return refused;
    const repo = this.registry.repository(name);
    if (!repo) return nameUnknown(name);
    const byTag = !DIGEST.test(reference);
    const digest = byTag ? repo.tags.get(reference)?.digest : reference;
    const found = digest !== undefined ? repo.manifests.get(digest) : undefined;
    if (!found) {
      return acrErrors(404, 'MANIFEST_UNKNOWN', `manifest tagged by "${reference}" is not found`, byTag ? { Tag: reference } : { Digest: reference });
    }
    // Which manifest the client's Accept gets, or how it is refused (manifestNegotiation.ts).
    const negotiated = negotiate(found, byTag, acceptedTypes(ctx.header('accept')), repo);
    if ('refused' in negotiated) return negotiated.refused;
    const m = negotiated.manifest;
    const headers: Record<string, string> = {
      'Content-Type': m.mediaType,
      'Docker-Content-Digest': m.digest,
      ETag: `"${m.digest}"`,
      ...(ctx.header('x-ms-client-request-id') ? { 'X-Ms-Client-Request-Id': ctx.header('x-ms-client-request-id') as string } : {}),
      'X-Ms-Request-Id': randomUUID(),
    };
    // HEAD answers the length of the bytes without making them.
    if (ctx.method === 'HEAD') return { status: 200, headers: { ...headers, 'Content-Length': String(m.size) } };
    return { status: 200, headers, body: m.bytes };
  };

  /**
   * A push of one manifest. Its blobs are not checked (ACR answers MANIFEST_BLOB_UNKNOWN for a
   * missing one; fixture content has no blobs to check against).
   */
  private putManifest(ctx: RequestContext, name: string, reference: string): Reply {
    const refused = authorize(ctx, this.registry, this.deps, repoScope(name, 'pull', 'push'));
    if (refused) return refused;
    let manifest;
    try {
      manifest = manifestFromBytes(ctx.body, ctx.header('content-type'));
    } catch (e) {
      return acrErrors(400, 'MANIFEST_INVALID', `manifest invalid: ${(e as Error).message}`);
    }
    const byDigest = DIGEST.test(reference);
    if (byDigest && reference !== manifest.digest) {
      return acrErrors(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content', { Digest: reference });
    }
    const repo = this.registry.repository(name);
    const missing = manifest.references.find((r) => !repo?.manifests.has(r.digest));
    if (missing) return acrErrors(400, 'MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digest: missing.digest });
    const existing = byDigest ? undefined : repo?.tags.get(reference);
    if (existing && !existing.writeEnabled) return disallowed();
    // A locked repository takes no push; a locked manifest is neither pushed again nor left by a
    // tag that points at it (as strict as the lock reads: whether ACR lets a tag move off a
    // locked manifest is not documented).
    if (repo && !repo.writeEnabled) return disallowed();
    if (repo?.manifests.get(manifest.digest)?.writeEnabled === false) return disallowed();
    if (existing && existing.digest !== manifest.digest && repo?.manifests.get(existing.digest)?.writeEnabled === false) return disallowed();
    this.registry.storeManifests(name, [manifest]);
    if (!byDigest) this.registry.setTag(name, reference, manifest.digest);
    // A registry with the referrers API says so by naming the subject (distribution spec 1.1).
    const subject: Record<string, string> = manifest.subject ? { 'OCI-Subject': manifest.subject } : {};
    return {
      status: 201,
      headers: { 'Docker-Content-Digest': manifest.digest, Location: `/v2/${name}/manifests/${manifest.digest}`, ...subject },
    };
  }
}

const TOKEN_ROUTES = new Set(['acr.exchange', 'acr.token']);

const ACR_FAULT_CODES: Record<number, [string, string]> = {
  400: ['BAD_REQUEST', 'bad request'],
  401: ['UNAUTHORIZED', AUTH_REQUIRED],
  403: ['DENIED', 'requested access to the resource is denied'],
  404: ['NOT_FOUND', 'not found'],
  405: ['UNSUPPORTED', 'The operation is unsupported.'],
  429: ['TOOMANYREQUESTS', 'too many requests'],
  500: ['INTERNAL_SERVER_ERROR', 'internal server error'],
  502: ['BAD_GATEWAY', 'bad gateway'],
  503: ['SERVICE_UNAVAILABLE', 'service unavailable'],
};

/** The remaining-calls header real registries send on their token routes (recorded). */
const CALLS_PER_SECOND = 'x-ms-ratelimit-remaining-calls-per-second';

/** Methods that write (pushes, deletions, attribute changes, blob uploads). */
const WRITES = new Set(['PUT', 'PATCH', 'DELETE', 'POST']);

/**
 * One read from the registry's budget before the handler; an empty budget is ACR's 429
 * TOOMANYREQUESTS with Retry-After. Writes are not read operations; the token routes (POSTs)
 * are counted as reads, as the recorded remaining-calls header shows.
 */
function metered(registry: RegistryState, deps: DataPlaneDeps, handle: (ctx: RequestContext) => Reply): (ctx: RequestContext) => Reply {
  return (ctx) => {
    if (WRITES.has(ctx.method) && !TOKEN_ROUTES.has(ctx.route)) return handle(ctx);
    const decision = deps.readBudget.take(registry.name);
    if (!decision.allowed) {
      const wait = decision.retryAfterSeconds ?? 1;
      // A refused token request still says which scopes it asked (granted none), so its retry
      // can be told from the other token requests in flight (bench/retryWindows.ts).
      if (ctx.route === 'acr.token' && ctx.method === 'POST') {
        const refused: AcrTokenRequestRecord = { scopes: askedScopes(formOf(ctx.body)), granted: [] };
        ctx.logBody(refused);
      }
      return acrErrors(429, 'TOOMANYREQUESTS', `too many requests: the registry's read limit is exhausted, retry after ${wait} seconds`, undefined, {
        'Retry-After': String(wait),
        [CALLS_PER_SECOND]: callsPerSecondHeader(0),
      });
    }
    const reply = handle(ctx);
    if (TOKEN_ROUTES.has(ctx.route)) reply.headers = { ...reply.headers, [CALLS_PER_SECOND]: callsPerSecondHeader(decision.remaining) };
    return reply;
  };
}

/** The ACR-only listing routes (`/acr/v1/…`): Docker Hub has none of them. */
const ACR_API_ROUTES: ReadonlySet<string> = new Set(['acr.tags', 'acr.tag', 'acr.manifests', 'acr.manifestProperties', 'acr.repository']);

/**
 * Docker Hub's personality (dockerHub.ts): no catalog, no ACR API, rate-limited manifest pulls.
 * The routes keep their names and their read metering, so the request log reads the same.
 */
function playDockerHub(registry: RegistryState, deps: DataPlaneDeps, plane: DataPlane): { catalog: (ctx: RequestContext) => Reply; manifest: (ctx: RequestContext) => Reply } {
  const allowances = new PullAllowances();
  return {
    catalog: (ctx) => (ctx.path.startsWith('/acr/') ? hubNotFound() : hubCatalogRefusal(registry)),
    manifest: rateLimitedManifests(registry, deps, allowances, plane.manifest),
  };
}

const hubNotFound = (): Reply => acrErrors(404, 'NOT_FOUND', 'The requested resource was not found.');

export function dataPlaneService(registry: RegistryState, deps: DataPlaneDeps): ServiceSpec {
  const plane = new DataPlane(registry, deps);
  const m = (handle: (ctx: RequestContext) => Reply): ((ctx: RequestContext) => Reply) => metered(registry, deps, handle);
  const guard: Guard = (ctx, scope) => authorize(ctx, registry, deps, scope);
  const blobs = new BlobRoutes(registry, guard);
  const hub = registry.flavour === 'dockerHub' ? playDockerHub(registry, deps, plane) : undefined;
  const routes: Route[] = [
    { name: 'acr.v2', methods: ['GET', 'HEAD'], path: /^\/v2\/?$/, handle: m(plane.v2Root) },
    { name: 'acr.exchange', methods: ['POST'], path: /^\/oauth2\/exchange\/?$/, handle: m(plane.exchange) },
    { name: 'acr.token', methods: ['POST'], path: /^\/oauth2\/token\/?$/, handle: m(plane.token) },
    { name: 'acr.token', methods: ['GET'], path: /^\/oauth2\/token\/?$/, handle: m(plane.tokenByLogin) },
    { name: 'acr.catalog', methods: ['GET'], path: /^\/(?:acr\/v1|v2)\/_catalog$/, handle: m(hub?.catalog ?? plane.catalog) },
    { name: 'acr.tags', methods: ['GET'], path: /^\/acr\/v1\/(.+)\/_tags$/, handle: m(plane.tags) },
    { name: 'acr.tag', methods: ['GET', 'DELETE', 'PATCH'], path: /^\/acr\/v1\/(.+)\/_tags\/([^/]+)$/, handle: m(plane.tag) },
    { name: 'acr.manifests', methods: ['GET'], path: /^\/acr\/v1\/(.+)\/_manifests$/, handle: m(plane.manifests) },
    { name: 'acr.manifestProperties', methods: ['GET', 'PATCH'], path: /^\/acr\/v1\/(.+)\/_manifests\/([^/]+)$/, handle: m(plane.manifestProperties) },
    { name: 'acr.manifest', methods: ['GET', 'HEAD', 'PUT'], path: /^\/v2\/(.+)\/manifests\/([^/]+)$/, handle: m(hub?.manifest ?? plane.manifest) },
    { name: 'acr.tagList', methods: ['GET'], path: /^\/v2\/(.+)\/tags\/list$/, handle: m((ctx) => tagList(ctx, registry, guard)) },
    { name: 'acr.referrers', methods: ['GET'], path: /^\/v2\/(.+)\/referrers\/([^/]+)$/, handle: m((ctx) => referrers(ctx, registry, guard)) },
    { name: 'acr.blobUpload', methods: ['POST'], path: /^\/v2\/(.+)\/blobs\/uploads\/?$/, handle: m(blobs.startUpload) },
    { name: 'acr.blobUpload', methods: ['GET', 'PATCH', 'PUT', 'DELETE'], path: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, handle: m(blobs.upload) },
    { name: 'acr.blob', methods: ['GET', 'HEAD', 'DELETE'], path: /^\/v2\/(.+)\/blobs\/([^/]+)$/, handle: m(blobs.blob) },
    // Where a blob GET redirects to: the registry's storage, not its API (not metered).
    { name: 'acr.blobStorage', methods: ['GET'], path: /^\/_emulator\/storage\/(.+)\/([^/]+)$/, handle: blobs.storage },
    // Last: any other `/acr/v1/<name>` is a repository, unless a segment starts with `_` (no
    // repository name does; `_catalog`, `_tags`, `_manifests` are routes above).
    { name: 'acr.repository', methods: ['GET', 'PATCH'], path: /^\/acr\/v1\/(?!_)((?:(?!\/_|%2F_).)+)$/i, handle: m(plane.repository) },
  ];
  if (hub) {
    for (const route of routes) if (ACR_API_ROUTES.has(route.name)) route.handle = m(hubNotFound);
  }
  return {
    service: `acr:${registry.name}`,
    routes,
    notFound: () => acrErrors(404, 'NOT_FOUND', 'The requested resource was not found.'),
    faultReply: (status) => {
      const [code, message] = ACR_FAULT_CODES[status] ?? ['UNKNOWN', `request failed with status ${status}`];
      return acrErrors(status, code, message);
    },
    // As recorded: listings carry the registry headers; the token routes a smaller set.
    commonHeaders: (ctx) => {
      // The storage a blob GET redirects to is Azure Storage, not the registry's API.
      if (ctx.route === 'acr.blobStorage') return { Server: 'Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0', 'x-ms-request-id': randomUUID(), 'x-ms-version': '2021-08-06' };
      const common: Record<string, string | string[]> = {
        Server: 'openresty',
        'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
        'X-Ms-Correlation-Request-Id': randomUUID(),
      };
      if (TOKEN_ROUTES.has(ctx.route)) return common;
      return {
        ...common,
        'Access-Control-Expose-Headers': ['Docker-Content-Digest', 'WWW-Authenticate', 'Link', 'X-Ms-Correlation-Request-Id'],
        'Docker-Distribution-Api-Version': 'registry/2.0',
        'X-Content-Type-Options': 'nosniff',
      };
    },
  };
}
