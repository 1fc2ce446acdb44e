/**
 * The one call front ends make: resolve both registries by name through ARM (each in its own
 * subscription, possibly with its own identity) and hand back the engine's two ports.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { Importer, RegistryReader } from '../engine/ports';
import { createArmClient } from './armClient';
import { createArmImporter, type ArmImporterOptions } from './armImporter';
import type { AzureCloud } from './cloud';
import { locateRegistry } from './registryLocator';
import { createAcrRegistryReader } from './registryReader';
import type { RegistryRef, RegistrySide } from './registryRef';
import type { Transport } from './transport';

export interface RegistryEndpoint {
  registryName: string;
  subscriptionId: string;
  credential: TokenCredential;
}

export interface Connection {
  source: RegistryRef;
  target: RegistryRef;
  sourceReader: RegistryReader;
  targetReader: RegistryReader;
  /** Imports into the target, from the source registry's resource id. */
  importer: Importer;
}

export interface ConnectOptions {
  cloud: AzureCloud;
  transport: Transport;
  importer?: ArmImporterOptions;
  signal?: AbortSignal;
}

/**
 * Resolves source and target (concurrently). Errors name the side they concern: a
 * RegistryNotFoundError reads `registry "x" was not found in the target subscription`.
 * The import runs with the target's credential, which needs read access to the source.
 */
export async function connect(source: RegistryEndpoint, target: RegistryEndpoint, options: ConnectOptions): Promise<Connection> {
  const { cloud, transport, signal } = options;
  const resolve = (endpoint: RegistryEndpoint, side: RegistrySide): Promise<RegistryRef> =>
    locateRegistry(createArmClient(endpoint.credential, endpoint.subscriptionId, cloud, transport), endpoint.registryName, side, signal);

  const [sourceRef, targetRef] = await Promise.all([resolve(source, 'source'), resolve(target, 'target')]);
  return {
    source: sourceRef,
    target: targetRef,
    sourceReader: createAcrRegistryReader(sourceRef, source.credential, cloud, transport),
    targetReader: createAcrRegistryReader(targetRef, target.credential, cloud, transport),
    importer: createArmImporter(target.credential, targetRef, sourceRef, cloud, transport, options.importer),
  };
}
