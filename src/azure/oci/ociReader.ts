/**
 * The engine's RegistryReader over the plain OCI distribution API, for any registry named by
 * its address (issue 14): Docker Hub, GHCR, Quay, CNCF distribution, an ACR reached with a
 * repository-scoped token or anonymous pull.
 *
 * - Repositories: `GET /v2/_catalog?n=1000`, every page by `Link` (a registry that refuses that
 *   `n` with 400 PAGINATION_NUMBER_INVALID, as distribution does above its `catalog.maxentries`,
 *   is asked again without one and pages at its own size). A registry that has none, or
 *   will not list it to these credentials (Docker Hub has none), ends the listing with
 *   CatalogUnavailable: the user names the repositories instead.
 * - Tags: `GET /v2/{name}/tags/list?n=1000` by `Link` (distribution 2.8 ignores `n` and `last`
 *   and answers all in one page; Docker Hub and GHCR page), then each tag's digest by
 *   `HEAD /v2/{name}/manifests/{tag}` with every manifest type in Accept (distribution answers
 *   404 to an OCI manifest asked for without the OCI types), at most `tagReadsInFlight` at once
 *   per reader. That is one request per tag where an ACR lists digests with its tags: the cost
 *   of a per-tag source. The distribution API has no tag locks or update times: every tag is
 *   `writeEnabled`, `lastUpdated` undefined (time-based tag filters select none of them).
 * - Referrers: `GET /v2/{name}/referrers/{digest}` (OCI 1.1); a registry without the API (404,
 *   distribution 2.8) lists none — the tag-schema fallback (`sha256-<hex>` tags) is not read.
 *
 * Requests go through the data-plane pipeline of the shared transport (acrPipeline.ts): they
 * are counted, paced by the registry read cap, routed through the proxy rules, trusted with the
 * configured CA, retried on faults and on 429 (waiting what `Retry-After` says, unless that is
 * longer than the transport's longest retry delay: SourceRateLimited, longWait.ts), and every
 * 200 answer relied on is held to its shape. Docker Hub's rate-limit headers are kept (allowance()).
 */
import { createHash } from 'node:crypto';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { LRUCache } from 'lru-cache';
import type { Referrer, RegistryReader, TagInfo } from '../../engine/ports';
import type { Transport } from '../http/transport';
import { redactText } from '../redact';
import { MANIFEST_MEDIA_TYPES, MAX_PAGE_SIZE, MAX_PAGES_PER_LISTING } from '../dataplane/acrClient';
import { acrErrorCode, acrErrorFrom, AcrRequestError } from '../dataplane/acrErrors';
import { createDataPlanePipeline } from '../dataplane/acrPipeline';
import { answerProblemOf, sendExpecting } from '../dataplane/answerCheck';
import { CATALOG_PAGE, INDEX_MEDIA_TYPES, REFERRERS_PAGE, type AnswerShape } from '../dataplane/answerShapes';
import { nextPageUrl } from '../dataplane/linkHeader';
import { CatalogUnavailable, SourceUnauthorized } from './errors';
import { Limiter } from './limiter';
import { longWaitPolicy } from './longWait';
import { OciAuth, ociAuthenticationPolicy } from './ociAuth';
import { MANIFEST_REFERENCES, TAG_NAMES_PAGE } from './ociShapes';
import { AllowanceRecorder, type RateAllowance } from './rateLimit';
import { apiHostOf, type SourceAddress } from './sourceAddress';

export type { RateAllowance } from './rateLimit';

export interface OciReaderOptions {
  /** per-tag HEADs in flight at most (default 8) */
  tagReadsInFlight?: number;
  signal?: AbortSignal;
  /** `n` asked of the catalog and tag listings (default and the usual cap, 1000); smaller only to test paging. */
  pageSize?: number;
}

export interface OciRegistryReader extends RegistryReader {
  /** The last rate-limit allowance the registry announced (Docker Hub's `ratelimit-remaining: 76;w=21600` / `ratelimit-limit`), undefined when none. */
  allowance(): RateAllowance | undefined;
  /**
   * The allowance as the registry announces it now. The imports pull from the registry too,
   * after the reader's last answer, so the last allowance seen is stale by their pulls: when the
   * registry announces one at all, one more `HEAD` of a manifest the reader found asks again (a
   * HEAD is no pull on Docker Hub). Undefined when it never announced one; the last one seen
   * when asking again fails.
   */
  currentAllowance(signal?: AbortSignal): Promise<RateAllowance | undefined>;
}

export const DEFAULT_TAG_READS_IN_FLIGHT = 8;

