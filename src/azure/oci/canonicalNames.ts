/**
 * Docker Hub knows `nginx` as `library/nginx`. People name official images the short way
 * (`--repository nginx`), and the plan, the report and the target keep the name as written, so
 * the reader is asked about `nginx` and asks Docker Hub about `library/nginx` — as importImage's
 * `sourceImage` does (connectAddress.ts). Other registries' names pass unchanged.
 */
import type { RegistryReader } from '../../engine/ports';
import type { OciRegistryReader } from './ociReader';
import { canonicalRepositoryName, isDockerHub } from './sourceAddress';

export function withCanonicalNames(reader: OciRegistryReader, host: string): OciRegistryReader {
  if (!isDockerHub(host)) return reader;
  const name = (repository: string): string => canonicalRepositoryName(host, repository);
  const mapped: RegistryReader = {
    listRepositories: (signal) => reader.listRepositories(signal),
    listTags: (repository, signal) => reader.listTags(name(repository), signal),
    ...(reader.countReferencedManifests ? { countReferencedManifests: (repository: string, digest: string, signal?: AbortSignal) => reader.countReferencedManifests!(name(repository), digest, signal) } : {}),
    ...(reader.listReferrers ? { listReferrers: (repository: string, digest: string, signal?: AbortSignal) => reader.listReferrers!(name(repository), digest, signal) } : {}),
    ...(reader.hasManifest ? { hasManifest: (repository: string, digest: string, signal?: AbortSignal) => reader.hasManifest!(name(repository), digest, signal) } : {}),
  };
  return { ...mapped, allowance: () => reader.allowance(), currentAllowance: (signal) => reader.currentAllowance(signal) };
}
