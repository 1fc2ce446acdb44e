/**
 * A source registry named by its address rather than as an ARM resource (issue 14): Docker Hub,
 * GHCR, Quay, a CNCF distribution server, an ACR reached with a repository-scoped token. Only
 * the two rules every client applies are here: which host serves Docker Hub's API, and Docker
 * Hub's implicit `library/` namespace.
 */

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface SourceAddress {
  /** host[:port] as the user named it: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. No scheme, no path. */
  host: string;
  credentials?: RegistryCredentials;
}

/** The names Docker Hub is known by; its API is served on registry-1.docker.io (what docker pull talks to). */
const DOCKER_HUB_NAMES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry.hub.docker.com', 'registry-1.docker.io']);

export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/** Whether `host` names Docker Hub (any of its names, case-insensitive). */
export function isDockerHub(host: string): boolean {
  return DOCKER_HUB_NAMES.has(host.trim().toLowerCase());
}

/** The host the registry API is served on: docker.io / index.docker.io / registry.hub.docker.com → registry-1.docker.io; others unchanged. */
export function apiHostOf(host: string): string {
  return isDockerHub(host) ? DOCKER_HUB_API_HOST : host;
}

/** Docker Hub's one-segment names are `library/<name>` (`nginx` → `library/nginx`); other registries unchanged. */
export function canonicalRepositoryName(host: string, name: string): string {
  return isDockerHub(host) && name !== '' && !name.includes('/') ? `library/${name}` : name;
}
