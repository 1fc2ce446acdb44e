/**
 * A small client for the parts of the ACR data plane (2021-07-01) this program reads:
 * the catalog, a repository's tags with digests and lock state, a manifest's digest, a
 * manifest's attributes (how many manifests an index references, its lock), a repository's
 * manifest listing (which manifests are indexes, which are locked) and a repository's own lock.
 * Why not @azure/container-registry: see docs/decisions/002-data-plane-client.md.
 *
 * Pages are asked for with `n=1000` (the service's cap; its default is 100) and followed
 * through the `Link` header until there is none, at most MAX_PAGES_PER_LISTING of them.
 * Every 200 answer read is held to its shape (answerCheck.ts, answerShapes.ts): an answer that
 * is not what a registry sends fails the call, never reads as an empty listing.
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { ManifestKind, Referrer } from '../../engine/ports';
import type { AzureCloud } from '../cloud';
import type { Transport } from '../http/transport';
import { redactText } from '../redact';
import { acrAuthenticationPolicy } from './acrAuthPolicy';
import { acrErrorCode, acrErrorFrom, AcrRequestError, READ_ACCESS_HINT, readAccessHint } from './acrErrors';
import { createDataPlanePipeline } from './acrPipeline';
import { AcrTokenProvider } from './acrTokens';
import type { BearerChallenge } from './challenge';
import { answerProblemOf, sendExpecting } from './answerCheck';
import {
  CATALOG_PAGE,
  LOCKED_MANIFEST_PAGE,
  MANIFEST_ATTRIBUTES,
  MANIFEST_LOCK,
  MANIFEST_PAGE,
  REFERRERS_PAGE,
  REGISTRY_ROOT,
  REPOSITORY_LOCK,
  TAG_PAGE,
  type AcrTag,
  type AnswerShape,
} from './answerShapes';
import { nextPageUrl } from './linkHeader';
import { CATALOG_SCOPE } from './scopes';

export { INDEX_MEDIA_TYPES, type AcrTag } from './answerShapes';

/**
 * Every manifest media type a registry may hold. A registry answers a manifest whose type the
 * Accept leaves out with 404 MANIFEST_UNKNOWN (OCI types) or, for a Docker manifest list asked
 * for by tag, with its linux/amd64 image and that image's digest: HEAD must name them all to
 * read the digest the tag points at (tests/azure/mixedFamilies.integration.test.ts).
 */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.artifact.manifest.v1+json',
].join(', ');

export const MAX_PAGE_SIZE = 1000;

/**
 * Pages one listing may take before it is given up: a chain of ever-new next-page links (a
 * broken proxy or registry) must end, and hold no more memory than a real listing. At 1,000
 * entries a page that is a million repositories, or a million tags in one repository: the
 * benchmark's 10,000-repository registry takes 10 catalog pages, and a million tags (held in
 * memory to be planned) is already more than an agent should be asked to hold.
 */
export const MAX_PAGES_PER_LISTING = 1000;

/** What a call does, for its error lines: `what` for HTTP failures, `at` (with the host) for answers. */
interface Call {
  what: string;
  at: string;
}

export class AcrClient {
  readonly baseUrl: string;

  constructor(
    readonly loginServer: string,
    private readonly pipeline: Pipeline,
    private readonly httpClient: HttpClient,
    private readonly pageSize: number = MAX_PAGE_SIZE,
    /** The token provider `pipeline` authenticates with, for `signIn`. */
    private readonly tokens?: AcrTokenProvider,
    /** Which roles a refused read names: the registry's role assignment mode decides. */
    private readonly accessHint: string = READ_ACCESS_HINT,
  ) {
    this.baseUrl = `https://${loginServer}`;
  }

  /**
   * Starts the registry token exchange without waiting for a listing to need it, where the
   * challenge is already known (an ACR found through ARM). Never fails here: a refusal
   * reaches the first request that needs a token (shared while in flight, asked again after),
   * which reports it as it would have.
   */
  exchangeAhead(): void {
    this.tokens?.exchangeAhead().catch(() => undefined);
  }

