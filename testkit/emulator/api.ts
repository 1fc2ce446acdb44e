/**
 * The emulator's public surface, as tests, the demo and the benchmark use it. The emulator
 * plays Entra ID, Azure Resource Manager and one ACR data plane per registry, each over HTTPS
 * on its own 127.0.0.1 port, with a CA it generates at start. Clients reach it exactly as they
 * reach Azure; these types are only for the harness that starts, seeds, inspects and perturbs it.
 */

/** Role names as Azure spells them; the emulator checks them on ARM and on the data plane. */
export type RoleName =
  | 'Owner'
  | 'Contributor'
  | 'Reader'
  | 'AcrPull'
  | 'AcrPush'
  | 'AcrDelete'
  | 'Container Registry Data Importer and Data Reader';

export interface RoleAssignment {
  role: RoleName;
  /** A subscription, resource group or registry resource id; it covers everything below it. */
  scope: string;
}

/** An Entra ID application (service principal) the token endpoint knows. */
export interface PrincipalFixture {
  tenantId: string;
  clientId: string;
  /** Client credentials with a secret. */
  secret?: string;
  /** Workload identity federation: assertions with this issuer and subject are accepted. */
  federated?: { issuer: string; subject: string; audience?: string };
  /** Certificate credential: PEM of the public certificate whose key signs assertions. */
  certificatePem?: string;
  /**
   * A managed identity of the machine the task runs on: the emulated managed-identity endpoint
   * (`Emulator.managedIdentity`) issues tokens for it — without a client id for the one
   * `systemAssigned` identity, with `client_id=<clientId>` for a `userAssigned` one.
   */
  managedIdentity?: 'systemAssigned' | 'userAssigned';
  roles: RoleAssignment[];
}

/**
 * Content of one tag. The emulator turns each into real manifest bytes (deterministic for the
 * same description), so digests are the sha256 of what it serves.
 * - `image`: a single-platform image manifest; `seed` makes the config/layers distinct.
 * - `index`: an image index whose children are images for the given platforms.
 * - `helm`: a Helm chart OCI artifact (config application/vnd.cncf.helm.config.v1+json).
 * - `artifact`: an OCI 1.1 artifact (an image manifest with `artifactType`, the empty config and
 *   one blob of `blobMediaType`, default application/octet-stream), with a `subject` when it is
 *   about another manifest (a signature, an SBOM). Usually stored untagged, as a referrer
 *   (`TagFixture.referrers`, `EmulatedRegistry.attach`).
 *
 * `format` picks the family of images and indexes: `'oci'` (default: OCI image manifest and
 * image index) or `'docker'` (Docker image manifest v2 schema 2 and manifest list, the
 * `application/vnd.docker.distribution.*` types most real registries are full of).
 */
export type ContentFixture =
  | { kind: 'image'; seed: string; format?: ManifestFormat }
  | { kind: 'index'; seed: string; platforms: string[]; format?: ManifestFormat }
  | { kind: 'helm'; seed: string; chart: string; version: string }
  | {
      kind: 'artifact';
      seed: string;
      artifactType: string;
      subject?: DescriptorFixture;
      annotations?: Record<string, string>;
      blobMediaType?: string;
    };

export type ManifestFormat = 'oci' | 'docker';

/** A content descriptor as manifests write it (a `subject`, an index entry). */
export interface DescriptorFixture {
  mediaType: string;
  digest: string;
  size: number;
}

/**
 * An artifact about a manifest (OCI 1.1 referrer): stored untagged in the same repository with
 * a `subject` naming that manifest, so `GET /v2/{name}/referrers/{digest}` lists it. It may
 * have referrers of its own (a signature of an SBOM).
 */
export interface ReferrerFixture {
  artifactType: string;
  seed: string;
  annotations?: Record<string, string>;
  blobMediaType?: string;
  referrers?: ReferrerFixture[];
}

