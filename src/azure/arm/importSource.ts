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
  /**
   * Sent by the service to the source registry; absent: anonymous pull. A function when the
   * password is a token that expires during a long run (another tenant's access token), asked
   * for each import.
   */
  credentials?: ImportCredentials | (() => Promise<ImportCredentials>);
  /** The name the registry knows a listed repository by (Docker Hub: `nginx` is `library/nginx`); absent: unchanged. */
  sourceRepositoryName?: (repository: string) => string;
}

/** importImage's `source.credentials`: a password or token, with a user name or (an Entra access token) without. */
export interface ImportCredentials {
  username?: string;
  password: string;
}

export type ImportSource = ResourceImportSource | AddressImportSource;

/** importImage's `source` for one manifest of one repository. */
export async function importSourceBody(source: ImportSource, repository: string, digest: string): Promise<ImportSourceBody> {
  if ('resourceId' in source) return { resourceId: source.resourceId, sourceImage: `${repository}@${digest}` };
  const name = source.sourceRepositoryName?.(repository) ?? repository;
  const credentials = typeof source.credentials === 'function' ? await source.credentials() : source.credentials;
  return {
    registryUri: source.registryUri,
    ...(credentials !== undefined ? { credentials: { ...(credentials.username !== undefined ? { username: credentials.username } : {}), password: credentials.password } } : {}),
    sourceImage: `${name}@${digest}`,
  };
}
