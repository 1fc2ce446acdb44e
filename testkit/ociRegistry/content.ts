/**
 * Content to push into a real registry, with its blobs: an image (Docker v2 or OCI), a
 * two-platform OCI index, a Helm chart and an OCI 1.1 referrer (an image manifest with
 * `artifactType` and `subject`). Every byte comes from a seed string, so the same seed always
 * gives the same digests and another seed gives new ones (pushing it under a tag re-tags).
 */
import { createHash } from 'node:crypto';
import { MediaTypes } from '../emulator/mediaTypes';

export interface BlobContent {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

/** A manifest to push: its exact bytes, the blobs it needs, and (an index) its child manifests. */
export interface ManifestContent {
  mediaType: string;
  digest: string;
  bytes: Buffer;
  blobs: BlobContent[];
  children: ManifestContent[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function blob(mediaType: string, bytes: Buffer): BlobContent {
  return { mediaType, digest: digestOf(bytes), size: bytes.length, bytes };
}

const descriptor = (c: { mediaType: string; digest: string; size?: number; bytes: Buffer }): Descriptor => ({
  mediaType: c.mediaType,
  digest: c.digest,
  size: c.bytes.length,
});

function manifest(body: object, blobs: BlobContent[], children: ManifestContent[] = []): ManifestContent {
  const bytes = Buffer.from(JSON.stringify(body, null, 2));
  return { mediaType: (body as { mediaType: string }).mediaType, digest: digestOf(bytes), bytes, blobs, children };
}

export function imageContent(seed: string, options: { format?: 'docker' | 'oci'; platform?: { os: string; architecture: string } } = {}): ManifestContent {
  const docker = options.format === 'docker';
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const layer = blob(docker ? MediaTypes.dockerLayer : MediaTypes.ociLayer, Buffer.from(`layer of ${seed} for ${platform.os}/${platform.architecture}\n`));
  const config = blob(
    docker ? MediaTypes.dockerConfig : MediaTypes.ociConfig,
    Buffer.from(JSON.stringify({ ...platform, config: { Labels: { seed } }, rootfs: { type: 'layers', diff_ids: [layer.digest] } })),
  );
  return manifest(
    { schemaVersion: 2, mediaType: docker ? MediaTypes.dockerManifest : MediaTypes.ociManifest, config: descriptor(config), layers: [descriptor(layer)] },
    [config, layer],
  );
}

export const INDEX_PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
] as const;

export function indexContent(seed: string): ManifestContent {
  const children = INDEX_PLATFORMS.map((platform) => imageContent(seed, { format: 'oci', platform }));
  return manifest(
    {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: children.map((c, i) => ({ ...descriptor(c), platform: INDEX_PLATFORMS[i] })),
    },
    [],
    children,
  );
}

export function helmChartContent(seed: string, chart = { name: 'chart', version: '0.1.0' }): ManifestContent {
  const config = blob(MediaTypes.helmConfig, Buffer.from(JSON.stringify({ name: chart.name, version: chart.version, apiVersion: 'v2', description: seed })));
  const layer = blob(MediaTypes.helmChart, Buffer.from(`chart archive of ${chart.name}-${chart.version} (${seed})\n`));
  return manifest({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: descriptor(config), layers: [descriptor(layer)] }, [config, layer]);
}

/** An OCI 1.1 referrer of `subject`: an image manifest with `artifactType`, the empty config and one layer. */
export function referrerContent(seed: string, subject: Descriptor, artifactType = 'application/vnd.example.signature.v1'): ManifestContent {
  const config = blob(MediaTypes.ociEmpty, Buffer.from('{}'));
  const layer = blob('application/octet-stream', Buffer.from(`signature ${seed} of ${subject.digest}\n`));
  return manifest(
    {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      artifactType,
      config: descriptor(config),
      layers: [descriptor(layer)],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: { 'org.example.seed': seed },
    },
    [config, layer],
  );
}

export function descriptorOf(content: ManifestContent): Descriptor {
  return { mediaType: content.mediaType, digest: content.digest, size: content.bytes.length };
}
