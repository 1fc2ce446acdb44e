/** Reading any OCI registry by its address (issue 14): the reader, its address, its errors. */
export { apiHostOf, canonicalRepositoryName, isDockerHub, type RegistryCredentials, type SourceAddress } from './sourceAddress';
export { createOciRegistryReader, type OciReaderOptions, type OciRegistryReader, type RateAllowance } from './ociReader';
export { CatalogUnavailable, RealmRefused, SourceRateLimited, SourceUnauthorized } from './errors';
