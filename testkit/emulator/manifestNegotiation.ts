/**
 * Content negotiation of `GET|HEAD /v2/{name}/manifests/{reference}`: which manifest a
 * registry answers for the media types a client's `Accept` names, or how it refuses.
 *
 * ACR answers OCI content to a client that does not accept its type with 404 MANIFEST_UNKNOWN
 * and distribution's own messages ("OCI manifest found, but accept header does not support OCI
 * manifests", Azure/acr#764; "OCI index found, …", azure-cli#25280 and acr-cli#132; "OCI
 * artifact found, …", azure-cli#24976). A wildcard names no type, nor does a missing Accept
 * (the Azure/acr#764 request carried curl's default wildcard). HEAD goes through the same
 * handler (distribution routes both to GetManifest), so it gets the same status and headers.
 *
 * For the Docker family nothing ACR-specific is documented; distribution (2.8 and 3) agree:
 * by digest a manifest is served as it is (a registry cannot answer other bytes for a digest);
 * a manifest list asked for by tag by a client that does not accept lists is answered with its
 * linux/amd64 image (its digest in Docker-Content-Digest), MANIFEST_UNKNOWN when it has none.
 * Where distribution 2.8 would rewrite a schema 2 image into a signed schema 1 manifest (by tag,
 * schema 2 not accepted) the emulator refuses as distribution 3 does for a list's image: 400
 * MANIFEST_INVALID "Schema 2 manifest not supported by client". Stricter than both for a
 * schema 2 image by tag (3 serves it): a client that forgets the Docker type must not pass here.
 */
import { acrErrors } from './acrAuth';
import type { Reply } from './http';
import { MediaTypes } from './mediaTypes';
import type { Repository, StoredManifest } from './state';

/**
 * The media types an Accept header names, as distribution reads it: every header line split at
 * commas, parameters (`;q=…`) dropped, case ignored. Wildcards name nothing.
 */
export function acceptedTypes(accept: string | undefined): Set<string> {
  const types = new Set<string>();
  for (const part of (accept ?? '').split(',')) {
    const type = part.split(';')[0]?.trim().toLowerCase();
    if (type) types.add(type);
  }
  return types;
}

export type Negotiated = { manifest: StoredManifest } | { refused: Reply };

/** The OCI types a client must name itself, with the refusal ACR sends when it does not. */
const OCI_REFUSALS: Record<string, string> = {
  [MediaTypes.ociManifest]: 'OCI manifest found, but accept header does not support OCI manifests',
  [MediaTypes.ociIndex]: 'OCI index found, but accept header does not support OCI indexes',
  [MediaTypes.ociArtifactManifest]: 'OCI artifact found, but accept header does not support OCI artifacts',
};

const unknown = (message: string): Reply => acrErrors(404, 'MANIFEST_UNKNOWN', message);
const schema2Refused = (): Reply => acrErrors(400, 'MANIFEST_INVALID', 'Schema 2 manifest not supported by client');

/** What to answer for `m`, found by tag (`byTag`) or by digest, to a client accepting `accepted`. */
export function negotiate(m: StoredManifest, byTag: boolean, accepted: ReadonlySet<string>, repo: Repository): Negotiated {
  if (accepted.has(m.mediaType)) return { manifest: m };
  const refusal = OCI_REFUSALS[m.mediaType];
  if (refusal !== undefined) return { refused: unknown(refusal) };
  // A Docker manifest or list by digest: those exact bytes, whatever the client accepts.
  if (!byTag) return { manifest: m };
  if (m.mediaType === MediaTypes.dockerManifest) return { refused: schema2Refused() };
  if (m.mediaType === MediaTypes.dockerManifestList) {
    const entry = m.references.find((r) => r.platform.os === 'linux' && r.platform.architecture === 'amd64');
    const image = entry ? repo.manifests.get(entry.digest) : undefined;
    if (!image) return { refused: unknown('manifest unknown') };
    if (accepted.has(image.mediaType)) return { manifest: image };
    return image.mediaType === MediaTypes.dockerManifest ? { refused: schema2Refused() } : negotiate(image, false, accepted, repo);
  }
  // A type of neither family (a pushed artifact of its own kind): no rule known, served.
  return { manifest: m };
}
