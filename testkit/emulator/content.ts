/**
 * Turns a content description (image, multi-platform index, Helm chart, artifact) into real
 * manifest bytes, in the OCI or the Docker family. Everything is derived from the description
 * alone, so the same description always gives the same bytes and therefore the same digest:
 * two tags described alike share a manifest, as they would in a registry. No blobs are stored:
 * config and layer descriptors carry digests and sizes derived from the seed, which is all a
 * manifest-level copy needs.
 */
import * as crypto from 'node:crypto';
import type { ContentFixture, DescriptorFixture } from './api';
import { MediaTypes } from './mediaTypes';

export { MediaTypes } from './mediaTypes';

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
  /** The digest of the manifest its `subject` names (OCI 1.1: a signature, an SBOM…). */
  subject?: string;
  /** Its own `artifactType` field, when it has one. */
  artifactType?: string;
  /** Its `annotations`, when it has some (the referrers API repeats them). */
  annotations?: Record<string, string>;
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

/**
 * A blob's descriptor in each family's field order: OCI writes mediaType, digest, size (its
 * Go struct); Docker writes mediaType, size, digest (distribution's schema2 and manifest list,
 * as the recorded ACR manifests show). The order is in the bytes, hence in the digest.
 */
interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

function inOrder(d: Descriptor, docker: boolean): Record<string, unknown> {
  return docker ? { mediaType: d.mediaType, size: d.size, digest: d.digest } : { mediaType: d.mediaType, digest: d.digest, size: d.size };
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

/** The media types of one family's image manifest. */
interface ImageTypes {
  manifest: string;
  config: string;
  layer: string;
}

const OCI_IMAGE: ImageTypes = { manifest: MediaTypes.ociManifest, config: MediaTypes.ociConfig, layer: MediaTypes.ociLayer };
const DOCKER_IMAGE: ImageTypes = { manifest: MediaTypes.dockerManifest, config: MediaTypes.dockerConfig, layer: MediaTypes.dockerLayer };

function imageManifest(seed: string, platform: Platform, docker: boolean): ManifestBlob {
  const types = docker ? DOCKER_IMAGE : OCI_IMAGE;
  const platformText = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
  // The OCI label stays what it always was, so OCI fixtures keep their digests.
  const label = docker ? `docker|${seed}|${platformText}` : `${seed}|${platformText}`;
  const config = blobDescriptor(types.config, `config|${label}`, 600, 1400);
  const layerCount = 1 + derivedSize(`layers|${label}`, 0, 2);
  const layers = Array.from({ length: layerCount }, (_, i) => blobDescriptor(types.layer, `layer${i}|${label}`, 100_000, 30_000_000));
  const body = { schemaVersion: 2, mediaType: types.manifest, config: inOrder(config, docker), layers: layers.map((l) => inOrder(l, docker)) };
  return manifestBlob(body, types.manifest, {
    configMediaType: types.config,
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

/** The empty config of an artifact (image-spec 1.1): the two bytes `{}`. */
const EMPTY_CONFIG: Descriptor = { mediaType: MediaTypes.ociEmpty, digest: sha256Digest('{}'), size: 2 };

/**
 * An OCI 1.1 artifact as ORAS, Notation and cosign push it: an image manifest with
 * `artifactType`, the empty config, one blob, and a `subject` naming the manifest it is about.
 */
function artifactManifest(content: Extract<ContentFixture, { kind: 'artifact' }>): ManifestBlob {
  const layer = blobDescriptor(content.blobMediaType ?? 'application/octet-stream', `artifact|${content.seed}|${content.artifactType}`, 500, 20_000);
  const subject = content.subject;
  const annotations = content.annotations && Object.keys(content.annotations).length > 0 ? { ...content.annotations } : undefined;
  const body = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: content.artifactType,
    config: EMPTY_CONFIG,
    layers: [layer],
    ...(subject ? { subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size } } : {}),
    ...(annotations ? { annotations } : {}),
  };
  return manifestBlob(body, MediaTypes.ociManifest, {
    configMediaType: MediaTypes.ociEmpty,
    imageSize: EMPTY_CONFIG.size + layer.size,
    references: [],
    artifactType: content.artifactType,
    ...(subject ? { subject: subject.digest } : {}),
    ...(annotations ? { annotations } : {}),
  });
}

function indexTree(content: Extract<ContentFixture, { kind: 'index' }>): ManifestTree {
  if (content.platforms.length === 0) throw new Error(`index '${content.seed}' needs at least one platform`);
  const docker = content.format === 'docker';
  const children = content.platforms.map((p) => imageManifest(content.seed, parsePlatform(p), docker));
  // A Docker manifest list writes each entry's platform architecture first (distribution's
  // struct order); the OCI index keeps the order it has always had here.
  const entry = (c: ManifestBlob): Record<string, unknown> => {
    const p = c.platform as Platform;
    const platform = docker ? { architecture: p.architecture, os: p.os, ...(p.variant ? { variant: p.variant } : {}) } : p;
    return { ...inOrder({ mediaType: c.mediaType, digest: c.digest, size: c.bytes.length }, docker), platform };
  };
  const mediaType = docker ? MediaTypes.dockerManifestList : MediaTypes.ociIndex;
  const root = manifestBlob({ schemaVersion: 2, mediaType, manifests: children.map(entry) }, mediaType, {
    imageSize: children.reduce((sum, c) => sum + c.imageSize, 0),
    references: children.map((c) => ({ digest: c.digest, platform: c.platform as Platform })),
  });
  return { root, children };
}

/** Builds the manifest (and children) a content description stands for. */
export function buildContent(content: ContentFixture): ManifestTree {
  switch (content.kind) {
    case 'image':
      return { root: imageManifest(content.seed, { os: 'linux', architecture: 'amd64' }, content.format === 'docker'), children: [] };
    case 'helm':
      return { root: helmManifest(content.seed, content.chart, content.version), children: [] };
    case 'index':
      return indexTree(content);
    case 'artifact':
      return { root: artifactManifest(content), children: [] };
  }
}

/** The descriptor another manifest's `subject` uses to name this one. */
export function descriptorOf(m: Pick<ManifestBlob, 'mediaType' | 'digest'> & { size: number }): DescriptorFixture {
  return { mediaType: m.mediaType, digest: m.digest, size: m.size };
}
