/**
 * The shapes of the data-plane answers this program relies on, as the recorded sessions of
 * real registries and the 2021-07-01 REST spec show them (tests/fixtures/contracts/), each with
 * what the client reads from it. Only what the program uses is required; extra fields are
 * allowed, so a registry that adds some still passes. Every recorded real answer passes
 * (tests/contract/recordedAnswers.test.ts).
 *
 * Empty lists: an empty registry answers `{"repositories": null}` (recorded), so null is read
 * as "none" for the tag and manifest lists too — the same service serialises them. A missing
 * list is not "none": `{}` is what a proxy or a broken gateway sends, never a registry.
 *
 * Hand-written rather than a schema library: a few shapes of two or three fields each, and the
 * readers also turn entries into the client's types, which a schema check would not.
 */
import type { ManifestKind, Referrer } from '../../engine/ports';

export type ReadResult<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface AnswerShape<T> {
  /** What the answer should be, for messages: `a repository listing`. */
  readonly description: string;
  /** The value of a parsed JSON body, or what is wrong with it. */
  read(body: unknown): ReadResult<T>;
}

/** One tag as `/acr/v1/{repo}/_tags` describes it. */
export interface AcrTag {
  name: string;
  digest: string;
  writeEnabled: boolean;
  /** `lastUpdateTime`, ms since the epoch; undefined when absent or unreadable (only the tag filters read it). */
  lastUpdated: number | undefined;
}

/**
 * The media types of an image index (OCI) and of its Docker forerunner, the manifest list: the
 * only manifests that reference other manifests (importImage's 50-manifest limit).
 */
export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** A content digest as the OCI image spec writes it (`algorithm:encoded`, e.g. `sha256:<64 hex>`). */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

const ok = <T>(value: T): ReadResult<T> => ({ ok: true, value });
const wrong = <T>(problem: string): ReadResult<T> => ({ ok: false, problem });

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The list under `key`: an array, or null for none; anything else (or nothing) is wrong. */
function listUnder(body: unknown, key: string): ReadResult<readonly unknown[]> {
  if (!isObject(body)) return wrong('it is not a JSON object');
  if (!(key in body)) return wrong(`it has no "${key}"`);
  const list = body[key];
  if (list === null) return ok([]);
  return Array.isArray(list) ? ok(list) : wrong(`"${key}" is not a list`);
}

/** Reads every entry of the list under `key`; the first wrong entry makes the answer wrong. */
function readList<T>(body: unknown, key: string, readEntry: (entry: unknown) => ReadResult<T>): ReadResult<T[]> {
  const list = listUnder(body, key);
  if (!list.ok) return list;
  const out: T[] = [];
  for (const [i, entry] of list.value.entries()) {
    const read = readEntry(entry);
    if (!read.ok) return wrong(`${key}[${i}] ${read.problem}`);
    out.push(read.value);
  }
  return ok(out);
}

function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** `/acr/v1/_catalog`: `{"repositories": ["name", …] | null}`. */
export const CATALOG_PAGE: AnswerShape<string[]> = {
  description: 'a repository listing',
  read: (body) => readList(body, 'repositories', (entry) => (isName(entry) ? ok(entry) : wrong('is not a repository name'))),
};

/**
 * `/acr/v1/{repo}/_tags`: `{"tags": [{name, digest, changeableAttributes: {writeEnabled}}, …]}`.
 * The lock state is optional in the spec; an entry without it is writable, as the service
 * defaults it.
 */
export const TAG_PAGE: AnswerShape<AcrTag[]> = {
  description: 'a tag listing',
  read: (body) => readList(body, 'tags', readTag),
};

function readTag(entry: unknown): ReadResult<AcrTag> {
  if (!isObject(entry)) return wrong('is not an object');
  if (!isName(entry.name)) return wrong('has no tag name');
  if (!isDigest(entry.digest)) return wrong(`(${entry.name}) has no digest`);
  const writeEnabled = readWriteEnabled(entry, byName);
  if (!writeEnabled.ok) return writeEnabled;
  // ACR writes 7 fractional digits ("2023-02-28T18:36:40.5864993Z"); Date.parse reads them.
  const time = typeof entry.lastUpdateTime === 'string' ? Date.parse(entry.lastUpdateTime) : NaN;
  return ok({ name: entry.name, digest: entry.digest, writeEnabled: writeEnabled.value, lastUpdated: Number.isNaN(time) ? undefined : time });
}

/**
 * `/acr/v1/{repo}/_manifests`: `{"manifests": [{digest, mediaType?}, …]}` → the kind of each
 * manifest by digest. A manifest listed without a media type is left out (its kind is unknown).
 */
export const MANIFEST_PAGE: AnswerShape<[string, ManifestKind][]> = {
  description: 'a manifest listing',
  read: (body) => {
    const entries = readList(body, 'manifests', readManifestKind);
    return entries.ok ? ok(entries.value.filter((entry) => entry !== undefined)) : entries;
  },
};

function readManifestKind(entry: unknown): ReadResult<[string, ManifestKind] | undefined> {
  if (!isObject(entry)) return wrong('is not an object');
  if (!isDigest(entry.digest)) return wrong('has no digest');
  const mediaType = entry.mediaType;
  if (mediaType !== undefined && typeof mediaType !== 'string') return wrong(`(${entry.digest}) has an unreadable media type`);
  if (mediaType === undefined || mediaType === '') return ok(undefined);
  return ok([entry.digest, INDEX_MEDIA_TYPES.has(mediaType) ? 'index' : 'single']);
}