export interface TagFixture {
  content: ContentFixture;
  /** `changeableAttributes.writeEnabled`; false = locked. Default true. */
  writeEnabled?: boolean;
  /**
   * The `changeableAttributes.writeEnabled` of the manifest the tag points at (ACR keeps tag and
   * manifest attributes apart); false = the manifest is locked. Default true.
   */
  manifestWriteEnabled?: boolean;
  /** Artifacts about the tag's manifest (signatures, SBOMs…), stored untagged as its referrers. */
  referrers?: ReferrerFixture[];
  /** The tag's `createdTime` and `lastUpdateTime` (ISO 8601); default: when the fixture is loaded. */
  lastUpdateTime?: string;
}

export interface RegistryFixture {
  name: string;
  resourceGroup: string;
  location?: string;
  sku?: 'Basic' | 'Standard' | 'Premium';
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  networkRuleBypassOptions?: 'AzureServices' | 'None';
  /**
   * Anonymous pull (`az acr update --anonymous-pull-enabled`): the token route gives anyone,
   * without credentials, the read scopes (pull, metadata_read, the catalog). Standard and
   * Premium only, as in Azure. Default false.
   */
  anonymousPullEnabled?: boolean;
  /** When 'disabled', the data plane refuses ARM-audience Entra tokens at /oauth2/exchange. */
  azureADAuthenticationAsArmPolicy?: 'enabled' | 'disabled';
  /**
   * `roleAssignmentMode` in the registry's ARM body (default `LegacyRegistryPermissions`). It
   * only sets that field: the emulator does not model the attribute-based mode's roles or
   * conditions, its data plane grants by the classic roles either way.
   */
  roleAssignmentMode?: 'LegacyRegistryPermissions' | 'AbacRepositoryPermissions';
  /** repository name -> tag name -> content */
  repositories?: Record<string, Record<string, TagFixture>>;
  /**
   * Repositories of `repositories` locked as a whole: their own
   * `changeableAttributes.writeEnabled` is false (`az acr repository update --repository R
   * --write-enabled false`).
   */
  lockedRepositories?: string[];
  /**
   * Repository-scoped tokens (`az acr token create`): clients sign in with the token's name as
   * user name and one of its passwords, over Basic to `GET /oauth2/token` (the docker flow),
   * `POST /oauth2/token` with `grant_type=password`, or as importImage's
   * `source.credentials`. They get what their scope map allows, nothing else.
   */
  tokens?: AcrTokenFixture[];
  /** The admin user (`az acr update --admin-enabled`): user name = the registry's name, every action. Default off. */
  adminUser?: { password: string };
  /**
   * Plays another registry than ACR on this data plane. `dockerHub`: Docker Hub's registry
   * (registry-1.docker.io) as far as clients see a difference — no catalog, pull rate limits
   * with their headers (README, "Docker Hub personality"). importImage reads from it over
   * HTTPS like from any registry that is not an ACR. Default `acr`.
   */
  flavour?: 'acr' | 'dockerHub';
  /** `dockerHub` flavour: pulls (manifest GETs) per window, anonymous and signed in. Default 100 and 200, as Docker documents. */
  dockerHubPullLimits?: { anonymous?: number; authenticated?: number };
}

/**
 * An ACR token and its scope map (`az acr token create --name … --repository app content/read`).
 * `actions` are the scope map's, as ACR writes them: `repositories/<repository>/<content|metadata>/<read|write|delete>`
 * (`content/read` = pull, `content/write` = push, `content/delete` = delete, `metadata/read`,
 * `metadata/write`); a repository `team/*` covers every repository under `team/` (ACR's wildcard
 * scope maps).
 */
export interface AcrTokenFixture {
  name: string;
  /** ACR gives a token two passwords (password1, password2); either signs in. */
  passwords: string[];
  actions: string[];
  /** A disabled token signs nothing in. Default enabled. */
  status?: 'enabled' | 'disabled';
}

export interface SubscriptionFixture {
  /** A GUID, as ARM requires. */
  id: string;
  tenantId: string;
  /** What `GET /subscriptions` calls it (default `Subscription <first 8 characters of the id>`). */
  displayName?: string;
  registries: RegistryFixture[];
}