/** Manifest kinds remembered from HEADs (about 100 bytes each). */
const MAX_KNOWN_KINDS = 100_000;

/** A manifest digest as this program pins imports to: sha256 only. */
const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The catalog answers that mean "no catalog for you": refused after the token dance, absent, or unsupported. */
const NO_CATALOG_STATUSES: ReadonlySet<number> = new Set([401, 403, 404, 405]);

export function createOciRegistryReader(address: SourceAddress, transport: Transport, options: OciReaderOptions = {}): OciRegistryReader {
  return new OciReader(address, transport, options);
}

class OciReader implements OciRegistryReader {
  private readonly host: string;
  private readonly baseUrl: string;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly auth: OciAuth;
  private readonly allowances = new AllowanceRecorder();
  private readonly heads: Limiter;
  private readonly pageSize: number;
  private signedIn?: Promise<void>;
  /** A manifest the registry answered for, to ask it for the allowance again (currentAllowance). */
  private knownManifest?: { repository: string; digest: string };
  /**
   * Whether a manifest a HEAD found is an image index, by `repo@digest`, from the HEAD's
   * Content-Type: countReferencedManifests then reads only indexes. On Docker Hub that GET is a
   * pull, so a single image's count costs nothing instead of one pull. Bounded: a registry of
   * millions of tags must not grow it without end; a digest dropped from it is simply read.
   */
  private readonly kinds = new LRUCache<string, boolean>({ max: MAX_KNOWN_KINDS });

  constructor(
    address: SourceAddress,
    transport: Transport,
    private readonly options: OciReaderOptions,
  ) {
    this.host = address.host;
    const apiHost = apiHostOf(address.host);
    this.baseUrl = `https://${apiHost}`;
    this.heads = new Limiter(options.tagReadsInFlight ?? DEFAULT_TAG_READS_IN_FLIGHT);
    this.pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    this.httpClient = createDefaultHttpClient();
    // The registry's read cap covers its token requests too, as for an ACR (acrPipeline.ts).
    const readLimit = transport.registryReads?.of(apiHost);
    const limited = readLimit ? { readLimit } : {};
    const tokenPipeline = createDataPlanePipeline(transport, limited);
    tokenPipeline.addPolicy(longWaitPolicy(address.host, transport.retry.maxRetryDelayInMs), { phase: 'Retry' });
    tokenPipeline.addPolicy(this.allowances.policy, { afterPhase: 'Sign' });
    this.auth = new OciAuth({
      apiHost,
      displayHost: address.host,
      ...(address.credentials ? { credentials: address.credentials } : {}),
      pipeline: tokenPipeline,
      httpClient: this.httpClient,
    });
    this.pipeline = createDataPlanePipeline(transport, { authentication: ociAuthenticationPolicy(this.auth), ...limited });
    this.pipeline.addPolicy(longWaitPolicy(address.host, transport.retry.maxRetryDelayInMs), { phase: 'Retry' });
    this.pipeline.addPolicy(this.allowances.policy, { afterPhase: 'Sign' });
  }

  allowance(): RateAllowance | undefined {
    return this.allowances.current();
  }

  async currentAllowance(signal?: AbortSignal): Promise<RateAllowance | undefined> {
    signal ??= this.options.signal;
    const known = this.knownManifest;
    if (this.allowances.current() === undefined || known === undefined) return this.allowances.current();
    try {
      await this.manifestDigest(known.repository, known.digest, signal);
    } catch {
      // The run is over; the allowance is a note in its report, not worth failing it.
    }
    return this.allowances.current();
  }

  /** Token requests sent so far (tests, benchmark). */
  get tokenRequests(): number {
    return this.auth.tokenRequests;
  }

  async *listRepositories(signal?: AbortSignal): AsyncGenerator<string> {
    signal ??= this.options.signal;
    await this.signIn(signal);
    let first = true;
    const noCatalog = (response: PipelineResponse): undefined => {
      if (first && (NO_CATALOG_STATUSES.has(response.status) || acrErrorCode(response) === 'UNSUPPORTED')) throw new CatalogUnavailable(this.host);
      return undefined;
    };
    try {
      for await (const page of this.pages(`${this.baseUrl}/v2/_catalog?n=${this.pageSize}`, CATALOG_PAGE, 'listing repositories', signal, noCatalog)) {
        first = false;
        yield* page;
      }
    } catch (error) {
      // Signed in, yet no token for the catalog scope: the realm will not grant a catalog.
      if (first && error instanceof SourceUnauthorized) throw new CatalogUnavailable(this.host);
      throw error;
    }
  }

