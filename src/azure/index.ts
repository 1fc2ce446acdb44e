/**
 * The Azure adapters: what front ends and the engine's wiring may use. Nothing here imports
 * the command line, the task or the emulator.
 */
export * from './cloud';
export * from './transport';
export * from './redact';
export type { RegistryRef, RegistrySide } from './registryRef';
export { createArmClient } from './armClient';
export { locateRegistry, RegistryNotFoundError, RegistryLookupError } from './registryLocator';
export { ArmImporter, createArmImporter, IMPORT_TIMED_OUT, type ArmImporterOptions } from './armImporter';
export { ArmBudgets, DEFAULT_ARM_READS, DEFAULT_ARM_WRITES, type ArmPacingSettings } from './armPacing';
export { TokenBucket, type TokenBucketSettings } from './tokenBucket';
export { RequestCounter } from './requestStats';
export {
  PreflightError,
  preflightMessage,
  type PreflightErrorKey,
  type PreflightReport,
  type PreflightSkip,
  type PreflightCheck,
} from './preflight';
export { OperationOutcomeRecorder } from './operationOutcome';
export { AcrRegistryReader, createAcrRegistryReader } from './registryReader';
export { AcrClient, createAcrClient, type AcrTag } from './dataplane/acrClient';
export { AcrRequestError } from './dataplane/acrErrors';
export { AcrAuthenticationError } from './dataplane/acrTokens';
export { jwtExpiresOnMs } from './dataplane/jwt';
export * from './credentials';
export { connect, type Connection, type ConnectOptions, type RegistryEndpoint } from './connect';