/** An Azure Resource Manager service connection of the emulated Azure DevOps project. */
export interface ServiceConnectionFixture {
  /** Its id: `serviceConnectionId=` in OIDC requests, `<id>` in the agent's ENDPOINT_* variables. */
  id: string;
  /** Its name; ID tokens for it carry the subject `sc://<organization>/<project>/<name>`. */
  name: string;
}

/**
 * The Azure DevOps side of workload identity federation: the organization and project whose
 * pipeline asks for ID tokens, and the service connections it may ask for. A principal trusts
 * a connection through `federated: pipelineFederatedCredential(name, pipeline)`.
 */
export interface PipelineFixture {
  /** Organization name (the collection URL's path). Default `contoso`. */
  organization?: string;
  /** Organization id, the ID token issuer's last segment. Default a fixed GUID. */
  organizationId?: string;
  /** Project name, in the subject. Default `acr-transfer`. */
  project?: string;
  serviceConnections: ServiceConnectionFixture[];
}

export interface Fixture {
  principals: PrincipalFixture[];
  subscriptions: SubscriptionFixture[];
  /** Azure DevOps, for workload identity federation through `System.OidcRequestUri`. */
  pipeline?: PipelineFixture;
}

/** Route names used by the request log, counters, latency and faults. */
export type RouteName =
  | 'entra.openid'
  | 'entra.discovery'
  | 'entra.token'
  | 'entra.tokenV1'
  | 'arm.registries.list'
  | 'arm.registries.get'
  /** `GET /subscriptions/{id}/resources` (generic resource list; az finds registries with it). */
  | 'arm.resources.list'
  | 'arm.importImage'
  | 'arm.importImage.poll'
  /**
   * `GET {scope}/providers/Microsoft.Authorization/permissions` for a subscription, resource
   * group or registry scope: the caller's effective actions there (preflight).
   */
  | 'arm.permissions'
  /** `GET /subscriptions` and `GET /subscriptions/{id}`: the subscriptions the caller has a role in. */
  | 'arm.subscriptions'
  /** `GET /metadata/endpoints`: the cloud's endpoints (unauthenticated, as on ARM). */
  | 'arm.metadata'
  | 'acr.v2'
  | 'acr.exchange'
  | 'acr.token'
  | 'acr.catalog'
  | 'acr.tags'
  | 'acr.manifests'
  | 'acr.manifest'
  /** `/acr/v1/{repo}/_tags/{tag}`: one tag's properties (GET, PATCH) or its deletion (DELETE). */
  | 'acr.tag'
  /** `/acr/v1/{repo}/_manifests/{digest}`: one manifest's properties (GET, PATCH). */
  | 'acr.manifestProperties'
  /** `GET|PATCH /acr/v1/{repo}`: a repository's properties (counts, `changeableAttributes`). */
  | 'acr.repository'
  /** `GET /v2/{repo}/tags/list`: the distribution spec's tag names. */
  | 'acr.tagList'
  /** `GET /v2/{repo}/referrers/{digest}`: the OCI 1.1 referrers of a manifest. */
  | 'acr.referrers'
  /** `HEAD|GET|DELETE /v2/{repo}/blobs/{digest}`. */
  | 'acr.blob'
  /** `POST /v2/{repo}/blobs/uploads/` and `PATCH|PUT|GET|DELETE …/uploads/{uuid}`. */
  | 'acr.blobUpload'
  /** The storage a blob GET redirects to (307), on the registry's own server. */
  | 'acr.blobStorage'
  /** `POST …/oidctoken?serviceConnectionId=` of the pipeline (`System.OidcRequestUri`). */
  | 'pipeline.oidcToken'
  /**
   * The machine's managed-identity endpoint: App Service's `GET` (2019-08-01 with
   * `X-IDENTITY-HEADER`, 2017-09-01 with `secret`) and the Cloud Shell / VM extension `POST`.
   */
  | 'identity.token'
  | 'other';