  async listTags(repository: string, signal?: AbortSignal, wanted?: (tag: string) => boolean): Promise<TagInfo[] | null> {
    signal ??= this.options.signal;
    const what = `listing the tags of ${repository}`;
    const names: string[] = [];
    let missing = false;
    for await (const page of this.pages(`${this.repositoryUrl(repository)}/tags/list?n=${this.pageSize}`, TAG_NAMES_PAGE, what, signal, (response, index) => {
      if (index === 0 && response.status === 404 && acrErrorCode(response) === 'NAME_UNKNOWN') {
        missing = true;
        return [];
      }
      return undefined;
    })) {
      names.push(...page);
    }
    if (missing) return null;
    const unique = [...new Set(names)];
    // The run's name filter refuses these: listed by name (they are counted), their digest unread.
    const skipped = wanted === undefined ? [] : unique.filter((tag) => !wanted(tag));
    const toRead = skipped.length === 0 ? unique : unique.filter((tag) => wanted!(tag));
    // Once one HEAD has failed the listing fails: the HEADs still waiting are not sent.
    let failed: { error: unknown } | undefined;
    const digests = await Promise.all(
      toRead.map((tag) =>
        this.heads.run(async () => {
          if (failed !== undefined) throw failed.error;
          try {
            return await this.manifestDigest(repository, tag, signal);
          } catch (error) {
            failed ??= { error };
            throw error;
          }
        }),
      ),
    );
    const tags: TagInfo[] = [];
    toRead.forEach((name, i) => {
      const digest = digests[i];
      // Deleted between the listing and its HEAD: not a tag any more.
      if (digest !== null) tags.push({ name, digest, writeEnabled: true, lastUpdated: undefined });
    });
    for (const name of skipped) tags.push({ name, digest: '', writeEnabled: true, lastUpdated: undefined });
    return tags;
  }

  async countReferencedManifests(repository: string, digest: string, signal?: AbortSignal): Promise<number> {
    signal ??= this.options.signal;
    // A single image or artifact references no manifests: known from its HEAD, nothing to read.
    if (this.kinds.get(`${repository}@${digest}`) === false) return 0;
    const what = `reading the manifest ${repository}@${digest}`;
    const { response, value } = await this.read(this.manifestUrl(repository, digest), 'GET', MANIFEST_MEDIA_TYPES, MANIFEST_REFERENCES, what, signal);
    if (value === undefined) throw this.failure(response, what);
    return value;
  }

  async listReferrers(repository: string, digest: string, signal?: AbortSignal): Promise<Referrer[]> {
    signal ??= this.options.signal;
    const what = `listing the referrers of ${repository}@${digest}`;
    const referrers: Referrer[] = [];
    const url = `${this.repositoryUrl(repository)}/referrers/${encodeURIComponent(digest)}`;
    // 404: no such repository, or a registry without the referrers API (distribution 2.8).
    for await (const page of this.pages(url, REFERRERS_PAGE, what, signal, (response, index) => (index === 0 && response.status === 404 ? [] : undefined))) {
      referrers.push(...page);
    }
    return referrers;
  }

  /** By `HEAD /v2/{name}/manifests/{digest}`. */
  async hasManifest(repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
    signal ??= this.options.signal;
    return (await this.manifestDigest(repository, digest, signal)) !== null;
  }

  /**
   * Checks once that the registry lets this client in at all (`GET /v2/`), so a refusal is
   * SourceUnauthorized rather than "no catalog". Shared by concurrent callers; tried again
   * after a failure.
   */
  private signIn(signal: AbortSignal | undefined): Promise<void> {
    this.signedIn ??= (async () => {
      const response = await this.pipeline.sendRequest(this.httpClient, this.request(`${this.baseUrl}/v2/`, 'GET', 'application/json', signal));
      if (response.status === 200) return;
      throw this.failure(response, 'signing in');
    })();
    this.signedIn.catch(() => (this.signedIn = undefined));
    return this.signedIn;
  }

