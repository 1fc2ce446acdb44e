/**
 * The one call front ends make: resolve both registries by name through ARM (each in its own
 * subscription, possibly with its own identity), check that the run can work (preflight.ts),
 * and hand back the ports the engine takes, ready for `runSync`.
 */
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { TokenCredential } from '@azure/core-auth';
import type { SyncPorts } from '../engine/ports';
import { createArmClient } from './arm/armClient';
import { renewingEarly } from './identity/earlyRenewal';
import { createArmImporter, type ArmImporterOptions } from './arm/armImporter';
import type { AzureCloud } from './cloud';
import { runPreflight, type PreflightReport } from './arm/preflight';
import { locateRegistries } from './arm/registryLocator';
import { checkRegistryAddress } from './registryAddress';
import { createAcrRegistryReader } from './dataplane/registryReader';
import type { RegistryRef, RegistrySide } from './registryRef';
import type { Transport } from './http/transport';
import { acrScope, armScope } from './cloud';
import { TokenAheadCredential } from './identity/tokenAhead';
import { InFlightSharingCredential } from './identity/inFlightSharing';
import { ENTRA_TOKEN_OPTIONS } from './dataplane/acrTokens';
import type { AddressImportSource } from './arm/importSource';

/**
 * The source of another tenant as importImage reads it: its login server, and a fresh ARM token
 * of the source identity for each import (a run may outlast one token), with no user name.
 */
function crossTenantSource(source: RegistryRef, credential: TokenCredential, cloud: AzureCloud): AddressImportSource {
  return {
    registryUri: source.loginServer,
    credentials: async () => {
      const token = await credential.getToken(armScope(cloud), ENTRA_TOKEN_OPTIONS);
      if (token === null) throw new Error(`no access token for the source identity of ${source.name}`);
      return { password: token.token };
    },
  };
}

export interface RegistryEndpoint {
  registryName: string;
  subscriptionId: string;
  credential: TokenCredential;
}

export interface Connection {
  source: RegistryRef;
  target: RegistryRef;
  /**
   * The engine's ports: a reader per registry, the importer into the target (from the source
   * registry's resource id), and the requests sent so far by every client of the connection's
   * transport — ARM, data plane, token requests of the registries and of credentials built from
   * the same transport — with the 429s among them and the retries.
   */
  ports: Required<SyncPorts>;
  /** The checks that could not be made (the permissions API refused or missing); empty when skipped by option. */
  preflight: PreflightReport;
}

export interface ConnectOptions {
  cloud: AzureCloud;
  transport: Transport;
  importer?: ArmImporterOptions;
  /** Run the preflight checks (default true). */
  preflight?: boolean;
  /**
   * The source registry is in another Microsoft Entra tenant than the target's identity (the
   * task's two connections name different tenants): importImage reads it by login server with
   * an ARM access token of the source identity as the password — Azure's "cross-tenant import
   * with access token" — instead of by resource id, which the target identity cannot read.
   */
  crossTenant?: boolean;
  /**
   * Connections opened to each registry once ARM has named its login server, while the run
   * still signs in, for the first listing wave (the listing concurrency; default none).
   */
  connectionsAhead?: number;
  signal?: AbortSignal;
}

/**
 * The registries' connections for the listing's first wave, opened while the run still waits
 * on its sign-in chain (token exchange, catalog): that wave's requests then go out at once,
 * without a TCP and a TLS handshake each in front of them (warmConnections.ts). Only to the
 * login servers ARM named and the address checks passed, and only on direct routes.
 */
export function connectAhead(transport: Transport, registries: readonly RegistryRef[], count: number | undefined): void {
  if (count === undefined || count <= 0) return;
  for (const ref of registries) transport.routes.connectAhead(`https://${ref.loginServer}`, count);
}

/**
 * Registries found through ARM by name in one listing of one subscription, in the order asked,
 * each address checked before any registry token is asked for: the tokens go to that host.
 */