export interface LoggedRequest {
  seq: number;
  /** 'entra', 'arm', 'acr:<registry name>', 'pipeline' or 'identity'. */
  service: string;
  route: RouteName;
  method: string;
  /** Path and query as received (tokens never appear in paths). */
  url: string;
  status: number;
  /**
   * Parsed JSON body of ARM writes (importImage), or what a token request asked for
   * (`TokenRequestRecord`, `AcrTokenRequestRecord`, `IdTokenRecord`, `ManagedIdentityRecord`); secrets and tokens are
   * never logged.
   */
  body?: unknown;
  /**
   * The `Retry-After` the answer carried, as sent (a 429's wait, an import 202's poll
   * interval): what a benchmark holds a client's retry against.
   */
  retryAfter?: string;
  /**
   * Millisecond timestamps (Date.now()): when the request's handling began (its headers read,
   * before its body, the injected latency and the handler) and when the response was flushed.
   */
  startedAt: number;
  finishedAt: number;
  /**
   * When the answer was handed to the connection (absent when none was: a reset, a hang). It
   * cannot reach the client sooner; `finishedAt` comes when the write completes, later by
   * however long the emulator's event loop takes to get to it (10 ms in a burst of 429s).
   */
  answeredAt?: number;
}

/** Logged for `entra.token` / `entra.tokenV1`: who asked for which audience, with what. */
export interface TokenRequestRecord {
  tenantId: string;
  clientId?: string;
  /** `scope` (v2) or `resource` (v1) as sent. */
  scope?: string;
  credential: 'secret' | 'assertion' | 'none';
  /** Claims of a client assertion that identify it (never the assertion itself). */
  assertion?: { iss?: string; jti?: string; exp?: number };
}

/**
 * Logged for `acr.token`: the scopes asked for (every `scope` parameter, each split at spaces)
 * and those the token granted (the actions the principal may have), as `type:name:actions`.
 */
export interface AcrTokenRequestRecord {
  scopes: string[];
  granted: string[];
}

/** Logged for `pipeline.oidcToken`: the ID token handed out (its id and expiry only). */
export interface IdTokenRecord {
  serviceConnectionId?: string;
  jti?: string;
  exp?: number;
}

/** Logged for `identity.token`. */
export interface ManagedIdentityRecord {
  clientId?: string;
  resource?: string;
}

export interface RequestLog {
  entries(): readonly LoggedRequest[];
  /** How many requests hit a route (optionally only those whose status matches). */
  count(route: RouteName, status?: number): number;
  countsByRoute(): Record<string, number>;
  clear(): void;
}

/**
 * A scripted fault. It applies to requests of `route` (and, if given, to those of one
 * `service` only and whose URL contains `urlIncludes`), skipping the first `after` matches and
 * then firing `times` times (default 1; Infinity for always).
 */
export type FaultRule = {
  route: RouteName;
  /** Only requests to this service, as the request log names it: 'acr:<registry name>', 'arm', 'entra', … */
  service?: string;
  urlIncludes?: string;
  after?: number;
  times?: number;
} & (
  /**
   * This answer instead of the route's. Without `body`, the service's own error for the
   * status. With one: a string as it is, anything else as JSON; `contentType` is its
   * Content-Type (default: JSON for a non-string body, none for a string) — so `status: 200`
   * with an HTML login page and `text/html`, or `{}`, is what a proxy or captive portal sends.
   */
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: unknown; contentType?: string }
  | { kind: 'reset' }
  | { kind: 'hang' }
  /**
   * The route's own 200 answer, stalled: the head (with the full Content-Length) and the first
   * `afterBytes` bytes of the body (default half), then nothing until the client gives up or
   * the emulator stops. Logged with status 0 (the answer never ended).
   */
  | { kind: 'stall'; afterBytes?: number }
  /**
   * The route's own last page (a 200 without a `Link`) with a `Link` to a next page that was
   * never handed out, in the recorded form; each such page links to a new one
   * (`last=~endless-<n+1>`, after every real name, so those pages are empty). A client that
   * follows links never reaches the end. Pages with their own `Link` pass untouched.
   */
  | { kind: 'endlessPaging' }
  /**
   * The route's own 200 answer padded with spaces (still the same JSON) to `bytes`, sent in
   * chunks without a Content-Length, as a proxy that streams would, and never held whole.
   */
  | { kind: 'oversized'; bytes: number }
  /**
   * The importImage is accepted (202) and runs its full duration (`importDurationMs`), then
   * ends Failed with this ARM error, writing nothing: a copy that fails late. `status` is the
   * HTTP status of the failed poll in the 'httpError' style (default 400). Such an import is
   * never answered synchronously. Only meaningful on route 'arm.importImage'.
   */
  | { kind: 'importFails'; code: string; message: string; status?: number }
  /**
   * The importImage is accepted (202) but its operation never finishes: every poll answers
   * 202 running, forever, and `completeImports()` leaves it. Only meaningful on route
   * 'arm.importImage'.
   */
  | { kind: 'importHangs' }
);

