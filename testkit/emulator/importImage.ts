/**
 * What importImage does to registries. Two halves, run at two times as ARM does:
 * - `parseImportParameters` checks the request body when the POST arrives; a malformed body
 *   is a synchronous 400 and no operation starts;
 * - `checkImport` runs when the operation starts (before any copying begins) and `runImport`
 *   when it completes: each resolves the source and checks the content and the target tags
 *   against the registries as they are *then*; `runImport` copies everything or nothing. Their
 *   failures become the operation's Failed outcome.
 *
 * The copy is by digest: the source manifest (and an index's child manifests) keep their
 * exact bytes in the target repository, then each target tag points at the root digest.
 */
import type { ManifestBlob } from './content';
import { signInWithPassword } from './registryCredentials';
import { allowsDataPlane } from './roles';
import type { EmulatorState, RegistryState, StoredManifest } from './state';

export type ImportMode = 'NoForce' | 'Force';

export interface ImageReference {
  repository: string;
  tag?: string;
  digest?: string;
  /** As the client wrote it. */
  text: string;
}

/** `source.credentials` (ImportSourceCredentials): a password or token, with or without a user name. Never logged. */
export interface SourceCredentials {
  username?: string;
  password: string;
}

/** The Entra identity an access token given as `source.credentials.password` signs in as (set by the ARM handler). */
export interface EntraSourceIdentity {
  tenantId: string;
  clientId: string;
}

export interface ImportParameters {
  source: { resourceId?: string; registryUri?: string; credentials?: SourceCredentials; entraIdentity?: EntraSourceIdentity; image: ImageReference };
  targets: { repository: string; tag: string }[];
  untaggedRepositories: string[];
  mode: ImportMode;
}

export interface ImportFailure {
  /** HTTP status of the failed poll in the 'httpError' style. */
  status: number;
  code: string;
  message: string;
}

/** ACR import refuses images with more manifests than this. */
export const MAX_MANIFESTS_PER_IMPORT = 50;

/**
 * Docker's repository grammar. Target repositories must match it exactly (lowercase: ACR, like
 * every distribution registry, has no upper-case repository names); source references are
 * matched case-insensitively, since a source only has to exist where the import reads it.
 */
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/i;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

class InvalidParameters extends Error {}

/** `repo`, `repo:tag`, `repo@sha256:…` (a bare repository means its `latest` tag). */
export function parseImageReference(text: string): ImageReference {
  const [nameAndTag = '', digest] = text.split('@', 2);
  const colon = nameAndTag.lastIndexOf(':');
  const repository = colon >= 0 ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : undefined;
  if (!REPOSITORY.test(repository)) throw new InvalidParameters(`'${text}' is not a valid image reference: bad repository name '${repository}'.`);
  if (tag !== undefined && !TAG.test(tag)) throw new InvalidParameters(`'${text}' is not a valid image reference: bad tag '${tag}'.`);
  if (digest !== undefined && !DIGEST.test(digest)) throw new InvalidParameters(`'${text}' is not a valid image reference: bad digest '${digest}'.`);
  if (tag === undefined && digest === undefined) return { repository, tag: 'latest', text };
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}), text };
}

/** A repository the import writes: the grammar, in lowercase. */
function targetRepository(repository: string, where: string): void {
  if (!REPOSITORY.test(repository)) throw new InvalidParameters(`The ${where} is not valid: bad repository name '${repository}'.`);
  if (repository !== repository.toLowerCase()) {
    throw new InvalidParameters(`The ${where} is not valid: repository name '${repository}' must be lowercase.`);
  }
}

function stringArray(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new InvalidParameters(`'${field}' must be an array of strings.`);
  }
  return value as string[];
}

/** ImportSourceCredentials: `password` required, `username` optional (the REST spec). */
function parseCredentials(value: unknown): SourceCredentials | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidParameters("'source.credentials' must be an object.");
  const c = value as Record<string, unknown>;
  if (typeof c.password !== 'string' || c.password === '') throw new InvalidParameters("The 'source.credentials.password' property is required.");
  if (c.username !== undefined && c.username !== null && typeof c.username !== 'string') throw new InvalidParameters("'source.credentials.username' must be a string.");
  return { ...(typeof c.username === 'string' && c.username !== '' ? { username: c.username } : {}), password: c.password };
}

/**
 * Checks an ImportImageParameters body. Returns the parsed request, or the message of the
 * synchronous 400 ARM answers for a malformed one.
 */
