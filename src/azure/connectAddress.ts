/**
 * `connect` for a source named by its address instead of an ACR found through ARM: Docker Hub,
 * GHCR, Quay, any OCI registry, or an ACR in another tenant with a repository-scoped token. The
 * target is resolved and checked as always; the source is read over the plain distribution API
 * (src/azure/oci) and importImage reads it by `registryUri` with the same credentials, pinned to
 * the digest. Nothing is written before it returns.
 */
import type { SyncPorts } from '../engine/ports';
import { createArmClient } from './arm/armClient';
import { createArmImporter } from './arm/armImporter';
import { runPreflight, type PreflightReport } from './arm/preflight';
import { connectAhead, locateChecked, type ConnectOptions, type RegistryEndpoint } from './connect';
import { renewingEarly } from './identity/earlyRenewal';
import { withCanonicalNames } from './oci/canonicalNames';
import { createOciRegistryReader, type RateAllowance } from './oci/ociReader';
import { canonicalRepositoryName, type SourceAddress } from './oci/sourceAddress';
import { createAcrRegistryReader } from './dataplane/registryReader';
import { registerSecret } from './redact';
import type { RegistryRef } from './registryRef';

export interface AddressConnection {
  /** The source as named: its host is its name in messages and reports. */
  source: { name: string; address: string };
  target: RegistryRef;
  ports: Required<SyncPorts>;
  preflight: PreflightReport;
  /** The rate-limit allowance the source announces (Docker Hub) after the run's imports, for the report. */
  sourceAllowance: (signal?: AbortSignal) => Promise<RateAllowance | undefined>;
}

export async function connectAddressSource(source: SourceAddress, targetEndpoint: RegistryEndpoint, options: ConnectOptions): Promise<AddressConnection> {
  const { cloud, transport, signal } = options;
  // The password may come back in a service's error text; it is masked wherever text is printed.
  if (source.credentials !== undefined) registerSecret(source.credentials.password);
  const target = { ...targetEndpoint, credential: renewingEarly(targetEndpoint.credential) };
  const targetArm = createArmClient(target.credential, target.subscriptionId, cloud, transport);
  const targetRef = await locateChecked(targetArm, target.registryName, 'target', cloud, signal);
  connectAhead(transport, [targetRef], options.connectionsAhead);
  const targetReader = createAcrRegistryReader(targetRef, target.credential, cloud, transport);
  const preflight =
    options.preflight === false
      ? { skipped: [] }
      : await runPreflight({ target: targetRef, targetArm, armEndpoint: cloud.armEndpoint, targetData: targetReader.client, ...(signal ? { signal } : {}) });
  const reader = withCanonicalNames(createOciRegistryReader(source, transport), source.host);
  return {
    source: { name: source.host, address: source.host },
    target: targetRef,
    ports: {
      source: reader,
      target: targetReader,
      importer: createArmImporter(
        target.credential,
        targetRef,
        {
          registryUri: source.host,
          ...(source.credentials !== undefined ? { credentials: source.credentials } : {}),
          sourceRepositoryName: (name) => canonicalRepositoryName(source.host, name),
        },
        cloud,
        transport,
        options.importer,
      ),
      requestStats: () => transport.counter.snapshot(),
    },
    preflight,
    sourceAllowance: (signal) => reader.currentAllowance(signal),
  };
}