/**
 * A request as it arrives, before latency, faults or the handler: what an `onRequest` hook
 * sees. No credentials: only importImage bodies are given, with source credentials redacted.
 */
export interface ArrivingRequest {
  /** 'entra', 'arm', 'acr:<registry name>', 'pipeline' or 'identity'. */
  service: string;
  route: RouteName;
  method: string;
  /** Path and query as received. */
  url: string;
  /** Parsed JSON body of an `arm.importImage` POST (credentials redacted); else undefined. */
  body?: unknown;
  /** 1 for the first request this hook matched, 2 for the second, … */
  nth: number;
  /** Date.now() at arrival. */
  receivedAt: number;
}

/**
 * Called when a matching request arrives, before it is answered. When it returns a promise,
 * the request waits for it (a test can change the world "between" arrival and answer).
 * A hook that throws is reported on stderr; the request goes on.
 */
export type RequestHook = (request: ArrivingRequest) => void | Promise<void>;

/** One token bucket: starts full, one token per request, `refillPerSecond` back up to `capacity`. */
export interface TokenBucketSettings {
  capacity: number;
  refillPerSecond: number;
}

/**
 * ARM's subscription throttling (token buckets per subscription). For each bucket: `true` =
 * ARM's current limits (writes 200 refilled 10/s, reads 250 refilled 25/s), an object =
 * those limits with the given values changed, `false` = not metered.
 * - writes: importImage POSTs;
 * - reads: every ARM GET (registries list/get, resources list, permissions, LRO polls).
 */
export interface ArmThrottlingSettings {
  writes?: boolean | Partial<TokenBucketSettings>;
  reads?: boolean | Partial<TokenBucketSettings>;
}

/**
 * A registry's data-plane read limit (catalog, tags, manifests, manifest GET/HEAD, /v2/ and
 * the token endpoints all count): `'sku'` or `true` = by the registry's SKU (Basic 1,000,
 * Standard 3,000, Premium 10,000 reads per minute), a number = reads per minute, an object =
 * reads per minute with its own burst `capacity` (default: one minute's worth), `false` = off.
 */
export type ReadLimit = boolean | 'sku' | number | { readsPerMinute: number; capacity?: number };

export interface RegistryThrottlingSettings {
  /** The limit of every registry without an entry in `registries`. Default off. */
  default?: ReadLimit;
  /** Per-registry limits by registry name (case-insensitive); an entry wins over `default`. */
  registries?: Record<string, ReadLimit>;
}

/**
 * How a failed importImage operation answers its Location polls. No real failure was ever
 * recorded, so clients must cope with both:
 * - 'httpError': the poll answers an HTTP error status (400, 409…) with `{"error":{code,message}}`
 *   (what the ARM async-operation contract prescribes for Location polling);
 * - 'bodyStatus': the poll answers `200 {"status":"Failed","error":{code,message}}`.
 */
