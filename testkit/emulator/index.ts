/**
 * Starts the emulator: Entra ID, ARM, one data plane per registry, the pipeline's OIDC
 * endpoint and the machine's managed-identity endpoint, each an HTTPS server on its own
 * 127.0.0.1 port, all sharing one world (state.ts), one request log, one fault book and one
 * CA made for this run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArmThrottlingSettings, Emulator, EmulatorOptions, FaultRule, RemoteRead, StartEmulator } from './api';
import { armService, type ArmDeps } from './arm';
import { armAudiences } from './armAuth';
import { createTlsMaterial } from './ca';
import { dataPlaneService } from './dataplane';
import { entraService } from './entra';
import { FaultBook } from './faults';
import { FederatedTokenIssuer } from './federation';
import { validateFixture } from './fixture';
import { RequestHooks } from './hooks';
import { HttpsService } from './http';
import { MANAGED_IDENTITY_PATH, managedIdentityService } from './managedIdentity';
import { ImportOperations } from './operations';
import { DEFAULT_ORGANIZATION, pipelineService } from './pipeline';
import { RequestLogBook } from './requestLog';
import { EmulatorState } from './state';
import { subscriptionRoutes } from './subscriptions';
import {
  ARM_READ_BUCKET,
  ARM_WRITE_BUCKET,
  KeyedBucketBudget,
  UNMETERED_REMAINING,
  armBucketOf,
  registryLimitResolver,
} from './throttling';
import { HmacTokenSigner, sameResource } from './tokens';

export * from './api';
export { pipelineFederatedCredential } from './pipeline';
export { generateRegistries, type GenerateOptions, type GeneratedRegistries, type TargetKind } from './generate';

/** The audience registries accept for exchanged Entra tokens (besides ARM's), unless configured. */
export const ACR_AUDIENCE = 'https://containerregistry.azure.net';
/** Every registry's login server is under this (the cloud metadata's `acrLoginServer`). */
const REGISTRY_DOMAIN = '127.0.0.1';

/** Retry-After of the import 202s in both recordings (2021, 2025). */
export const DEFAULT_IMPORT_RETRY_AFTER_SECONDS = 10;
/** The longest an import may run and still be done at the first poll after that Retry-After, as recorded. */
export const DEFAULT_IMPORT_DURATION_MS = 10_000;

