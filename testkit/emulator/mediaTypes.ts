/**
 * The manifest and blob media types the emulator serves, and which family each manifest type
 * belongs to. Real registries hold both families side by side: Docker's (image manifest v2
 * schema 2 and the manifest list, what `docker push` and older buildx write, and what most
 * recorded ACR sessions show) and OCI's (image manifest and image index, what buildkit and
 * ORAS write today, and OCI 1.1 artifacts: image manifests with `artifactType` and `subject`).
 */
export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** The config of an OCI 1.1 artifact that has none: `{}` (image-spec's empty descriptor). */
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  /** The short-lived OCI artifact manifest (image-spec 1.1 release candidates); ACR stored it. */
  ociArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  helmChart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
} as const;

/** Manifests that reference other manifests (importImage counts them against its limit of 50). */
export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([MediaTypes.ociIndex, MediaTypes.dockerManifestList]);

/** Every manifest media type the emulator stores, for clients that accept them all. */
export const ALL_MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaTypes.ociManifest,
  MediaTypes.ociIndex,
  MediaTypes.dockerManifest,
  MediaTypes.dockerManifestList,
  MediaTypes.ociArtifactManifest,
];