export type ImportFailureStyle = 'httpError' | 'bodyStatus';

export interface EmulatorOptions {
  fixture: Fixture;
  /** Lifetime of Entra access tokens and ACR refresh/access tokens, seconds. Default 3600. */
  tokenLifetimeSeconds?: number;
  /** Latency added to every request, ms. Default 0. */
  latencyMs?: number;
  /** Registries per page in the ARM list. Default 20, so paging by nextLink is exercised. */
  armPageSize?: number;
  /**
   * How long an accepted import runs server-side, on the emulator's own clock, before it lands
   * (or fails): it completes then whether or not anyone polls, and polls only observe it.
   * Default 10,000 ms, the longest the recordings allow: each found its first poll, 10 s
   * (2025) or 30 s (2021) after the POST, already done. 0 = done as the POST is accepted (the
   * first poll finds it Succeeded): the fast setting for tests.
   */
  importDurationMs?: number;
  /** Retry-After (seconds) on importImage 202 answers and running polls. Default 10, as recorded (2021, 2025). */
  importRetryAfterSeconds?: number;
  /**
   * An import whose duration is at most this many ms is answered on the POST itself, once it
   * has run: 200 with an empty body (the REST spec's "Azure operation completed successfully";
   * Azure/acr#636 reports it for small images), or its failure as an ARM error. Default:
   * never — every recorded POST, small images included, was a 202.
   */
  importSynchronousMs?: number;
  /** Folder for the CA file and other run files; a fresh temp folder when omitted. */
  workDir?: string;
  /** How failed import operations answer their polls. Default 'httpError'. */
  importFailureStyle?: ImportFailureStyle;
  /** Lifetime of the pipeline's ID tokens (`pipeline.oidcToken`), seconds. Default 600, as Azure DevOps. */
  idTokenLifetimeSeconds?: number;
  /** ARM subscription throttling; `true` = both buckets at ARM's limits. Default off. */
  armThrottling?: boolean | ArmThrottlingSettings;
  /** Data-plane read limits per registry; `true` = every registry by its SKU. Default off. */
  registryThrottling?: boolean | RegistryThrottlingSettings;
  /**
   * The clock the throttling buckets (ARM's and the registries') refill by, in ms (monotonic).
   * Default: `performance.now`. A test that asserts bucket levels passes its own, so that the
   * time the requests take on a loaded machine cannot refill a token between two answers.
   */
  throttlingClock?: () => number;
  /**
   * Whether the request log keeps every entry (default true). With false it keeps only the
   * counters (`count`, `countsByRoute` stay exact; `entries()` is empty): for long benchmark
   * runs whose memory should be the client's, not the log's.
   */
  keepLogEntries?: boolean;
  /**
   * The audience the registries accept for exchanged Entra tokens, and that Entra here issues
   * tokens for (default `https://containerregistry.azure.net`): an emulated cloud whose
   * registries expect another one refuses the default with AADSTS500011, as Entra would.
   */
  acrAudience?: string;
  /**
   * ARM audiences besides the endpoint's own and the public cloud's, as Azure Stack Hub's ARM
   * accepts `https://management.<directory>/<guid>`: Entra issues tokens for them, ARM and the
   * registries accept them, and `/metadata/endpoints` lists them first (as a stamp does).
   */
  extraArmAudiences?: readonly string[];
  /**
   * PEM of a CA besides the emulator's own that importImage trusts when it reads a source
   * registry given by `registryUri` (one that is not an emulated ACR).
   */
  extraCaPem?: string;
}

/**
 * One request importImage made to a source registry given by `registryUri` (the registry or its
 * token realm): no query, no credentials.
 */
export interface RemoteRead {
  /** `127.0.0.1:PORT`. */
  host: string;
  method: string;
  path: string;
  /** 0 when no answer came (refused, TLS). */
  status: number;
}

/**
 * The emulated Azure Pipelines job, as a task sees it through the agent's variables. Values
 * are what a test puts in the task's environment.
 */
