/**
 * A small client for the parts of the ACR data plane (2021-07-01) this program reads:
 * the catalog, a repository's tags with digests and lock state, a manifest's digest, a
 * manifest's attributes (how many manifests an index references, its lock), a repository's
 * manifest listing (which manifests are indexes, which are locked) and a repository's own lock.
 * Why not @azure/container-registry: see docs/decisions/002-data-plane-client.md.
 *
 * Pages are asked for with `n=1000` (the service's cap; its default is 100) and followed
 * through the `Link` header until there is none.
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { ManifestKind } from '../../engine/ports';
import type { AzureCloud } from '../cloud';
import type { Transport } from '../http/transport';
import { acrAuthenticationPolicy } from './acrAuthPolicy';
import { acrErrorCode, acrErrorFrom, parseBody } from './acrErrors';
import { createDataPlanePipeline } from './acrPipeline';
import { AcrTokenProvider } from './acrTokens';
import { nextPageUrl } from './linkHeader';
import { CATALOG_SCOPE } from './scopes';

/** One tag as `/acr/v1/{repo}/_tags` describes it. */
export interface AcrTag {
  name: string;
  digest: string;
  writeEnabled: boolean;
}

/** Every manifest media type a registry may hold, so HEAD never 404s on content negotiation. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.artifact.manifest.v1+json',
].join(', ');

/**
 * The media types of an image index (OCI) and of its Docker forerunner, the manifest list: the
 * only manifests that reference other manifests (importImage's 50-manifest limit).
 */
export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

export const MAX_PAGE_SIZE = 1000;

export class AcrClient {
  readonly baseUrl: string;

  constructor(
    readonly loginServer: string,
    private readonly pipeline: Pipeline,
    private readonly httpClient: HttpClient,
    private readonly pageSize: number = MAX_PAGE_SIZE,
    /** The token provider `pipeline` authenticates with, for `signIn`. */
    private readonly tokens?: AcrTokenProvider,
  ) {
    this.baseUrl = `https://${loginServer}`;
  }

  /**
   * Makes sure the registry gives this identity a token before a run depends on it: learns
   * the challenge from `/v2/` and gets the catalog token. Both are kept and used by the
   * listing that follows, which then meets no challenge, so when the catalog is listed this
   * costs no extra round trip. Rejects with the AcrAuthenticationError of a refused exchange
   * (an identity without any role on the registry).
   */
  async signIn(signal?: AbortSignal): Promise<void> {
    if (this.tokens === undefined) return;
    if (!this.tokens.knowsChallenge) {
      const response = await this.send(`${this.baseUrl}/v2/`, 'GET', signal, 'application/json');
      if (!this.tokens.knowsChallenge) {
        if (response.status === 200) return; // a registry that asks for no token
        throw acrErrorFrom(response, 'reaching the registry', { accessHint: true });
      }
    }
    await this.tokens.accessToken(CATALOG_SCOPE, signal);
  }

  /** Repository names page by page, in the registry's order. */
  async *listRepositoryPages(signal?: AbortSignal): AsyncGenerator<string[]> {
    for await (const response of this.pages(`${this.baseUrl}/acr/v1/_catalog?n=${this.pageSize}`, 'listing repositories', signal)) {
      const body = parseBody(response.bodyAsText) as { repositories?: unknown } | undefined;
      // An empty registry answers {"repositories": null}.
      const names = Array.isArray(body?.repositories) ? body.repositories : [];
      yield names.filter((name): name is string => typeof name === 'string');
    }
  }

  async *listRepositories(signal?: AbortSignal): AsyncGenerator<string> {
    for await (const page of this.listRepositoryPages(signal)) yield* page;
  }

  /**
   * The repositories about to be read, in order: their token requests then carry several
   * repository scopes at once (AcrTokenProvider.expectRepositories).
   */
  expectRepositories(names: readonly string[]): void {
    this.tokens?.expectRepositories(names);
  }

  /** Every tag of a repository with digest and lock state; null when the repository does not exist. */
  async listTags(repository: string, signal?: AbortSignal): Promise<AcrTag[] | null> {
    const first = `${this.baseUrl}/acr/v1/${encodeURIComponent(repository)}/_tags?n=${this.pageSize}`;
    const tags: AcrTag[] = [];
    for await (const response of this.pages(first, `listing the tags of ${repository}`, signal, true)) {
      if (response.status === 404) return null;
      const body = parseBody(response.bodyAsText) as { tags?: unknown } | undefined;
      for (const item of Array.isArray(body?.tags) ? body.tags : []) {
        const tag = toTag(item);
        if (tag) tags.push(tag);
      }
    }
    return tags;
  }

