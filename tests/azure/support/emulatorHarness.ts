/**
 * Starts the emulator for the Azure adapter tests and builds what a front end would: the
 * cloud pointing at it, a transport trusting its CA (tlsOptions, never NODE_TLS_REJECT…), and
 * real @azure/identity ClientSecretCredentials for the fixture's principals.
 */
import type { TokenCredential } from '@azure/core-auth';
import { startEmulator } from '../../../src/emulator';
import type { Emulator, EmulatorOptions, Fixture, PrincipalFixture } from '../../../src/emulator/api';
import { AzurePublicCloud, customizeCloud, type AzureCloud } from '../../../src/azure/cloud';
import { clientSecretCredential } from '../../../src/azure/credentials';
import { createTransport, type Transport, type TransportOptions } from '../../../src/azure/transport';

export const TENANT = '7e5a1c2b-0000-4000-8000-00000000a0d1';
export const SUB_A = 'aaaaaaaa-0000-4000-8000-000000000001';
export const SUB_B = 'bbbbbbbb-0000-4000-8000-000000000002';

export interface Harness {
  emulator: Emulator;
  cloud: AzureCloud;
  transport: Transport;
  /** A ClientSecretCredential for a fixture principal (by client id). */
  credentialFor(clientId: string): TokenCredential;
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
  });
  const transport = createTransport({ version: 'test', caPem: emulator.caPem, ...transportOptions });
  const principals = new Map<string, PrincipalFixture>(options.fixture.principals.map((p) => [p.clientId, p]));
  return {
    emulator,
    cloud,
    transport,
    credentialFor(clientId) {
      const p = principals.get(clientId);
      if (!p?.secret) throw new Error(`fixture has no principal ${clientId} with a secret`);
      return clientSecretCredential(p.tenantId, p.clientId, p.secret, cloud, transport);
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

export function principal(clientId: string, roles: PrincipalFixture['roles']): PrincipalFixture {
  return { tenantId: TENANT, clientId, secret: `secret-of-${clientId}`, roles };
}

export function registryId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${name}`;
}

export type { Fixture };
