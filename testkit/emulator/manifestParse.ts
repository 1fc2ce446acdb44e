/**
 * Reads a manifest pushed over the data plane (`PUT /v2/{name}/manifests/{reference}`). Only
 * what listings, the referrers API and imports report is extracted; the bytes are kept
 * verbatim, so the digest stays the sha256 of what the client sent.
 */
import { sha256Digest, type ManifestBlob, type Platform } from './content';
import { INDEX_MEDIA_TYPES, MediaTypes } from './mediaTypes';

interface PushedManifest {
  mediaType?: unknown;
  artifactType?: unknown;
  config?: { mediaType?: unknown; size?: unknown };
  layers?: { size?: unknown }[];
  manifests?: { digest?: unknown; platform?: Platform }[];
  subject?: { digest?: unknown };
  annotations?: unknown;
}

const sizeOf = (v: unknown): number => (typeof v === 'number' ? v : 0);
const textOf = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function annotationsOf(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * The media type a pushed manifest is stored under: its own `mediaType` field, else the
 * Content-Type it was pushed with, else what its shape says (OCI allows an image manifest or
 * index without the field).
 */
function mediaTypeOf(body: PushedManifest, contentType: string | undefined): string {
  const own = textOf(body.mediaType);
  if (own) return own;
  const sent = contentType?.split(';')[0]?.trim();
  if (sent) return sent;
  return Array.isArray(body.manifests) ? MediaTypes.ociIndex : MediaTypes.ociManifest;
}

export function manifestFromBytes(bytes: Buffer, contentType: string | undefined): ManifestBlob {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('manifest is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('manifest is not a JSON object');
  const body = parsed as PushedManifest;
  const mediaType = mediaTypeOf(body, contentType);
  const subject = textOf(body.subject?.digest);
  const artifactType = textOf(body.artifactType);
  const annotations = annotationsOf(body.annotations);
  const common = {
    digest: sha256Digest(bytes),
    mediaType,
    bytes,
    ...(subject ? { subject } : {}),
    ...(artifactType ? { artifactType } : {}),
    ...(annotations ? { annotations } : {}),
  };
  if (Array.isArray(body.manifests) || INDEX_MEDIA_TYPES.has(mediaType)) {
    const manifests = Array.isArray(body.manifests) ? body.manifests : [];
    return {
      ...common,
      imageSize: 0,
      references: manifests.map((m) => ({ digest: String(m.digest), platform: m.platform ?? { os: 'unknown', architecture: 'unknown' } })),
    };
  }
  const layers = Array.isArray(body.layers) ? body.layers : [];
  const configMediaType = textOf(body.config?.mediaType);
  return {
    ...common,
    ...(configMediaType ? { configMediaType } : {}),
    imageSize: sizeOf(body.config?.size) + layers.reduce((sum, l) => sum + sizeOf(l.size), 0),
    references: [],
  };
}