/** `/acr/v1/{repo}/_manifests/{digest}`: `{"manifest": {…, references?: [...]}}` → how many it references. */
export const MANIFEST_ATTRIBUTES: AnswerShape<number> = {
  description: "a manifest's attributes",
  read: (body) => {
    if (!isObject(body)) return wrong('it is not a JSON object');
    const manifest = body.manifest;
    if (!isObject(manifest)) return wrong('it has no "manifest"');
    const references = manifest.references;
    if (references === undefined || references === null) return ok(0);
    return Array.isArray(references) ? ok(references.length) : wrong('"manifest.references" is not a list');
  },
};

/**
 * `changeableAttributes.writeEnabled` of a repository, manifest or tag: locked only when it says
 * false; absent attributes (the spec makes them optional) mean writable, as the service defaults
 * them, so the import stays the authority. Attributes that are there but unreadable are wrong.
 */
const byName = (entry: Fields): string => `(${String(entry.name)})`;
const byDigest = (entry: Fields): string => `(${String(entry.digest)})`;

/** Shared answers of readWriteEnabled: one per tag of every listing would be garbage for nothing. */
const WRITABLE: ReadResult<boolean> = ok(true);
const LOCKED: ReadResult<boolean> = ok(false);

/** `what` names the entry in a problem; a function of it, so a listing's good entries build no text. */
function readWriteEnabled(entry: Fields, what: (entry: Fields) => string): ReadResult<boolean> {
  const attributes = entry.changeableAttributes;
  if (attributes === undefined || attributes === null) return WRITABLE;
  if (!isObject(attributes)) return wrong(`${what(entry)} has unreadable attributes`);
  const writeEnabled = attributes.writeEnabled;
  if (writeEnabled !== undefined && typeof writeEnabled !== 'boolean') return wrong(`${what(entry)} has an unreadable lock state`);
  return writeEnabled === false ? LOCKED : WRITABLE;
}

/** `GET /acr/v1/{repo}`: `{"imageName", …, "changeableAttributes": {writeEnabled, …}}` → whether it takes writes. */
export const REPOSITORY_LOCK: AnswerShape<boolean> = {
  description: "a repository's attributes",
  read: (body) => (isObject(body) ? readWriteEnabled(body, () => 'the repository') : wrong('it is not a JSON object')),
};

/** `/acr/v1/{repo}/_manifests/{digest}`: `{"manifest": {…, changeableAttributes}}` → whether it takes writes. */
export const MANIFEST_LOCK: AnswerShape<boolean> = {
  description: "a manifest's attributes",
  read: (body) => {
    if (!isObject(body)) return wrong('it is not a JSON object');
    return isObject(body.manifest) ? readWriteEnabled(body.manifest, () => 'the manifest') : wrong('it has no "manifest"');
  },
};

/** `/acr/v1/{repo}/_manifests`: the digests of the locked manifests among those listed. */
export const LOCKED_MANIFEST_PAGE: AnswerShape<string[]> = {
  description: 'a manifest listing',
  read: (body) => {
    const entries = readList(body, 'manifests', (entry): ReadResult<string | undefined> => {
      if (!isObject(entry)) return wrong('is not an object');
      if (!isDigest(entry.digest)) return wrong('has no digest');
      const writable = readWriteEnabled(entry, byDigest);
      if (!writable.ok) return writable;
      return ok(writable.value ? undefined : entry.digest);
    });
    return entries.ok ? ok(entries.value.filter((digest): digest is string => digest !== undefined)) : entries;
  },
};

/**
 * `GET /v2/{repo}/referrers/{digest}` (OCI distribution spec 1.1): an image index,
 * `{"schemaVersion": 2, "manifests": [{digest, artifactType?, …}, …]}` → each referrer's digest
 * and artifact type. `manifests` is required (the spec: an empty list when nothing refers to the
 * digest); an `artifactType` that is there must be text.
 */
export const REFERRERS_PAGE: AnswerShape<Referrer[]> = {
  description: 'a referrers listing',
  read: (body) =>
    readList(body, 'manifests', (entry): ReadResult<Referrer> => {
      if (!isObject(entry)) return wrong('is not an object');
      if (!isDigest(entry.digest)) return wrong('has no digest');
      const artifactType = entry.artifactType;
      if (artifactType !== undefined && artifactType !== null && typeof artifactType !== 'string') return wrong(`(${entry.digest}) has an unreadable artifact type`);
      return ok(typeof artifactType === 'string' && artifactType !== '' ? { digest: entry.digest, artifactType } : { digest: entry.digest });
    }),
};

/** `GET /v2/` when the registry asks for no token: `{}`. */
export const REGISTRY_ROOT: AnswerShape<true> = {
  description: "a registry's API root",
  read: (body) => (isObject(body) ? ok(true) : wrong('it is not a JSON object')),
};

/** `POST /oauth2/exchange`: `{"refresh_token": "…"}`. */
export const REFRESH_TOKEN_ANSWER: AnswerShape<string> = {
  description: 'a token exchange answer',
  read: (body) => (isObject(body) && isName(body.refresh_token) ? ok(body.refresh_token) : wrong('it has no "refresh_token"')),
};

/** `POST /oauth2/token`: `{"access_token": "…", "expires_in"?: seconds}`. */
export const ACCESS_TOKEN_ANSWER: AnswerShape<{ token: string; expiresInSeconds?: number }> = {
  description: 'a token answer',
  read: (body) => {
    if (!isObject(body) || !isName(body.access_token)) return wrong('it has no "access_token"');
    // Optional and only a fallback for a token without a readable `exp`: ignored unless a number.
    const expiresIn = body.expires_in;
    const known = typeof expiresIn === 'number' && Number.isFinite(expiresIn);
    return ok({ token: body.access_token, ...(known ? { expiresInSeconds: expiresIn } : {}) });
  },
};
