/**
 * Runs the compiled task under task-lib's TaskMockRunner with the real task-lib (so logging
 * commands, loc strings and results are the real ones) and mocks only what needs Azure: the
 * service connections and the registries, which become in-memory registries here. The
 * scenario comes as JSON in ACR_L0_SCENARIO; the fakes print FAKE_* markers the test reads.
 */
import { join } from 'node:path';
import { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';
import * as azure from '../../../../src/azure';
import type { ImportRequest, Importer, RequestStats } from '../../../../src/engine/ports';
import { MemoryImporter, MemoryRegistry, type Tags } from '../../../engine/memoryRegistry';

export interface L0Scenario {
  inputs: Record<string, string>;
  registries: Record<string, Record<string, Tags>>;
  /** sourceDigest -> failure message of its import */
  failImports?: Record<string, string>;
  /** Agent variables, e.g. System.JobPositionInPhase, as the agent passes them (environment). */
  variables?: Record<string, string>;
  /** digest -> manifests its image index references, in every registry */
  manifestCounts?: Record<string, number>;
  /** Real milliseconds each tag listing takes (source side). */
  listingDelayMs?: number;
  /** Real milliseconds each import takes. */
  importDelayMs?: number;
  /** Digests whose import never finishes unless the engine's signal stops it. */
  hangImports?: string[];
  /** What the connection's request counter reports at the end (default: all zero). */
  requestStats?: RequestStats;
  /** Repositories of the target locked as a whole. */
  lockedRepositories?: string[];
  /** Locked manifests of the target, as `repo@digest`. */
  lockedManifests?: string[];
  /** Service connections as the agent passes them (environment), by id: a Docker Registry connection. */
  endpoints?: Record<string, { url: string; scheme: string; parameters: Record<string, string>; data?: Record<string, string> }>;
  /** The pull allowance a source named by address announces (Docker Hub). */
  sourceAllowance?: { remaining: number; limit?: number; windowSeconds?: number };
  /** The source named by address lists no catalog to these credentials (Docker Hub, an ACR token). */
  noCatalog?: boolean;
}

const scenario = JSON.parse(process.env['ACR_L0_SCENARIO'] ?? '{}') as L0Scenario;
const tmr = new TaskMockRunner(join(__dirname, '..', '..', '..', '..', 'src', 'task', 'main.js'));
for (const [name, value] of Object.entries(scenario.inputs)) tmr.setInput(name, value);
// task-lib reads agent variables from the environment: System.JobPositionInPhase → SYSTEM_JOBPOSITIONINPHASE.
for (const [name, value] of Object.entries(scenario.variables ?? {})) process.env[name.replace(/\./g, '_').toUpperCase()] = value;

const registries = new Map(Object.entries(scenario.registries).map(([name, content]) => [name, new MemoryRegistry(content)]));
for (const registry of registries.values()) {
  for (const [digest, count] of Object.entries(scenario.manifestCounts ?? {})) registry.manifestCounts.set(digest, count);
}
const targetRegistry = registries.get(scenario.inputs['targetRegistry'] ?? '');
for (const repository of scenario.lockedRepositories ?? []) targetRegistry?.lockRepository(repository);
for (const manifest of scenario.lockedManifests ?? []) targetRegistry?.lockedManifests.add(manifest);
const listingDelayMs = scenario.listingDelayMs;
const sourceRegistry = registries.get(scenario.inputs['sourceRegistry'] ?? '');
if (listingDelayMs !== undefined && sourceRegistry !== undefined) {
  sourceRegistry.listingDelay = () => new Promise((resolve) => setTimeout(resolve, listingDelayMs));
}

/** The fakes' own lines keep a hostile name on one line (the tests look for the task's lines). */
const marker = (text: string): string => JSON.stringify(text).slice(1, -1);

tmr.registerMock('./connections', {
  // The fake connections never fail; the real module is not loaded here because it loads
  // task-lib, which must first see the inputs the mock runner sets.
  connectionErrorIn: () => undefined,
  resolveConnection: (id: string) =>
    Promise.resolve({
      displayName: `${id}-connection`,
      authKind: 'secret',
      subscriptionId: id === 'conn-a' ? '0a1b2c3d-1111-4222-8333-444455556666' : '9f8e7d6c-5555-4666-8777-888899990000',
      // A connection named for another tenant is in one (cross-tenant sources).
      tenantId: id.endsWith('-other-tenant') ? '0a0a0a0a-aaaa-4bbb-8ccc-0d9e8f7a6b5c' : '5f1d2c3b-aaaa-4bbb-8ccc-0d9e8f7a6b5c',
      cloud: azure.AzurePublicCloud,
      credential: { getToken: () => Promise.reject(new Error('no tokens in L0 tests')) },
    }),
  disposeConnections: () => undefined,
});

/** The engine's ports between two in-memory registries, the importer printing what it does. */
function memoryConnection(from: MemoryRegistry, to: MemoryRegistry) {
  const copier = new MemoryImporter(from, to);
  for (const [digest, message] of Object.entries(scenario.failImports ?? {})) copier.failures.set(digest, message);
  copier.wait = (request, signal) => {
    if (scenario.hangImports?.includes(request.sourceDigest)) {
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('stopped polling')), { once: true }));
    }
    return new Promise((resolve) => setTimeout(resolve, scenario.importDelayMs ?? 0));
  };
  const importer: Importer = {
    importImage: (request: ImportRequest, signal?: AbortSignal) => {
      console.log(`FAKE_IMPORT ${marker(`${request.sourceRepository}@${request.sourceDigest} ${request.mode} ${request.targetTags.join(',')}`)}`);
      return copier.importImage(request, signal).then(() => console.log(`FAKE_IMPORTED ${marker(`${request.sourceRepository}@${request.sourceDigest}`)}`));
    },
  };
  process.on('beforeExit', () => console.log(`FAKE_TARGET ${JSON.stringify(to.snapshot())}`));
  const requestStats = (): RequestStats => scenario.requestStats ?? { requests: 0, throttled: 0, retried: 0 };
  return { ports: { source: from, target: to, importer, requestStats }, preflight: { skipped: [] } };
}