  /** The digest a tag or digest reference resolves to (`Docker-Content-Digest`), or null if unknown. */
  async getManifestDigest(repository: string, reference: string, signal?: AbortSignal): Promise<string | null> {
    const path = repository.split('/').map(encodeURIComponent).join('/');
    const url = `${this.baseUrl}/v2/${path}/manifests/${encodeURIComponent(reference)}`;
    const response = await this.send(url, 'HEAD', signal, MANIFEST_MEDIA_TYPES);
    if (response.status === 404) return null;
    if (response.status !== 200) throw acrErrorFrom(response, `reading the manifest ${repository}:${reference}`, { accessHint: true });
    const digest = response.headers.get('Docker-Content-Digest');
    if (!digest) throw acrErrorFrom(response, `reading the manifest ${repository}:${reference} (no Docker-Content-Digest)`);
    return digest;
  }

  /**
   * How many manifests the manifest `digest` references (`references` of
   * `/acr/v1/{repo}/_manifests/{digest}`: the children of an image index; 0 for an image or an
   * artifact). Uses the repository's `metadata_read` token, the one its tag listing holds.
   */
  async countReferencedManifests(repository: string, digest: string, signal?: AbortSignal): Promise<number> {
    const url = `${this.baseUrl}/acr/v1/${encodeURIComponent(repository)}/_manifests/${encodeURIComponent(digest)}`;
    const what = `reading the manifest ${repository}@${digest}`;
    const response = await this.send(url, 'GET', signal, 'application/json');
    if (response.status !== 200) throw acrErrorFrom(response, what, { accessHint: true });
    const body = parseBody(response.bodyAsText) as { manifest?: { references?: unknown } } | undefined;
    if (body?.manifest === undefined || body.manifest === null || typeof body.manifest !== 'object') {
      throw acrErrorFrom(response, `${what} (no manifest attributes in the answer)`);
    }
    const references = body.manifest.references;
    return Array.isArray(references) ? references.length : 0;
  }

  /**
   * The kind of every manifest of a repository by digest, from `/acr/v1/{repo}/_manifests`
   * (`n=1000`, every page by `Link`). Each listed manifest carries its `mediaType` but, unlike
   * the single-manifest read, not its `references` (recorded: a 2023 listing shows an index of
   * 11 platforms without them), so this tells which digests are indexes, not how big they are.
   * A manifest listed without a media type is left out. Uses the repository's `metadata_read`
   * token, the one its tag listing holds; a missing repository rejects (404 NAME_UNKNOWN).
   */
  async listManifestKinds(repository: string, signal?: AbortSignal): Promise<Map<string, ManifestKind>> {
    const first = `${this.baseUrl}/acr/v1/${encodeURIComponent(repository)}/_manifests?n=${this.pageSize}`;
    const kinds = new Map<string, ManifestKind>();
    for await (const response of this.pages(first, `listing the manifests of ${repository}`, signal)) {
      const body = parseBody(response.bodyAsText) as { manifests?: unknown } | undefined;
      for (const item of Array.isArray(body?.manifests) ? body.manifests : []) {
        if (item === null || typeof item !== 'object') continue;
        const { digest, mediaType } = item as { digest?: unknown; mediaType?: unknown };
        if (typeof digest !== 'string' || typeof mediaType !== 'string' || mediaType === '') continue;
        kinds.set(digest, INDEX_MEDIA_TYPES.has(mediaType) ? 'index' : 'single');
      }
    }
    return kinds;
  }

  /**
   * Whether the repository takes writes: its own `changeableAttributes.writeEnabled` from
   * `GET /acr/v1/{repo}` (false = locked as a whole); null when it does not exist (404
   * NAME_UNKNOWN). One request, with the repository's `metadata_read` token, the one its tag
   * listing holds.
   */
  async repositoryWriteEnabled(repository: string, signal?: AbortSignal): Promise<boolean | null> {
    const url = `${this.baseUrl}/acr/v1/${encodeURIComponent(repository)}`;
    const response = await this.send(url, 'GET', signal, 'application/json');
    if (response.status === 404 && acrErrorCode(response) === 'NAME_UNKNOWN') return null;
    if (response.status !== 200) throw acrErrorFrom(response, `reading the attributes of ${repository}`, { accessHint: true });
    return writeEnabledOf(parseBody(response.bodyAsText));
  }

