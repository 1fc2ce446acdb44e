/**
 * Where importImage reads the source from: an ACR by its ARM resource id (the target's identity
 * needs read on it), or any registry by its address with optional credentials (Docker Hub, GHCR,
 * Quay, an ACR in another tenant with a repository-scoped token). Either way the image is pinned
 * by digest (`repository@sha256:…`).
 */
import type { ImportSource as ImportSourceBody } from '@azure/arm-containerregistry';

export interface ResourceImportSource {
  resourceId: string;
}

export interface AddressImportSource {
  /** host[:port] as the registry is named (`docker.io`, `ghcr.io`), not its API host. */
  registryUri: string;
  /** Sent by the service to the source registry; absent: anonymous pull. */
  credentials?: { username: string; password: string };
  /** The name the registry knows a listed repository by (Docker Hub: `nginx` is `library/nginx`); absent: unchanged. */
  sourceRepositoryName?: (repository: string) => string;
}

export type ImportSource = ResourceImportSource | AddressImportSource;

/** importImage's `source` for one manifest of one repository. */
export function importSourceBody(source: ImportSource, repository: string, digest: string): ImportSourceBody {
  if ('resourceId' in source) return { resourceId: source.resourceId, sourceImage: `${repository}@${digest}` };
  const name = source.sourceRepositoryName?.(repository) ?? repository;
  return {
    registryUri: source.registryUri,
    ...(source.credentials !== undefined ? { credentials: { username: source.credentials.username, password: source.credentials.password } } : {}),
    sourceImage: `${name}@${digest}`,
  };
}