export function parseImportParameters(body: unknown): ImportParameters | { invalid: string } {
  try {
    if (body === null || typeof body !== 'object') throw new InvalidParameters('The request body must be an ImportImageParameters object.');
    const b = body as Record<string, unknown>;
    const source = b.source as Record<string, unknown> | undefined;
    if (source === null || typeof source !== 'object') throw new InvalidParameters("The 'source' property is required.");
    const sourceImage = source.sourceImage;
    if (typeof sourceImage !== 'string' || sourceImage === '') throw new InvalidParameters("The 'source.sourceImage' property is required.");
    const resourceId = typeof source.resourceId === 'string' && source.resourceId !== '' ? source.resourceId : undefined;
    const registryUri = typeof source.registryUri === 'string' && source.registryUri !== '' ? source.registryUri : undefined;
    if (!resourceId && !registryUri) throw new InvalidParameters("One of 'source.resourceId' or 'source.registryUri' is required.");
    const image = parseImageReference(sourceImage);
    const credentials = parseCredentials(source.credentials);

    const modeText = b.mode === undefined ? 'NoForce' : b.mode;
    if (modeText !== 'NoForce' && modeText !== 'Force') throw new InvalidParameters(`'${JSON.stringify(modeText)}' is not a valid import mode; use 'NoForce' or 'Force'.`);

    // `repo[:tag]`; without a tag the source's tag, or 'latest' when the source names none
    // (a digest), as the spec says. A target names no digest and no upper-case repository.
    const targets = stringArray(b.targetTags, 'targetTags').map((t) => {
      if (t.includes('@')) throw new InvalidParameters(`Target tag '${t}' must be 'repository[:tag]', not a digest.`);
      const colon = t.lastIndexOf(':');
      const repository = colon >= 0 ? t.slice(0, colon) : t;
      const tag = colon >= 0 ? t.slice(colon + 1) : (image.tag ?? 'latest');
      targetRepository(repository, `targetTags entry '${t}'`);
      if (!TAG.test(tag)) throw new InvalidParameters(`Target tag '${t}' is not valid: bad tag '${tag}'.`);
      return { repository, tag };
    });
    const untaggedRepositories = stringArray(b.untaggedTargetRepositories, 'untaggedTargetRepositories');
    for (const repo of untaggedRepositories) targetRepository(repo, `untaggedTargetRepositories entry '${repo}'`);
    // Neither given: the image lands under its own name (its tag, or untagged for a digest).
    if (targets.length === 0 && untaggedRepositories.length === 0) {
      if (image.tag !== undefined) targets.push({ repository: image.repository, tag: image.tag });
      else untaggedRepositories.push(image.repository);
    }
    return { source: { resourceId, registryUri, ...(credentials ? { credentials } : {}), image }, targets, untaggedRepositories, mode: modeText };
  } catch (e) {
    if (e instanceof InvalidParameters) return { invalid: e.message };
    throw e;
  }
}

/**
 * An import body as it may be logged or shown to hooks: parsed, source credentials (secrets)
 * redacted; undefined when it is not JSON (the handler answers that 400 itself).
 */
export function loggableImportBody(raw: Buffer): unknown {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object') return body;
  // Parsed here, so ours to change: no copy needed.
  const parsed = body as { source?: { credentials?: Record<string, unknown> } };
  if (parsed.source?.credentials && typeof parsed.source.credentials === 'object') {
    for (const k of Object.keys(parsed.source.credentials)) parsed.source.credentials[k] = '<redacted>';
  }
  return parsed;
}

/**
 * Every asynchronous failure ever reported carries the code InvalidParameters (Azure/acr#632,
 * "Error copying blobs"); no other code has been seen. The operation adds Azure's wrapper
 * ("Operation … failed. Resource …", operations.ts) to these messages.
 */
export const failed = (status: number, message: string): ImportFailure => ({ status, code: 'InvalidParameters', message });

/** A source manifest that is not there (`where` = `<registry>/<sourceImage>`). */
export const sourceNotFound = (where: string): string => `The source image ${where} was not found.`;

/** A child of an index missing from the source. */
export const childMissing = (digest: string, where: string): string => `Error copying blobs: manifest ${digest} referenced by ${where} is missing in the source.`;

/** The source registry closed to the import (public access off, trusted services not allowed): Azure/acr#435's words. */
export const SOURCE_DENIED = 'Invalid message Forbidden Forbidden {"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}';