  /**
   * Whether one manifest takes writes: its own `changeableAttributes.writeEnabled` from
   * `/acr/v1/{repo}/_manifests/{digest}` (false = locked, apart from its tags); null when the
   * repository does not hold it (404 MANIFEST_UNKNOWN, or NAME_UNKNOWN for the repository).
   */
  async manifestWriteEnabled(repository: string, digest: string, signal?: AbortSignal): Promise<boolean | null> {
    const url = `${this.baseUrl}/acr/v1/${encodeURIComponent(repository)}/_manifests/${encodeURIComponent(digest)}`;
    const response = await this.send(url, 'GET', signal, 'application/json');
    if (response.status === 404 && ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'].includes(acrErrorCode(response) ?? '')) return null;
    if (response.status !== 200) throw acrErrorFrom(response, `reading the manifest ${repository}@${digest}`, { accessHint: true });
    const body = parseBody(response.bodyAsText) as { manifest?: unknown } | undefined;
    return writeEnabledOf(body?.manifest);
  }

  /**
   * The digests of a repository's locked manifests (`changeableAttributes.writeEnabled: false`),
   * from `/acr/v1/{repo}/_manifests` (`n=1000`, every page by `Link`): each listed manifest
   * carries its own attributes (REST spec example, recordings). A missing repository rejects.
   */
  async listLockedManifests(repository: string, signal?: AbortSignal): Promise<Set<string>> {
    const first = `${this.baseUrl}/acr/v1/${encodeURIComponent(repository)}/_manifests?n=${this.pageSize}`;
    const locked = new Set<string>();
    for await (const response of this.pages(first, `listing the manifests of ${repository}`, signal)) {
      const body = parseBody(response.bodyAsText) as { manifests?: unknown } | undefined;
      for (const item of Array.isArray(body?.manifests) ? body.manifests : []) {
        const digest = (item as { digest?: unknown } | null)?.digest;
        if (typeof digest === 'string' && !writeEnabledOf(item)) locked.add(digest);
      }
    }
    return locked;
  }

  /**
   * Yields each page's answer. With `nameUnknownIsNull`, a first-page 404 NAME_UNKNOWN is
   * yielded (once) for the caller to turn into "no such repository".
   */
  private async *pages(
    firstUrl: string,
    what: string,
    signal: AbortSignal | undefined,
    nameUnknownIsNull = false,
  ): AsyncGenerator<PipelineResponse> {
    const seen = new Set<string>();
    let url: string | undefined = firstUrl;
    while (url !== undefined) {
      if (seen.has(url)) throw new Error(`${what}: the registry sent the same next-page link twice`);
      seen.add(url);
      const response = await this.send(url, 'GET', signal, 'application/json');
      if (response.status === 404 && nameUnknownIsNull && seen.size === 1 && acrErrorCode(response) === 'NAME_UNKNOWN') {
        yield response;
        return;
      }
      if (response.status !== 200) throw acrErrorFrom(response, what, { accessHint: true });
      yield response;
      url = nextPageUrl(response.headers.get('Link'), this.baseUrl);
    }
  }

  private send(url: string, method: 'GET' | 'HEAD', signal: AbortSignal | undefined, accept: string): Promise<PipelineResponse> {
    const request = createPipelineRequest({
      url,
      method,
      headers: createHttpHeaders({ Accept: accept }),
      ...(signal ? { abortSignal: signal } : {}),
    });
    return this.pipeline.sendRequest(this.httpClient, request);
  }
}

/** A client for one registry with its own token provider (tokens are per registry). */
export function createAcrClient(
  loginServer: string,
  credential: TokenCredential,
  cloud: AzureCloud,
  transport: Transport,
  options: { pageSize?: number; httpClient?: HttpClient } = {},
): AcrClient {
  const httpClient = options.httpClient ?? createDefaultHttpClient();
  const readLimit = transport.registryReads?.get(loginServer);
  const limited = readLimit ? { readLimit } : {};
  const tokens = new AcrTokenProvider({
    registryBase: `https://${loginServer}`,
    credential,
    cloud,
    pipeline: createDataPlanePipeline(transport, limited),
    httpClient,
  });
  const pipeline = createDataPlanePipeline(transport, { authentication: acrAuthenticationPolicy(tokens), ...limited });
  return new AcrClient(loginServer, pipeline, httpClient, options.pageSize ?? MAX_PAGE_SIZE, tokens);
}

/**
 * `changeableAttributes.writeEnabled` of a repository, manifest or tag body: locked only when it
 * says false, so an answer without attributes never blocks a copy (the import stays the authority).
 */
function writeEnabledOf(item: unknown): boolean {
  if (item === null || typeof item !== 'object') return true;
  const attributes = (item as { changeableAttributes?: { writeEnabled?: unknown } | null }).changeableAttributes;
  return attributes?.writeEnabled !== false;
}

function toTag(item: unknown): AcrTag | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const t = item as { name?: unknown; digest?: unknown; changeableAttributes?: { writeEnabled?: unknown } };
  if (typeof t.name !== 'string' || typeof t.digest !== 'string') return undefined;
  return { name: t.name, digest: t.digest, writeEnabled: t.changeableAttributes?.writeEnabled !== false };
}