export const startEmulator: StartEmulator = async (options: EmulatorOptions): Promise<Emulator> => {
  validateFixture(options.fixture);
  const settings = {
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    latencyMs: options.latencyMs ?? 0,
    armPageSize: options.armPageSize ?? 20,
    // The recorded defaults (README, "importImage as Azure runs it"); tests ask for faster ones.
    importDurationMs: options.importDurationMs ?? DEFAULT_IMPORT_DURATION_MS,
    importRetryAfterSeconds: options.importRetryAfterSeconds ?? DEFAULT_IMPORT_RETRY_AFTER_SECONDS,
    importSynchronousMs: options.importSynchronousMs,
    importFailureStyle: options.importFailureStyle ?? 'httpError',
    idTokenLifetimeSeconds: options.idTokenLifetimeSeconds ?? 600,
  };
  const [tls, federation] = await Promise.all([createTlsMaterial(), FederatedTokenIssuer.create()]);
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'acr-emulator-')));
  await mkdir(workDir, { recursive: true });
  const caFile = join(workDir, 'ca.pem');
  await writeFile(caFile, tls.caPem);

  const state = new EmulatorState(options.fixture);
  const log = new RequestLogBook(options.keepLogEntries ?? true);
  // importImage's reads of registryUri sources (remoteSource.ts): no query, no credentials.
  const remoteReads: RemoteRead[] = [];
  const faults = new FaultBook();
  const hooks = new RequestHooks();
  const harness = { log, faults, hooks, latencyMs: () => settings.latencyMs };

  // Budgets: off unless asked for (then they report the recorded constant remainders).
  // One ARM limit for every subscription, held by the budget itself; reconfigure refills.
  // The buckets read the throttling clock (real monotonic time unless a test gives its own).
  const throttlingNow = options.throttlingClock;
  const writeBudget = new KeyedBucketBudget(() => undefined, UNMETERED_REMAINING.armWrites, throttlingNow);
  const readBudget = new KeyedBucketBudget(() => undefined, UNMETERED_REMAINING.armReads, throttlingNow);
  const setArmThrottling = (value: boolean | ArmThrottlingSettings): void => {
    const wanted: ArmThrottlingSettings = typeof value === 'boolean' ? { writes: value, reads: value } : value;
    // Both checked before either changes: a bad setting changes nothing.
    const writes = armBucketOf(wanted.writes, ARM_WRITE_BUCKET, 'ARM write throttling');
    const reads = armBucketOf(wanted.reads, ARM_READ_BUCKET, 'ARM read throttling');
    if ('writes' in wanted) writeBudget.reconfigure(() => writes);
    if ('reads' in wanted) readBudget.reconfigure(() => reads);
  };
  setArmThrottling(options.armThrottling ?? false);
  const skuOf = (name: string) => state.registryByName(name)?.sku;
  const registryReads = new KeyedBucketBudget(registryLimitResolver(options.registryThrottling, skuOf), UNMETERED_REMAINING.acrReads, throttlingNow);
  const entraSigner = new HmacTokenSigner('entra');
  const acrSigner = new HmacTokenSigner('acr');
  let authorityHost = '';
  let armEndpoint = '';
  const tokenLifetimeSeconds = (): number => settings.tokenLifetimeSeconds;

  const acrAudience = options.acrAudience ?? ACR_AUDIENCE;
  const extraArmAudiences = [...(options.extraArmAudiences ?? [])];
  // Entra issues tokens only for resources that exist in its tenants: the ones served here.
  const servesResource = (resource: string): boolean =>
    [...armAudiences(armEndpoint, extraArmAudiences), acrAudience].some((r) => sameResource(resource, r));
  const entra = new HttpsService(entraService({ state, signer: entraSigner, federation, tokenLifetimeSeconds, servesResource }), harness, tls);
  const operations = new ImportOperations(state, {
    armEndpoint: () => armEndpoint,
    durationMs: () => settings.importDurationMs,
    retryAfterSeconds: () => settings.importRetryAfterSeconds,
    synchronousMs: () => settings.importSynchronousMs,
    failureStyle: () => settings.importFailureStyle,
  }, {
    ca: [tls.caPem, ...(options.extraCaPem ? [options.extraCaPem] : [])],
    record: (read) => remoteReads.push(read),
  });
  const armDeps: ArmDeps = {
    state,
    signer: entraSigner,
    armEndpoint: () => armEndpoint,
    authorityHost: () => authorityHost,
    extraArmAudiences,
    pageSize: () => settings.armPageSize,
    operations,
    writeBudget,
    readBudget,
  };
  const cloudEndpoints = { armEndpoint: () => armEndpoint, authorityHost: () => authorityHost, registryDomain: REGISTRY_DOMAIN, extraArmAudiences };
  const arm = new HttpsService(armService(armDeps, subscriptionRoutes(armDeps, cloudEndpoints)), harness, tls);
  const planes = state.registries.map(
    (registry) =>
      [
        registry,
        new HttpsService(
          dataPlaneService(registry, {
            state,
            entraSigner,
            acrSigner,
            acrAudience,
            armAudiences: () => armAudiences(armEndpoint, extraArmAudiences),
            tokenLifetimeSeconds,
            readBudget: registryReads,
          }),
          harness,
          tls,
        ),
      ] as const,
  );
  // Secrets of the job and of the machine: random per run, so no test can hard-code them.
  const systemAccessToken = randomBytes(32).toString('base64url');
  const identityHeader = randomUUID();
  const pipelineFixture = options.fixture.pipeline;
  const pipelineServer = new HttpsService(
    pipelineService({
      pipeline: pipelineFixture,
      federation,
      systemAccessToken,
      idTokenLifetimeSeconds: () => settings.idTokenLifetimeSeconds,
    }),
    harness,
    tls,
  );
  const identityServer = new HttpsService(
    managedIdentityService({ state, signer: entraSigner, identityHeader, tokenLifetimeSeconds, servesResource }),
    harness,
    tls,
  );
  const services = [entra, arm, ...planes.map(([, service]) => service), pipelineServer, identityServer];

  let pipelineOrigin = '';
  let identityOrigin = '';
  try {
    authorityHost = `https://127.0.0.1:${await entra.listen()}`;
    armEndpoint = `https://127.0.0.1:${await arm.listen()}`;
    for (const [registry, service] of planes) registry.port = await service.listen();
    pipelineOrigin = `https://127.0.0.1:${await pipelineServer.listen()}`;
    identityOrigin = `https://127.0.0.1:${await identityServer.listen()}`;
  } catch (e) {
    await Promise.all(services.map((s) => s.close()));
    throw e;
  }

  const collectionUri = `${pipelineOrigin}/${pipelineFixture?.organization ?? DEFAULT_ORGANIZATION}/`;
  const projectId = randomUUID();
  const planId = randomUUID();
  const jobId = randomUUID();
  const pipeline = Object.freeze({
    oidcRequestUri: `${collectionUri}${projectId}/_apis/distributedtask/hubs/build/plans/${planId}/jobs/${jobId}/oidctoken`,
    collectionUri,
    projectId,
    planId,
    jobId,
    hostType: 'build',
    systemAccessToken,
  });

  // The fixture is not kept: at registry scale it is as big as the world built from it.
  const ownWorkDir = !options.workDir;
  let stopped: Promise<void> | undefined;
  return {
    caPem: tls.caPem,
    caFile,
    serverTls: Object.freeze({ certPem: tls.certPem, keyPem: tls.keyPem }),
    authorityHost,
    armEndpoint,
    acrAudience,
    registryDomain: REGISTRY_DOMAIN,
    pipeline,
    managedIdentity: Object.freeze({ endpoint: `${identityOrigin}${MANAGED_IDENTITY_PATH}`, header: identityHeader }),
    log,
    remoteReads: () => remoteReads,
    connectionsOpened(service) {
      const found = services.find((s) => s.service === service);
      if (!found) throw new Error(`the emulator has no service '${service}'`);
      return found.connectionsOpened;
    },
    registry(name) {
      const found = state.registryByName(name);
      if (!found) throw new Error(`the emulator has no registry '${name}'`);
      return found;
    },
    registries: () => state.registries,
    addFault: (rule: FaultRule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setLatency(ms) {
      settings.latencyMs = Math.max(0, ms);
    },
    setImportFailureStyle(style) {
      settings.importFailureStyle = style;
    },
    setImportDurationMs(ms) {
      settings.importDurationMs = Math.max(0, ms);
    },
    completeImports: () => operations.completeAll(),
    setTokenLifetimeSeconds(seconds) {
      settings.tokenLifetimeSeconds = seconds;
    },
    setIdTokenLifetimeSeconds(seconds) {
      settings.idTokenLifetimeSeconds = seconds;
    },
    setArmThrottling,
    setRegistryThrottling(value) {
      registryReads.reconfigure(registryLimitResolver(value, skuOf));
    },
    onRequest: (route, hook) => hooks.add(route, hook),
    mintFederatedToken(clientId, lifetimeSeconds = 600) {
      const principal = state.principals.find((p) => p.clientId.toLowerCase() === clientId.toLowerCase() && p.federated);
      if (!principal) throw new Error(`the fixture has no federated principal '${clientId}'`);
      return federation.mint(principal, lifetimeSeconds);
    },
    stop() {
      // A temp folder the emulator made itself goes with it; a given workDir stays.
      operations.stop();
      stopped ??= Promise.all(services.map((s) => s.close())).then(async () => {
        if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
};
