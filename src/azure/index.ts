/**
 * The Azure adapters as the front ends see them: clouds, the transport, credentials, `connect`
 * (which hands the engine its ports) and the errors a front end turns into a message. Tests of
 * the adapters' parts import those parts directly. Nothing here imports the command line, the
 * task or the test kit.
 */
export { AzurePublicCloud, cloudByName, customizeCloud, type AzureCloud } from './cloud';
export { connect, type Connection, type ConnectOptions, type RegistryEndpoint } from './connect';
export { connectAddressSource, type AddressConnection } from './connectAddress';
export { CatalogUnavailable, RealmRefused, SourceUnauthorized } from './oci/errors';
export { oneLineError, redactSecrets, redactText, registerSecret, serviceErrorOf } from './redact';
export { RegistryNotFoundError } from './arm/registryLocator';
export { RegistryAddressRefused } from './registryAddress';
export { PreflightError } from './arm/preflight';
export { clientOptionsOf, createTransport, networkPolicies, pipelineSettingsOf, type Transport } from './http/transport';
export { envProxyResolver, proxyUrlOf, type ProxyResolver } from './http/proxyRoute';
export { NetworkFailure, networkFailureIn } from './http/networkFailure';
export {
  azureCliCredential,
  clientAssertionCredential,
  clientCertificateCredential,
  clientSecretCredential,
  federatedTokenFileCredential,
} from './identity/credentials';
export { managedIdentityAvailable, managedIdentityCredential, ManagedIdentityUnavailable, type Env } from './identity/managedIdentity';
export { jwtExpiresOnMs } from './identity/jwt';