/**
 * An ACR source reached without a resource id and without credentials its registry accepts:
 * Azure/acr#196's answer (the repository and the pull it was refused).
 */
export function sourceUnauthorized(repository: string): string {
  const detail = JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: [{ Type: 'repository', Class: '', Name: repository, Action: 'pull' }] }] });
  return `Invalid message Unauthorized Unauthorized ${detail}`;
}

/** The failure for a source host import cannot reach (the emulator reaches none but 127.0.0.1). */
export function sourceUnreachable(registryUri: string): string {
  return `Error connecting to source registry '${registryUri}': the host cannot be reached.`;
}

/**
 * Whether the source is read over HTTPS from another registry: a `registryUri` that names no
 * emulated ACR, or one playing Docker Hub (it is reached as Azure reaches Docker Hub).
 */
export function readsRemoteSource(state: EmulatorState, request: ImportParameters): boolean {
  const { resourceId, registryUri } = request.source;
  if (resourceId || !registryUri) return false;
  const own = state.registryByLoginServer(registryUri);
  return !own || own.flavour !== 'acr';
}

/** Resolves the source registry, or the reason the import cannot reach it. */
function sourceRegistry(state: EmulatorState, request: ImportParameters): RegistryState | ImportFailure {
  const { resourceId, registryUri, credentials } = request.source;
  if (resourceId) {
    return state.registryById(resourceId) ?? failed(400, `The source registry '${resourceId}' could not be found.`);
  }
  const uri = registryUri ?? '';
  const own = state.registryByLoginServer(uri);
  // Without a resource id, import signs in to an ACR with the credentials given: a
  // repository-scoped token, the admin user or a service principal of the registry's tenant
  // that may pull the image; otherwise unauthorized.
  if (own) {
    // An Entra access token of an identity in the source's tenant as the password (Azure's
    // "cross-tenant import with access token", no user name): that identity's pull right counts.
    const entra = request.source.entraIdentity;
    if (entra) {
      const principal = state.principal(entra.tenantId, entra.clientId);
      if (allowsDataPlane(principal, own.resourceId, 'pull')) return own;
      return failed(400, sourceUnauthorized(request.source.image.repository));
    }
    const identity = credentials ? signInWithPassword(own, credentials.username ?? '', credentials.password, (tenantId, clientId) => state.principal(tenantId, clientId)) : undefined;
    if (identity?.allows(request.source.image.repository, 'pull')) return own;
    // Anonymous pull lets anyone read, the import too.
    if (!credentials && own.anonymousPullEnabled) return own;
    return failed(400, sourceUnauthorized(request.source.image.repository));
  }
  return failed(400, sourceUnreachable(uri));
}

/** Every manifest the import copies: children first, then the root. */
function manifestsToCopy(
  repo: { manifests: Map<string, StoredManifest> },
  root: StoredManifest,
  where: string,
): ManifestBlob[] | ImportFailure {
  if (root.references.length > MAX_MANIFESTS_PER_IMPORT) {
    return failed(
      400,
      `The image ${where} has ${root.references.length} manifests; import supports at most ${MAX_MANIFESTS_PER_IMPORT} manifests per image.`,
    );
  }
  const children: ManifestBlob[] = [];
  for (const ref of root.references) {
    const child = repo.manifests.get(ref.digest);
    if (!child) return failed(400, childMissing(ref.digest, where));
    children.push(child);
  }
  return [...children, root];
}

const DISALLOWED = 'the operation is disallowed on this registry, repository or image.';

/**
 * The lock an import would break in the target, if any: a locked repository it writes into, a
 * locked tag it would overwrite, the imported manifest already there and locked, or a locked
 * manifest a tag would be moved off. Azure documents none of these for importImage (only that
 * a lock stops an image being updated or deleted, and that pushes answer
 * REGISTRY_DISALLOWED_OPERATION); the emulator refuses every one, as strict as the lock
 * reads, so a client that passes here does not rely on Azure being lenient.
 */