  /**
   * Makes sure the registry gives this identity a token before a run depends on it: learns
   * the challenge from `/v2/` (unless known, as for an ACR found through ARM) and gets the
   * catalog token. Both are kept and used by the
   * listing that follows, which then meets no challenge, so when the catalog is listed this
   * costs no extra round trip. Rejects with the AcrAuthenticationError of a refused exchange
   * (an identity without any role on the registry).
   */
  async signIn(signal?: AbortSignal): Promise<void> {
    if (this.tokens === undefined) return;
    if (!this.tokens.knowsChallenge) {
      const call = { what: 'reaching the registry', at: `reaching the registry ${this.loginServer}` };
      const { response } = await this.read(`${this.baseUrl}/v2/`, REGISTRY_ROOT, call, signal);
      if (!this.tokens.knowsChallenge) {
        if (response.status === 200) return; // a registry that asks for no token
        throw acrErrorFrom(response, 'reaching the registry', { accessHint: this.accessHint });
      }
    }
    await this.tokens.accessToken(CATALOG_SCOPE, signal);
  }

  /** Repository names page by page, in the registry's order. */
  async *listRepositoryPages(signal?: AbortSignal): AsyncGenerator<string[]> {
    const call = { what: 'listing repositories', at: `listing repositories of ${this.loginServer}` };
    for await (const names of this.pages(`${this.baseUrl}/acr/v1/_catalog?n=${this.pageSize}`, CATALOG_PAGE, call, signal)) {
      if (names !== null) yield names;
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
    const tags: AcrTag[] = [];
    for await (const page of this.listTagPages(repository, signal)) {
      if (page === null) return null;
      tags.push(...page);
    }
    return tags;
  }

  /**
   * The tags of a repository a page at a time (`n` per page, the next by `Link`, in name order as
   * the registry keeps them); a single `null` when the repository does not exist.
   */
  listTagPages(repository: string, signal?: AbortSignal): AsyncGenerator<AcrTag[] | null> {
    const first = `${this.baseUrl}/acr/v1/${encodeURIComponent(repository)}/_tags?n=${this.pageSize}`;
    const call = { what: `listing the tags of ${repository}`, at: `listing the tags of ${repository} in ${this.loginServer}` };
    return this.pages(first, TAG_PAGE, call, signal, true);
  }

  /** The digest a tag or digest reference resolves to (`Docker-Content-Digest`), or null if unknown. */
  async getManifestDigest(repository: string, reference: string, signal?: AbortSignal): Promise<string | null> {
    const path = repository.split('/').map(encodeURIComponent).join('/');
    const url = `${this.baseUrl}/v2/${path}/manifests/${encodeURIComponent(reference)}`;
    const response = await this.pipeline.sendRequest(this.httpClient, this.request(url, 'HEAD', signal, MANIFEST_MEDIA_TYPES));
    if (response.status === 404) return null;
    if (response.status !== 200) throw acrErrorFrom(response, `reading the manifest ${repository}:${reference}`, { accessHint: this.accessHint });
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
    const { response, value } = await this.read(url, MANIFEST_ATTRIBUTES, { what, at: `${what} in ${this.loginServer}` }, signal);
    if (value === undefined) throw acrErrorFrom(response, what, { accessHint: this.accessHint });
    return value;
  }

  /**
   * The kind of every manifest of a repository by digest, from `/acr/v1/{repo}/_manifests`
   * (`n=1000`, every page by `Link`). Each listed manifest carries its `mediaType` but, unlike
   * the single-manifest read, not its `references` (recorded: a 2023 listing shows an index of
   * 11 platforms without them), so this tells which digests are indexes, not how big they are.
   * A manifest listed without a media type is left out. Uses the repository's `metadata_read`
   * token, the one its tag listing holds; a missing repository rejects (404 NAME_UNKNOWN).
   * With `only`, the map keeps only those digests (the rest of each page is let go with it).
   */
  async listManifestKinds(repository: string, signal?: AbortSignal, only?: ReadonlySet<string>): Promise<Map<string, ManifestKind>> {
    const first = `${this.baseUrl}/acr/v1/${encodeURIComponent(repository)}/_manifests?n=${this.pageSize}`;
    const call = { what: `listing the manifests of ${repository}`, at: `listing the manifests of ${repository} in ${this.loginServer}` };
    const kinds = new Map<string, ManifestKind>();
    for await (const page of this.pages(first, MANIFEST_PAGE, call, signal)) {
      for (const [digest, kind] of page ?? []) if (only === undefined || only.has(digest)) kinds.set(digest, kind);
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
    const what = `reading the attributes of ${repository}`;
    const { response, value } = await this.read(url, REPOSITORY_LOCK, { what, at: `${what} in ${this.loginServer}` }, signal);
    if (response.status === 404 && acrErrorCode(response) === 'NAME_UNKNOWN') return null;
    if (value === undefined) throw acrErrorFrom(response, what, { accessHint: this.accessHint });
    return value;
  }

  /**
   * Whether one manifest takes writes: its own `changeableAttributes.writeEnabled` from
   * `/acr/v1/{repo}/_manifests/{digest}` (false = locked, apart from its tags); null when the
   * repository does not hold it (404 MANIFEST_UNKNOWN, or NAME_UNKNOWN for the repository).
   */
  async manifestWriteEnabled(repository: string, digest: string, signal?: AbortSignal): Promise<boolean | null> {
    const url = `${this.baseUrl}/acr/v1/${encodeURIComponent(repository)}/_manifests/${encodeURIComponent(digest)}`;
    const what = `reading the manifest ${repository}@${digest}`;
    const { response, value } = await this.read(url, MANIFEST_LOCK, { what, at: `${what} in ${this.loginServer}` }, signal);
    if (response.status === 404 && ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'].includes(acrErrorCode(response) ?? '')) return null;
    if (value === undefined) throw acrErrorFrom(response, what, { accessHint: this.accessHint });
    return value;
  }

  /**
   * The digests of a repository's locked manifests (`changeableAttributes.writeEnabled: false`),
   * from `/acr/v1/{repo}/_manifests` (`n=1000`, every page by `Link`): each listed manifest
   * carries its own attributes (REST spec example, recordings). A missing repository rejects.
   */
  async listLockedManifests(repository: string, signal?: AbortSignal): Promise<Set<string>> {
    const first = `${this.baseUrl}/acr/v1/${encodeURIComponent(repository)}/_manifests?n=${this.pageSize}`;
    const call = { what: `listing the manifests of ${repository}`, at: `listing the manifests of ${repository} in ${this.loginServer}` };
    const locked = new Set<string>();
    for await (const page of this.pages(first, LOCKED_MANIFEST_PAGE, call, signal)) {
      for (const digest of page ?? []) locked.add(digest);
    }
    return locked;
  }

  /**
   * The OCI referrers of the manifest `digest` (`GET /v2/{repo}/referrers/{digest}`, every page
   * by `Link`, at most MAX_PAGES_PER_LISTING): the digest and artifact type of each manifest of
   * the repository whose `subject` is `digest`. Empty when the repository does not exist (404
   * NAME_UNKNOWN: a target repository not created yet). Uses the repository's `pull` token, as
   * `az acr manifest list-referrers` does. No `n`: the spec defines no page size for it.
   */
  async listReferrers(repository: string, digest: string, signal?: AbortSignal): Promise<Referrer[]> {
    const path = repository.split('/').map(encodeURIComponent).join('/');
    const first = `${this.baseUrl}/v2/${path}/referrers/${encodeURIComponent(digest)}`;
    const call = { what: `listing the referrers of ${repository}@${digest}`, at: `listing the referrers of ${repository}@${digest} in ${this.loginServer}` };
    const referrers: Referrer[] = [];
    for await (const page of this.pages(first, REFERRERS_PAGE, call, signal, true)) {
      if (page === null) return [];
      referrers.push(...page);
    }
    return referrers;
  }

  /**
   * Yields what each page holds, read with `shape`. With `nameUnknownIsNull`, a first-page 404
   * NAME_UNKNOWN yields null (once) for the caller to turn into "no such repository".
   */
  private async *pages<T>(
    firstUrl: string,
    shape: AnswerShape<T>,
    call: Call,
    signal: AbortSignal | undefined,
    nameUnknownIsNull = false,
  ): AsyncGenerator<T | null> {
    const seen = new Set<string>();
    let url: string | undefined = firstUrl;
    while (url !== undefined) {
      if (seen.has(url)) throw new AcrRequestError(`${call.at}: the registry sent the same next-page link twice`, 200);
      if (seen.size >= MAX_PAGES_PER_LISTING) {
        throw new AcrRequestError(`${call.at}: stopped after ${MAX_PAGES_PER_LISTING} pages, the registry keeps sending next-page links`, 200);
      }
      seen.add(url);
      const page: { value?: T | null; next?: string } = await this.readPage(url, shape, call, signal, nameUnknownIsNull && seen.size === 1);
      if (page.value === null) {
        yield null;
        return;
      }
      url = page.next;
      yield* handOn(page);
    }
  }

  /**
   * One page of a listing and the link to the next; `null` for a missing repository when
   * `nameUnknownIsNull`. The answer itself (its text) is not kept: see handOn.
   */
  private async readPage<T>(
    url: string,
    shape: AnswerShape<T>,
    call: Call,
    signal: AbortSignal | undefined,
    nameUnknownIsNull: boolean,
  ): Promise<{ value?: T | null; next?: string }> {
    const { response, value } = await this.read(url, shape, call, signal);
    if (response.status === 404 && nameUnknownIsNull && acrErrorCode(response) === 'NAME_UNKNOWN') return { value: null };
    if (value === undefined) throw acrErrorFrom(response, call.what, { accessHint: this.accessHint });
    const next = nextPageUrl(response.headers.get('Link'), this.baseUrl);
    return next === undefined ? { value } : { value, next };
  }

  /**
   * GETs an answer whose 200 must have `shape`: the value read from it, or (for another status)
   * none. An answer that is not what a registry sends is one line naming the registry and what
   * was wrong, once the retries have not brought a better one.
   */
  private async read<T>(url: string, shape: AnswerShape<T>, call: Call, signal: AbortSignal | undefined): Promise<{ response: PipelineResponse; value?: T }> {
    try {
      return await sendExpecting(this.pipeline, this.httpClient, this.request(url, 'GET', signal, 'application/json'), shape);
    } catch (error) {
      const problem = answerProblemOf(error);
      throw problem === undefined ? error : new AcrRequestError(redactText(`${call.at}: ${problem}`), 200);
    }
  }

  private request(url: string, method: 'GET' | 'HEAD', signal: AbortSignal | undefined, accept: string): PipelineRequest {
    return createPipelineRequest({
      url,
      method,
      headers: createHttpHeaders({ Accept: accept }),
      ...(signal ? { abortSignal: signal } : {}),
    });
  }
}

/** A client for one registry with its own token provider (tokens are per registry). */
export function createAcrClient(
  loginServer: string,
  credential: TokenCredential,
  cloud: AzureCloud,
  transport: Transport,
  options: { pageSize?: number; httpClient?: HttpClient; abacMode?: boolean; tier?: string; knownChallenge?: BearerChallenge } = {},
): AcrClient {
  const httpClient = options.httpClient ?? createDefaultHttpClient();
  // The tier (the registry's SKU from ARM) sizes the read cap's burst (readCap.ts).
  const readLimit = transport.registryReads?.of(loginServer, options.tier);
  const limited = readLimit ? { readLimit } : {};
  const tokens = new AcrTokenProvider({
    registryBase: `https://${loginServer}`,
    credential,
    cloud,
    pipeline: createDataPlanePipeline(transport, limited),
    httpClient,
    ...(options.knownChallenge ? { knownChallenge: options.knownChallenge } : {}),
  });
  const pipeline = createDataPlanePipeline(transport, { authentication: acrAuthenticationPolicy(tokens), ...limited });
  return new AcrClient(loginServer, pipeline, httpClient, options.pageSize ?? MAX_PAGE_SIZE, tokens, readAccessHint(options.abacMode === true));
}

/**
 * Yields a page and lets go of it first. A generator's frame keeps its variables while it waits
 * for the next page; a page of 1,000 tags held across that wait outlives the young generation's
 * collections and lands in the old generation, where it stays until a full collection: memory
 * that grows with the tag count (decision 017). Emptied here, the frame holds nothing of it
 * once the consumer has taken it.
 */
function* handOn<T>(page: { value?: T | null }): Generator<T> {
  const value = page.value as T;
  delete page.value;
  yield value;
}