async function locateAllChecked(
  arm: ContainerRegistryManagementClient,
  wanted: readonly { registryName: string; side: RegistrySide }[],
  cloud: AzureCloud,
  signal?: AbortSignal,
): Promise<RegistryRef[]> {
  const refs = await locateRegistries(arm, wanted, signal);
  refs.forEach((ref, index) => checkRegistryAddress(ref, wanted[index].side, cloud));
  return refs;
}

/** A registry found through ARM by name, its address checked before any registry token is asked for. */
export async function locateChecked(
  arm: ContainerRegistryManagementClient,
  registryName: string,
  side: RegistrySide,
  cloud: AzureCloud,
  signal?: AbortSignal,
): Promise<RegistryRef> {
  const [ref] = await locateAllChecked(arm, [{ registryName, side }], cloud, signal);
  return ref;
}

/**
 * Resolves source and target (concurrently, or in one lookup when one identity sees both in one
 * subscription), then runs the preflight. Errors name the side
 * they concern: a RegistryNotFoundError reads `registry "x" was not found in the target
 * subscription`; a dead end for importImage is a PreflightError (key + args for the task's
 * strings, an English message for the command line). Nothing is written before it returns.
 * The import runs with the target's credential, which needs read access to the source.
 */
export async function connect(sourceEndpoint: RegistryEndpoint, targetEndpoint: RegistryEndpoint, options: ConnectOptions): Promise<Connection> {
  const { cloud, transport, signal } = options;
  // Every client renews its Entra tokens early enough that none expires on its way.
  // The source's registry-audience Entra token is asked beside the ARM one, at the very start:
  // the registry token exchange after the lookup and preflight then finds it (tokenAhead.ts).
  // One identity for both sides: their ARM clients' first token is asked once, not twice.
  const shared = sourceEndpoint.credential === targetEndpoint.credential ? new InFlightSharingCredential(sourceEndpoint.credential) : undefined;
  const ahead = new TokenAheadCredential(shared ?? sourceEndpoint.credential, acrScope(cloud), ENTRA_TOKEN_OPTIONS);
  const source = { ...sourceEndpoint, credential: renewingEarly(ahead) };
  const target = { ...targetEndpoint, credential: renewingEarly(shared ?? targetEndpoint.credential) };
  const arm = {
    source: createArmClient(source.credential, source.subscriptionId, cloud, transport),
    target: createArmClient(target.credential, target.subscriptionId, cloud, transport),
  };
  const resolve = (endpoint: RegistryEndpoint, side: RegistrySide): Promise<RegistryRef> => locateChecked(arm[side], endpoint.registryName, side, cloud, signal);
  // One identity in one subscription sees one list of registries: it is asked for once.
  const [sourceRef, targetRef] =
    shared !== undefined && source.subscriptionId === target.subscriptionId
      ? await locateAllChecked(
          arm.source,
          [
            { registryName: source.registryName, side: 'source' },
            { registryName: target.registryName, side: 'target' },
          ],
          cloud,
          signal,
        )
      : await Promise.all([resolve(source, 'source'), resolve(target, 'target')]);
  connectAhead(transport, [sourceRef, targetRef], options.connectionsAhead);
  const sourceReader = createAcrRegistryReader(sourceRef, source.credential, cloud, transport);
  const targetReader = createAcrRegistryReader(targetRef, target.credential, cloud, transport);
  const crossTenant = options.crossTenant === true;
  const preflight =
    options.preflight === false
      ? { skipped: [] }
      : await runPreflight({
          source: sourceRef,
          target: targetRef,
          targetArm: arm.target,
          armEndpoint: cloud.armEndpoint,
          sourceData: sourceReader.client,
          targetData: targetReader.client,
          ...(crossTenant ? { crossTenant: true } : {}),
          ...(signal ? { signal } : {}),
        });
  return {
    source: sourceRef,
    target: targetRef,
    ports: {
      source: sourceReader,
      target: targetReader,
      importer: createArmImporter(target.credential, targetRef, crossTenant ? crossTenantSource(sourceRef, source.credential, cloud) : sourceRef, cloud, transport, options.importer),
      requestStats: () => transport.counter.snapshot(),
    },
    preflight,
  };
}