  /** The digest a tag (or digest) points at; null when the registry does not hold it (404). */
  private async manifestDigest(repository: string, reference: string, signal: AbortSignal | undefined): Promise<string | null> {
    const what = `reading the manifest ${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const url = this.manifestUrl(repository, reference);
    const response = await this.pipeline.sendRequest(this.httpClient, this.request(url, 'HEAD', MANIFEST_MEDIA_TYPES, signal));
    if (response.status === 404) return null;
    if (response.status !== 200) throw this.failure(response, what);
    const header = response.headers.get('Docker-Content-Digest')?.trim();
    const digest = header === undefined || header === '' ? await this.digestOfBody(url, what, signal) : header;
    if (digest === null) return null;
    if (!SHA256_DIGEST.test(digest)) throw new AcrRequestError(redactText(`${what} at ${this.host}: the registry names the digest "${digest.slice(0, 80)}", not sha256:<64 hex>`), 200);
    this.knownManifest ??= { repository, digest };
    const mediaType = response.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    if (mediaType) this.kinds.set(`${repository}@${digest}`, INDEX_MEDIA_TYPES.has(mediaType));
    return digest;
  }

  /**
   * A registry that sends no Docker-Content-Digest (the header is optional for HEAD in the
   * spec): the digest is the sha256 of the manifest's bytes as served. The body arrives as
   * UTF-8 text (boundedBody.ts); a manifest is JSON, so its bytes come back unchanged.
   */
  private async digestOfBody(url: string, what: string, signal: AbortSignal | undefined): Promise<string | null> {
    const response = await this.pipeline.sendRequest(this.httpClient, this.request(url, 'GET', MANIFEST_MEDIA_TYPES, signal));
    if (response.status === 404) return null;
    if (response.status !== 200) throw this.failure(response, what);
    const header = response.headers.get('Docker-Content-Digest')?.trim();
    if (header) return header;
    return `sha256:${createHash('sha256').update(Buffer.from(response.bodyAsText ?? '', 'utf8')).digest('hex')}`;
  }

  /**
   * Yields each page's value read with `shape`, following `Link` (at most MAX_PAGES_PER_LISTING
   * pages, never the same link twice, never to another host). `special` may turn a page's
   * non-200 answer into a value (and end the listing), or throw; undefined lets it fail.
   */
  private async *pages<T>(
    firstUrl: string,
    shape: AnswerShape<T>,
    what: string,
    signal: AbortSignal | undefined,
    special: (response: PipelineResponse, index: number) => T | undefined,
  ): AsyncGenerator<T> {
    const seen = new Set<string>();
    let url: string | undefined = firstUrl;
    while (url !== undefined) {
      if (seen.has(url)) throw new AcrRequestError(`${what} at ${this.host}: the registry sent the same next-page link twice`, 200);
      if (seen.size >= MAX_PAGES_PER_LISTING) {
        throw new AcrRequestError(`${what} at ${this.host}: stopped after ${MAX_PAGES_PER_LISTING} pages, the registry keeps sending next-page links`, 200);
      }
      const index = seen.size;
      seen.add(url);
      const { response, value } = await this.read(url, 'GET', 'application/json', shape, what, signal);
      if (value === undefined && index === 0 && response.status === 400 && acrErrorCode(response) === 'PAGINATION_NUMBER_INVALID') {
        // distribution refuses an `n` above its `catalog.maxentries` (400 PAGINATION_NUMBER_INVALID):
        // its own page size is taken then, by asking for none.
        const bare: URL = new URL(url);
        if (bare.searchParams.has('n')) {
          bare.searchParams.delete('n');
          seen.clear();
          url = bare.toString();
          continue;
        }
      }
      if (value === undefined) {
        const instead = special(response, index);
        if (instead === undefined) throw this.failure(response, what);
        yield instead;
        return;
      }
      yield value;
      url = nextPageUrl(response.headers.get('Link'), this.baseUrl);
    }
  }

  private async read<T>(
    url: string,
    method: 'GET',
    accept: string,
    shape: AnswerShape<T>,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<{ response: PipelineResponse; value?: T }> {
    try {
      return await sendExpecting(this.pipeline, this.httpClient, this.request(url, method, accept, signal), shape);
    } catch (error) {
      const problem = answerProblemOf(error);
      throw problem === undefined ? error : new AcrRequestError(redactText(`${what} at ${this.host}: ${problem}`), 200);
    }
  }

  /** A refusal (401/403 after the challenge was answered) is SourceUnauthorized; anything else one redacted line. */
  private failure(response: PipelineResponse, what: string): Error {
    if (response.status === 401 || response.status === 403) return new SourceUnauthorized(this.host, what, response.status, this.auth.anonymous);
    return acrErrorFrom(response, `${what} at ${this.host}`);
  }

  private repositoryUrl(repository: string): string {
    return `${this.baseUrl}/v2/${repository.split('/').map(encodeURIComponent).join('/')}`;
  }

  private manifestUrl(repository: string, reference: string): string {
    return `${this.repositoryUrl(repository)}/manifests/${encodeURIComponent(reference)}`;
  }

  private request(url: string, method: 'GET' | 'HEAD', accept: string, signal: AbortSignal | undefined): PipelineRequest {
    return createPipelineRequest({ url, method, headers: createHttpHeaders({ Accept: accept }), ...(signal ? { abortSignal: signal } : {}) });
  }
}
