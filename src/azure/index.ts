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
export { ArmImporter, createArmImporter, type ArmImporterOptions } from './armImporter';
export { OperationOutcomeRecorder } from './operationOutcome';
export { AcrRegistryReader, createAcrRegistryReader } from './registryReader';
export { AcrClient, createAcrClient, type AcrTag } from './dataplane/acrClient';
export { AcrRequestError } from './dataplane/acrErrors';
export { AcrAuthenticationError } from './dataplane/acrTokens';
export * from './credentials';
export { connect, type Connection, type ConnectOptions, type RegistryEndpoint } from './connect';
