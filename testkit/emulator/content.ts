/**
 * Turns a content description (image, multi-platform index, Helm chart) into real manifest
 * bytes. Everything is derived from the description alone, so the same description always
 * gives the same bytes and therefore the same digest: two tags described alike share a
 * manifest, as they would in a registry. No blobs are stored: config and layer descriptors
 * carry digests and sizes derived from the seed, which is all a manifest-level copy needs.
 */
import * as crypto from 'node:crypto';
import type { ContentFixture } from './api';

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  helmChart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
} as const;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** One manifest as the registry stores it: its exact bytes and what its listings report. */
export interface ManifestBlob {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  /** Config media type (tells a Helm chart from an image). Absent for an index. */
  configMediaType?: string;
  /** Platform of an image manifest. */
  platform?: Platform;
  /** Sum of the config and layer sizes (of every child for an index), as ACR's imageSize. */
  imageSize: number;
  /** Children of an index, in order, by digest. */
  references: { digest: string; platform: Platform }[];
}

/** A manifest and, for an index, the child manifests it needs, children first. */
export interface ManifestTree {
  root: ManifestBlob;
  children: ManifestBlob[];
}

/**
 * sha256 as hex. `crypto.hash` (Node ≥ 20.12) is the one-shot form: at registry scale (a
 * hundred thousand manifests, each with several derived blob digests) a Hash object per call
 * costs more in garbage collection than the hashing itself.
 */
const sha256Hex: (data: Buffer | string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => (crypto as unknown as { hash(alg: string, data: Buffer | string, enc: 'hex'): string }).hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${sha256Hex(data)}`;
}

/** A size in [min, min+span) from a label's sha256 hex (its first 32 bits), so sizes differ between seeds. */
function sizeFromHex(hex: string, min: number, span: number): number {
  return min + (Number.parseInt(hex.slice(0, 8), 16) % span);
}

/** A size in [min, min+span) derived from a label, so sizes differ between seeds. */
function derivedSize(label: string, min: number, span: number): number {
  return sizeFromHex(sha256Hex(label), min, span);
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
}

/** A blob's descriptor: digest and size both come from one hash of the label. */
function blobDescriptor(mediaType: string, label: string, min: number, span: number): Descriptor {
  const hex = sha256Hex(label);
  return { mediaType, digest: `sha256:${hex}`, size: sizeFromHex(hex, min, span) };
}

/** `linux/arm64/v8` → { os: linux, architecture: arm64, variant: v8 }. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw new Error(`platform '${text}' must look like os/architecture[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

function manifestBlob(body: object, mediaType: string, extra: Omit<ManifestBlob, 'digest' | 'bytes' | 'mediaType'>): ManifestBlob {
  // Compact JSON: the bytes served are exactly these, so the digest is their sha256.
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  return { digest: sha256Digest(bytes), mediaType, bytes, ...extra };
}

function imageManifest(seed: string, platform: Platform): ManifestBlob {
  const platformText = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
  const label = `${seed}|${platformText}`;
  const config = blobDescriptor(MediaTypes.ociConfig, `config|${label}`, 600, 1400);
  const layerCount = 1 + (derivedSize(`layers|${label}`, 0, 2));
  const layers = Array.from({ length: layerCount }, (_, i) =>
    blobDescriptor(MediaTypes.ociLayer, `layer${i}|${label}`, 100_000, 30_000_000),
  );
  return manifestBlob({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers }, MediaTypes.ociManifest, {
    configMediaType: MediaTypes.ociConfig,
    platform,
    imageSize: config.size + layers.reduce((sum, l) => sum + l.size, 0),
    references: [],
  });
}

function helmManifest(seed: string, chart: string, version: string): ManifestBlob {
  const configBytes = Buffer.from(JSON.stringify({ name: chart, version, apiVersion: 'v2' }), 'utf8');
  const config: Descriptor = { mediaType: MediaTypes.helmConfig, digest: sha256Digest(configBytes), size: configBytes.length };
  const layer = blobDescriptor(MediaTypes.helmChart, `chart|${seed}|${chart}|${version}`, 2_000, 60_000);
  return manifestBlob({ schemaVersion: 2, config, layers: [layer] }, MediaTypes.ociManifest, {
    configMediaType: MediaTypes.helmConfig,
    imageSize: config.size + layer.size,
    references: [],
  });
}

/** Builds the manifest (and children) a content description stands for. */
export function buildContent(content: ContentFixture): ManifestTree {
  switch (content.kind) {
    case 'image':
      return { root: imageManifest(content.seed, { os: 'linux', architecture: 'amd64' }), children: [] };
    case 'helm':
      return { root: helmManifest(content.seed, content.chart, content.version), children: [] };
    case 'index': {
      if (content.platforms.length === 0) throw new Error(`index '${content.seed}' needs at least one platform`);
      const children = content.platforms.map((p) => imageManifest(content.seed, parsePlatform(p)));
      const manifests = children.map((c) => ({
        mediaType: c.mediaType,
        digest: c.digest,
        size: c.bytes.length,
        platform: c.platform,
      }));
      const root = manifestBlob({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests }, MediaTypes.ociIndex, {
        imageSize: children.reduce((sum, c) => sum + c.imageSize, 0),
        references: children.map((c) => ({ digest: c.digest, platform: c.platform as Platform })),
      });
      return { root, children };
    }
  }
}

/**
 * Reads a manifest pushed over the data plane. Only what listings report is extracted; the
 * bytes are kept verbatim, so the digest stays the sha256 of what the client sent.
 */
export function manifestFromBytes(bytes: Buffer, contentType: string | undefined): ManifestBlob {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('manifest is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object') throw new Error('manifest is not a JSON object');
  const body = parsed as {
    mediaType?: unknown;
    config?: { mediaType?: unknown; size?: unknown };
    layers?: { size?: unknown }[];
    manifests?: { digest?: unknown; platform?: Platform }[];
  };
  const mediaType = typeof body.mediaType === 'string' ? body.mediaType : (contentType ?? MediaTypes.ociManifest);
  const sizeOf = (v: unknown): number => (typeof v === 'number' ? v : 0);
  if (Array.isArray(body.manifests)) {
    return {
      digest: sha256Digest(bytes),
      mediaType,
      bytes,
      imageSize: 0,
      references: body.manifests.map((m) => ({
        digest: String(m.digest),
        platform: m.platform ?? { os: 'unknown', architecture: 'unknown' },
      })),
    };
  }
  const layers = Array.isArray(body.layers) ? body.layers : [];
  return {
    digest: sha256Digest(bytes),
    mediaType,
    bytes,
    configMediaType: typeof body.config?.mediaType === 'string' ? body.config.mediaType : undefined,
    imageSize: sizeOf(body.config?.size) + layers.reduce((sum, l) => sum + sizeOf(l.size), 0),
    references: [],
  };
}
