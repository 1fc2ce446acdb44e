/**
 * importImage's read of a source registry given by `registryUri` that is not an emulated ACR:
 * over HTTPS, when the import starts, as Azure's import service reads Docker Hub, GHCR or any
 * OCI registry. It fetches the manifest `sourceImage` names (by tag or digest) and, for an
 * index, every child manifest by digest, signing in as the registry's 401 challenge asks with
 * `source.credentials` (Basic, or a Bearer token from the realm with Basic to the realm;
 * anonymous without credentials). Blobs are not read: the emulator copies manifests.
 *
 * Only 127.0.0.1 is ever reached — the registry and its realm alike; any other host fails the
 * import with Azure's "cannot be reached" before a single request. Each request is recorded
 * (host, method, path, status: never a query or a credential).
 */
import { RegistryClient } from '../ociRegistry/client';
import type { RemoteRead } from './api';
import type { ManifestBlob } from './content';
import {
  MAX_MANIFESTS_PER_IMPORT,
  SOURCE_DENIED,
  childMissing,
  failed,
  sourceNotFound,
  sourceUnauthorized,
  sourceUnreachable,
  type FetchedSource,
  type ImportFailure,
  type ImportParameters,
} from './importImage';
import { manifestFromBytes } from './manifestParse';
import { ALL_MANIFEST_MEDIA_TYPES } from './mediaTypes';

export interface RemoteSourceDeps {
  /** CAs the source's certificate may chain to: the emulator's, plus `extraCaPem`. */
  ca: string[];
  record(read: RemoteRead): void;
}

const LOOPBACK_HOST = /^127\.0\.0\.1:\d{1,5}$/;

/** `127.0.0.1:PORT` from a registryUri (`https://` and a trailing slash allowed), or undefined for any other host. */
function loopbackHost(registryUri: string): string | undefined {
  const host = registryUri.replace(/^https:\/\//i, '').replace(/\/+$/, '');
  return LOOPBACK_HOST.test(host) ? host : undefined;
}

const ACCEPT = ALL_MANIFEST_MEDIA_TYPES.join(', ');

/** Why a read that got no answer failed: only the host being out of reach. */
class Unreachable extends Error {}

/** One manifest by reference; its failure in Azure's words, or its parsed form. */
async function readManifest(client: RegistryClient, repository: string, reference: string, notFound: () => ImportFailure): Promise<ManifestBlob | ImportFailure> {
  let answer;
  try {
    answer = await client.request('GET', `/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT } });
  } catch {
    // Refused, a TLS failure, a timeout, or a redirect or realm off 127.0.0.1 (HostNotAllowed).
    throw new Unreachable();
  }
  if (answer.status === 401) return failed(400, sourceUnauthorized(repository));
  if (answer.status === 403) return failed(400, SOURCE_DENIED);
  if (answer.status === 404) return notFound();
  if (answer.status !== 200) {
    // Azure's pattern for a source's refusal (Azure/acr#196, #435): status text twice, then the body.
    const text = answer.status === 429 ? 'TooManyRequests' : `Status${answer.status}`;
    return failed(400, `Invalid message ${text} ${text} ${answer.body.toString('utf8').slice(0, 500).trim()}`);
  }
  let manifest: ManifestBlob;
  try {
    manifest = manifestFromBytes(answer.body, String(answer.headers['content-type'] ?? ''));
  } catch (e) {
    return failed(400, `Error copying blobs: the manifest ${repository}:${reference} of the source is not valid: ${(e as Error).message}`);
  }
  // A registry that answers other bytes than the digest asked for is not copied from.
  if (reference.startsWith('sha256:') && manifest.digest !== reference) {
    return failed(400, `Error copying blobs: the source answered manifest ${manifest.digest} for ${repository}@${reference}.`);
  }
  return manifest;
}

export async function readRemoteSource(request: ImportParameters, deps: RemoteSourceDeps): Promise<FetchedSource | ImportFailure> {
  const uri = request.source.registryUri ?? '';
  const host = loopbackHost(uri);
  if (!host) return failed(400, sourceUnreachable(uri));
  const { credentials } = request.source;
  const client = new RegistryClient({
    host,
    ca: deps.ca,
    ...(credentials ? { credentials: { username: credentials.username ?? '', password: credentials.password } } : {}),
    allowHost: (h) => LOOPBACK_HOST.test(h),
    onAnswer: (read) => deps.record(read),
  });
  const { image } = request.source;
  const where = `${host}/${image.text}`;
  try {
    const root = await readManifest(client, image.repository, image.digest ?? image.tag ?? 'latest', () => failed(400, sourceNotFound(where)));
    if ('code' in root) return root;
    if (root.references.length > MAX_MANIFESTS_PER_IMPORT) {
      return failed(400, `The image ${where} has ${root.references.length} manifests; import supports at most ${MAX_MANIFESTS_PER_IMPORT} manifests per image.`);
    }
    const children: ManifestBlob[] = [];
    for (const ref of root.references) {
      const child = await readManifest(client, image.repository, ref.digest, () => failed(400, childMissing(ref.digest, where)));
      if ('code' in child) return child;
      children.push(child);
    }
    return { manifests: [...children, root], digest: root.digest };
  } catch (e) {
    if (e instanceof Unreachable) return failed(400, sourceUnreachable(uri));
    throw e;
  }
}
