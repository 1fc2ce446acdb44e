/**
 * Starts the emulator for the Azure adapter tests and builds what a front end would: the
 * cloud pointing at it, a transport trusting its CA (tlsOptions, never NODE_TLS_REJECT…), and
 * real @azure/identity ClientSecretCredentials for the fixture's principals.
 */
import type { TokenCredential } from '@azure/core-auth';
import { startEmulator } from '../../../testkit/emulator';
import type { Emulator, EmulatorOptions, Fixture, PrincipalFixture, RegistryFixture, SubscriptionFixture } from '../../../testkit/emulator/api';
import { AzurePublicCloud, customizeCloud, type AzureCloud } from '../../../src/azure/cloud';
import { connect, type ConnectOptions, type Connection } from '../../../src/azure/connect';
import { clientSecretCredential } from '../../../src/azure/identity/credentials';
import { createTransport, type Transport, type TransportOptions } from '../../../src/azure/http/transport';
import type { RegistryReader } from '../../../src/engine/ports';

export const TENANT = '7e5a1c2b-0000-4000-8000-00000000a0d1';
export const SUB_A = 'aaaaaaaa-0000-4000-8000-000000000001';
export const SUB_B = 'bbbbbbbb-0000-4000-8000-000000000002';

export interface Harness {
  emulator: Emulator;
  cloud: AzureCloud;
  transport: Transport;
  /** A ClientSecretCredential for a fixture principal (by client id), on `on` (default: the harness's transport). */
  credentialFor(clientId: string, on?: Transport): TokenCredential;
  stop(): Promise<void>;
}

export async function startHarness(
  options: EmulatorOptions,
  transportOptions: TransportOptions = { retry: { maxRetries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 2000 } },
): Promise<Harness> {
  const emulator = await startEmulator(options);
  const cloud = customizeCloud(AzurePublicCloud, {
    name: 'Emulator',
    armEndpoint: emulator.armEndpoint,
    authorityHost: emulator.authorityHost,
    acrAudience: emulator.acrAudience,
    registryDomain: emulator.registryDomain,
  });
  const transport = createTransport({ version: 'test', caPem: emulator.caPem, ...transportOptions });
  const principals = new Map<string, PrincipalFixture>(options.fixture.principals.map((p) => [p.clientId, p]));
  return {
    emulator,
    cloud,
    transport,
    credentialFor(clientId, on = transport) {
      const p = principals.get(clientId);
      if (!p?.secret) throw new Error(`fixture has no principal ${clientId} with a secret`);
      return clientSecretCredential(p.tenantId, p.clientId, p.secret, cloud, on);
    },
    stop: () => emulator.stop(),
  };
}

/** `n` image tags `prefix0…` with distinct content. */
export function imageTags(n: number, prefix = 't', seed = 's'): Record<string, { content: { kind: 'image'; seed: string } }> {
  const tags: Record<string, { content: { kind: 'image'; seed: string } }> = {};
  for (let i = 0; i < n; i++) tags[`${prefix}${i}`] = { content: { kind: 'image', seed: `${seed}-${i}` } };
  return tags;
}

type Repositories = NonNullable<RegistryFixture['repositories']>;

/** The world most adapter tests use: `srcreg` (src-rg) in SUB_A, `dstreg` (dst-rg) in SUB_B. */
export function srcToDst(source: Repositories, target: Repositories = {}): SubscriptionFixture[] {
  return [
    { id: SUB_A, tenantId: TENANT, registries: [{ name: 'srcreg', resourceGroup: 'src-rg', repositories: source }] },
    { id: SUB_B, tenantId: TENANT, registries: [{ name: 'dstreg', resourceGroup: 'dst-rg', repositories: target }] },
  ];
}

/** `registries` in SUB_A, of which `owner` (a fixture principal) is Owner. */
export function ownedInSubA(owner: string, registries: RegistryFixture[]): Fixture {
  return { principals: [principal(owner, [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }])], subscriptions: [{ id: SUB_A, tenantId: TENANT, registries }] };
}

export function principal(clientId: string, roles: PrincipalFixture['roles']): PrincipalFixture {
  return { tenantId: TENANT, clientId, secret: `secret-of-${clientId}`, roles };
}

/**
 * A principal that may sync SUB_A's registries into SUB_B's, with the roles the README's
 * Permissions section names: Reader (to find the source through ARM, and for importImage's
 * read of it) and AcrPull on the one, Contributor on the other.
 */
export function syncer(clientId: string): PrincipalFixture {
  return principal(clientId, [
    { role: 'Reader', scope: `/subscriptions/${SUB_A}` },
    { role: 'AcrPull', scope: `/subscriptions/${SUB_A}` },
    { role: 'Contributor', scope: `/subscriptions/${SUB_B}` },
  ]);
}

/**
 * `connect()` from srcreg (SUB_A) to dstreg (SUB_B) as one fixture principal on both sides, on
 * the harness's cloud and transport, or on `options.transport` (the credential's too).
 */
export function connectSrcToDst(h: Harness, clientId: string, options: Partial<ConnectOptions> = {}): Promise<Connection> {
  const credential = h.credentialFor(clientId, options.transport);
  return connect(
    { registryName: 'srcreg', subscriptionId: SUB_A, credential },
    { registryName: 'dstreg', subscriptionId: SUB_B, credential },
    { cloud: h.cloud, transport: h.transport, ...options },
  );
}

/**
 * The reader with the port's listing and counting methods only: no `expectRepositories` hint
 * (one scope per token request) and no `listManifestKinds` (one read per digest to import).
 */
export function withoutOptionalReads(reader: RegistryReader): RegistryReader {
  return {
    listRepositories: (signal) => reader.listRepositories(signal),
    listTags: (repository, signal) => reader.listTags(repository, signal),
    countReferencedManifests: (repository, digest, signal) => reader.countReferencedManifests!(repository, digest, signal),
  };
}

export function registryId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${name}`;
}

export type { Fixture };