function lockRefusal(target: RegistryState, request: ImportParameters, repositories: ReadonlySet<string>, digest: string): ImportFailure | undefined {
  for (const r of repositories) {
    const repo = target.repository(r);
    if (repo && !repo.writeEnabled) return failed(409, `Repository ${r} is locked in the target registry (writeEnabled: false): ${DISALLOWED}`);
    if (repo?.manifests.get(digest)?.writeEnabled === false) {
      return failed(409, `Manifest ${r}@${digest} is locked in the target registry (writeEnabled: false): ${DISALLOWED}`);
    }
  }
  for (const t of request.targets) {
    const repo = target.repository(t.repository);
    const existing = repo?.tags.get(t.tag);
    if (!existing) continue;
    if (!existing.writeEnabled) return failed(409, `Tag ${t.repository}:${t.tag} is locked in the target registry (writeEnabled: false): ${DISALLOWED}`);
    if (existing.digest !== digest && repo?.manifests.get(existing.digest)?.writeEnabled === false) {
      return failed(409, `Tag ${t.repository}:${t.tag} points at manifest ${existing.digest}, which is locked in the target registry (writeEnabled: false): ${DISALLOWED}`);
    }
  }
  return undefined;
}

/** A source read over HTTPS (remoteSource.ts): its manifests, children first, and the root's digest. */
export interface FetchedSource {
  manifests: ManifestBlob[];
  digest: string;
}

/** What an import would write: checked against the registries as they were when it was prepared. */
interface PreparedImport {
  manifests: ManifestBlob[];
  repositories: ReadonlySet<string>;
  digest: string;
}

/**
 * Every check of an accepted import against the registries as they are now, writing nothing:
 * the failure it would end with, or what it would write.
 */
function prepareImport(state: EmulatorState, target: RegistryState, request: ImportParameters, fetched?: FetchedSource): ImportFailure | PreparedImport {
  let manifests: ManifestBlob[];
  let rootDigest: string;
  if (readsRemoteSource(state, request)) {
    // Read over HTTPS when the import started (remoteSource.ts); without it, nothing was reached.
    if (!fetched) return failed(400, sourceUnreachable(request.source.registryUri ?? ''));
    if (!target.reachableByAzureServices) return failed(400, `Access to ${target.loginServer} denied.`);
    manifests = fetched.manifests;
    rootDigest = fetched.digest;
  } else {
    const source = sourceRegistry(state, request);
    if ('code' in source) return source;
    if (!source.reachableByAzureServices) return failed(400, SOURCE_DENIED);
    // Azure/acr#571: the words Azure used when the import could not get into the target.
    if (!target.reachableByAzureServices) return failed(400, `Access to ${target.loginServer} denied.`);

    const { image } = request.source;
    const where = `${source.loginServer}/${image.text}`;
    const repo = source.repository(image.repository);
    const digest = image.digest ?? (image.tag !== undefined ? repo?.tags.get(image.tag)?.digest : undefined);
    const root = digest !== undefined ? repo?.manifests.get(digest) : undefined;
    if (!repo || !root) return failed(400, sourceNotFound(where));
    const copied = manifestsToCopy(repo, root, where);
    if ('code' in copied) return copied;
    manifests = copied;
    rootDigest = root.digest;
  }

  const repositories = new Set([...request.targets.map((t) => t.repository), ...request.untaggedRepositories]);
  const lock = lockRefusal(target, request, repositories, rootDigest);
  if (lock) return lock;
  for (const t of request.targets) {
    if (request.mode === 'NoForce' && target.repository(t.repository)?.tags.has(t.tag)) {
      // Azure's words (azure-cli#10938): the target tag, then the sentence.
      return failed(409, `${t.repository}:${t.tag} Tag ${t.repository}:${t.tag} already exists in target registry.`);
    }
  }
  return { manifests, repositories, digest: rootDigest };
}

/**
 * The checks an import makes before any copying begins (NoForce "will fail the operation
 * before any copying begins", Microsoft's import docs): its failure, if any. Nothing is written.
 */
export function checkImport(state: EmulatorState, target: RegistryState, request: ImportParameters, fetched?: FetchedSource): ImportFailure | undefined {
  const prepared = prepareImport(state, target, request, fetched);
  return 'code' in prepared ? prepared : undefined;
}

/**
 * Lands an import: checks it again against the registries as they are now (another import
 * may have landed meanwhile) and writes everything or nothing.
 */
export function runImport(state: EmulatorState, target: RegistryState, request: ImportParameters, fetched?: FetchedSource): ImportFailure | undefined {
  const prepared = prepareImport(state, target, request, fetched);
  if ('code' in prepared) return prepared;
  for (const r of prepared.repositories) target.storeManifests(r, prepared.manifests);
  for (const t of request.targets) target.setTag(t.repository, t.tag, prepared.digest);
  return undefined;
}