export interface EmulatedPipeline {
  /** `SYSTEM_OIDCREQUESTURI`: `<collection><projectId>/_apis/distributedtask/hubs/build/plans/<plan>/jobs/<job>/oidctoken`. */
  readonly oidcRequestUri: string;
  /** `SYSTEM_COLLECTIONURI`, with a trailing slash. */
  readonly collectionUri: string;
  readonly projectId: string;
  readonly planId: string;
  readonly jobId: string;
  /** `SYSTEM_HOSTTYPE`. */
  readonly hostType: string;
  /** The job's access token (`System.AccessToken`, the SystemVssConnection's `AccessToken`). */
  readonly systemAccessToken: string;
}

/**
 * The machine's managed-identity endpoint (what `IDENTITY_ENDPOINT`/`IDENTITY_HEADER`, or
 * az 2.45's `MSI_ENDPOINT`/`MSI_SECRET`, name). It answers App Service's two GET protocols
 * and the Cloud Shell / VM extension POST (managedIdentity.ts).
 */
export interface EmulatedManagedIdentityEndpoint {
  /** `IDENTITY_ENDPOINT` (or `MSI_ENDPOINT`), e.g. https://127.0.0.1:41236/msi/token */
  readonly endpoint: string;
  /**
   * `IDENTITY_HEADER` (or `MSI_SECRET`): the secret every App Service request must send, as
   * `X-IDENTITY-HEADER` (api-version 2019-08-01) or `secret` (2017-09-01).
   */
  readonly header: string;
}

/**
 * ACR's `changeableAttributes`, kept apart on a repository, on each of its manifests and on each
 * of its tags (`az acr repository update --repository R | --image R@sha256:… | --image R:T`).
 * `writeEnabled: false` is a lock. The emulator acts on `writeEnabled` and `deleteEnabled`; it
 * stores and reports `readEnabled` and `listEnabled` without acting on them (README).
 */
export interface ChangeableAttributes {
  deleteEnabled: boolean;
  writeEnabled: boolean;
  readEnabled: boolean;
  listEnabled: boolean;
}

/** What the harness can read and change of one emulated registry. */
export interface EmulatedRegistry {
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** `127.0.0.1:<port>`, as ARM reports it in `properties.loginServer`. */
  readonly loginServer: string;
  readonly resourceId: string;
  repositories(): string[];
  /** tag -> manifest digest of a repository (empty when the repository does not exist). */
  tags(repository: string): Map<string, string>;
  /** Whether the repository holds the manifest with this digest. */
  hasManifest(repository: string, digest: string): boolean;
  /** digest -> media type of every manifest the repository holds, untagged ones included (empty when it does not exist). */
  manifestMediaTypes(repository: string): Map<string, string>;
  /** Pushes content under a tag (creating the repository); returns the manifest digest. */
  push(repository: string, tag: string, content: ContentFixture): string;
  setTagWriteEnabled(repository: string, tag: string, writeEnabled: boolean): void;
  /** Locks (false) or unlocks a whole repository: its own `changeableAttributes.writeEnabled`. */
  setRepositoryWriteEnabled(repository: string, writeEnabled: boolean): void;
  /** Locks (false) or unlocks one manifest of a repository, apart from the tags pointing at it. */
  setManifestWriteEnabled(repository: string, digest: string, writeEnabled: boolean): void;
  deleteTag(repository: string, tag: string): void;
  /**
   * Stores an artifact about the manifest `subjectDigest` of the repository, untagged (OCI 1.1
   * referrer: `subject` names that manifest); returns the artifact's digest.
   */
  attach(repository: string, subjectDigest: string, referrer: Omit<ReferrerFixture, 'referrers'>): string;
  /** Descriptors of the manifests whose `subject` is `digest`, by digest. */
  referrers(repository: string, digest: string): DescriptorFixture[];
  /**
   * The `changeableAttributes` of the repository (no reference), of one of its manifests (a
   * digest) or of one of its tags; undefined when it does not exist.
   */
  changeableAttributes(repository: string, reference?: string): ChangeableAttributes | undefined;
}