tmr.registerMock('../azure', {
  ...azure,
  connect: (source: { registryName: string }, target: { registryName: string }, options: { crossTenant?: boolean }) => {
    console.log(`FAKE_CONNECT ${source.registryName} ${target.registryName}${options.crossTenant === true ? ' cross-tenant' : ''}`);
    const from = registries.get(source.registryName);
    const to = registries.get(target.registryName);
    if (!from) return Promise.reject(new azure.RegistryNotFoundError(source.registryName, 'source'));
    if (!to) return Promise.reject(new azure.RegistryNotFoundError(target.registryName, 'target'));
    return Promise.resolve({ source: { name: source.registryName }, target: { name: target.registryName }, ...memoryConnection(from, to) });
  },
  // A source named by address: the registry of that host; the user is printed, the password only counted.
  connectAddressSource: (source: { host: string; credentials?: { username: string; password: string } }, target: { registryName: string }) => {
    console.log(`FAKE_CONNECT_ADDRESS ${source.host} ${target.registryName} ${source.credentials ? `user=${source.credentials.username} password-length=${source.credentials.password.length}` : 'anonymous'}`);
    const from = registries.get(source.host);
    const to = registries.get(target.registryName);
    if (!from || !to) return Promise.reject(new Error(`no registry ${source.host} or ${target.registryName} in the scenario`));
    if (scenario.noCatalog === true) {
      from.listRepositories = () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new azure.CatalogUnavailable(source.host)) }),
      });
    }
    return Promise.resolve({ source: { name: source.host, address: source.host }, target: { name: target.registryName }, ...memoryConnection(from, to), sourceAllowance: () => Promise.resolve(scenario.sourceAllowance) });
  },
});

tmr.run(true);