export interface Emulator {
  /** PEM of the CA that signed every server certificate; clients trust it by configuration. */
  readonly caPem: string;
  /** Path of a file holding caPem (for NODE_EXTRA_CA_CERTS or a --ca-file option). */
  readonly caFile: string;
  /**
   * The server certificate (SAN 127.0.0.1) and its key, PEM, signed by caPem: what another
   * server in a test presents (testkit/ociRegistry's real registry) so the clients that trust
   * the emulator trust it too.
   */
  readonly serverTls: { readonly certPem: string; readonly keyPem: string };
  /** Entra ID authority host, e.g. https://127.0.0.1:41234 (tenants are path segments). */
  readonly authorityHost: string;
  /** ARM endpoint, e.g. https://127.0.0.1:41235 */
  readonly armEndpoint: string;
  /** The audience the registries accept for exchanged Entra tokens (besides the ARM one). */
  readonly acrAudience: string;
  /**
   * The domain its registries' login servers are under, for the product's registry-domain check:
   * they are reached at `127.0.0.1:<port>` (real ones at `<name>.azurecr.io`).
   */
  readonly registryDomain: string;
  /** The Azure DevOps job: OIDC endpoint, ids and access token (workload identity federation). */
  readonly pipeline: EmulatedPipeline;
  /** The machine's managed-identity endpoint (never IMDS). */
  readonly managedIdentity: EmulatedManagedIdentityEndpoint;
  readonly log: RequestLog;
  /** Every request importImage made to source registries given by `registryUri`, in order. */
  remoteReads(): readonly RemoteRead[];
  /**
   * The TLS connections a service accepted so far (handshakes completed), by its name in the
   * request log: 'entra', 'arm', 'acr:<registry name>'.
   */
  connectionsOpened(service: string): number;
  registry(name: string): EmulatedRegistry;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Every emulated registry, in fixture order. */
  registries(): readonly EmulatedRegistry[];
  /** Changes how failed import operations answer (for operations that fail from now on). */
  setImportFailureStyle(style: ImportFailureStyle): void;
  /** Changes how long imports accepted from now on run (`importDurationMs`). */
  setImportDurationMs(ms: number): void;
  /**
   * Lets every accepted import that is still running finish now, in the order accepted, as if
   * its duration had passed (one that hangs stays): the test's way to make an import land at
   * an exact moment, e.g. between a resumed run's planning and its own POST. Returns how many
   * finished. One still reading its `registryUri` source over HTTPS is not counted: it lands as
   * soon as its read ends.
   */
  completeImports(): number;
  /** Changes the lifetime of tokens issued from now on (Entra and ACR), seconds. */
  setTokenLifetimeSeconds(seconds: number): void;
  /** Changes the lifetime of the pipeline's ID tokens issued from now on, seconds. */
  setIdTokenLifetimeSeconds(seconds: number): void;
  /**
   * Switches or resizes ARM throttling now: `true`/`false` for both buckets, or per bucket
   * (a bucket left out keeps its setting). A changed bucket starts full.
   */
  setArmThrottling(settings: boolean | ArmThrottlingSettings): void;
  /** Replaces the registry read limits now (`false` = off everywhere); every bucket starts full. */
  setRegistryThrottling(settings: boolean | RegistryThrottlingSettings): void;
  /**
   * Calls `hook` whenever a request of `route` (one, several, or '*' for all) arrives, before
   * it is answered. Returns a function that removes the hook.
   */
  onRequest(route: RouteName | readonly RouteName[] | '*', hook: RequestHook): () => void;
  /**
   * Mints an ID token as a pipeline's OIDC endpoint would (issuer/subject of a federated
   * principal), valid for `lifetimeSeconds` (default 600).
   */
  mintFederatedToken(clientId: string, lifetimeSeconds?: number): string;
  stop(): Promise<void>;
}

export type StartEmulator = (options: EmulatorOptions) => Promise<Emulator>;
