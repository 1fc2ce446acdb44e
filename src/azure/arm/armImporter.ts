/**
 * The engine's Importer over ARM `Registries_ImportImage`: one server-side copy of a source
 * manifest, pinned by digest, into the target registry under one or more tags.
 *
 * Never by tag: a tag that moves during the run would leave the target pointing at a manifest
 * nobody planned to copy (Azure/azure-cli#29974), so a request whose digest is not
 * `sha256:<64 hex>` is refused before any call.
 *
 * Failure has two shapes and both become an ImportFailure with the service's code and message:
 * - the initial POST or a poll answers an HTTP error `{"error":{code,message}}` (the SDK's
 *   poller throws a RestError);
 * - a poll answers `200 {"status":"Failed","error":{…}}`, which the SDK's poller reports as a
 *   success; the OperationOutcomeRecorder keeps that body (see operationOutcome.ts).
 *
 * An import that outlives the caller's signal (the engine's per-import time limit) stops
 * being polled and becomes an ImportFailure `ImportTimedOut`: an operation that stays Accepted
 * forever must not hold a slot of the run. The POST and every poll are paced under the target
 * subscription's ARM budgets by the client's pipeline (armPacing.ts).
 */
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { TokenCredential } from '@azure/core-auth';
import { ImportFailure, type Importer, type ImportRequest } from '../../engine/ports';
import { createArmClient } from './armClient';
import { bucketSettings, DEFAULT_ARM_WRITES } from './armPacing';
import type { AzureCloud } from '../cloud';
import { OperationOutcomeRecorder, type OperationWatch } from './operationOutcome';
import { redactText, serviceErrorOf } from '../redact';
import { describeArmError } from '../http/serviceErrorCapture';
import type { RegistryRef } from '../registryRef';
import { importSourceBody, type ImportSource } from './importSource';
import type { TokenBucketSettings } from '../http/tokenBucket';
import type { Transport } from '../http/transport';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** Repository path components as the distribution spec allows them (lower case, separators). */
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export interface ArmImporterOptions {
  /** Poll interval when the service sends no Retry-After (the SDK's default is 2 s). */
  pollIntervalMs?: number;
  /**
   * This importer's own write budget per subscription instead of the transport's shared one
   * (`TransportOptions.armWrites`); unnamed fields keep the transport's values; false = its
   * writes are not paced.
   */
  writes?: Partial<TokenBucketSettings> | false;
}

/** ImportFailure code of an import abandoned at the caller's time limit. */
export const IMPORT_TIMED_OUT = 'ImportTimedOut';

export class ArmImporter implements Importer {
  /**
   * @param client an ARM client whose pipeline carries `recorder.policy` (perCall)
   * @param target the registry written into
   * @param source the source registry: its ARM id (may be in another subscription), or its address and credentials
   */
  constructor(
    private readonly client: ContainerRegistryManagementClient,
    private readonly recorder: OperationOutcomeRecorder,
    private readonly armEndpoint: string,
    private readonly target: RegistryRef,
    private readonly source: ImportSource,
    private readonly options: ArmImporterOptions = {},
  ) {}

  async importImage(request: ImportRequest, signal?: AbortSignal): Promise<void> {
    refuseUnpinned(request);
    if (signal?.aborted) throw notFinishedInTime(request);
    const source = await importSourceBody(this.source, request.sourceRepository, request.sourceDigest);
    // A referrer lands untagged: `untaggedTargetRepositories` names where, and no tag is given.
    const parameters =
      request.untaggedTargetRepository !== undefined
        ? { source, untaggedTargetRepositories: [request.untaggedTargetRepository], mode: request.mode }
        : { source, targetTags: request.targetTags.map((tag) => `${request.targetRepository}:${tag}`), mode: request.mode };

    let watch: OperationWatch | undefined;
    try {
      const poller = this.client.registries.importImage(this.target.resourceGroup, this.target.name, parameters, {
        abortSignal: signal,
        ...(this.options.pollIntervalMs !== undefined ? { updateIntervalInMs: this.options.pollIntervalMs } : {}),
        onResponse: (response) => {
          const urls = ['location', 'azure-asyncoperation', 'operation-location']
            .map((name) => response.headers.get(name))
            .filter((url): url is string => typeof url === 'string' && url !== '');
          if (urls.length > 0) watch = this.recorder.watch(urls, this.armEndpoint);
        },
      });
      await poller.pollUntilDone({ abortSignal: signal });
      const failure = failureOf(watch?.lastPoll()?.body);
      if (failure) throw failure;
    } catch (error) {
      if (error instanceof ImportFailure) throw error;
      if (signal?.aborted) throw notFinishedInTime(request);
      // An Azure-AsyncOperation failure surfaces as a plain Error without a code; the recorded
      // body has the service's own code and message.
      throw failureOf(watch?.lastPoll()?.body) ?? toImportFailure(error);
    } finally {
      watch?.dispose();
    }
  }
}

/**
 * Builds an ArmImporter with its own ARM client for the target subscription, carrying the
 * operation-outcome recorder.
 */
export function createArmImporter(
  credential: TokenCredential,
  target: RegistryRef,
  source: RegistryRef | ImportSource,
  cloud: AzureCloud,
  transport: Transport,
  options: ArmImporterOptions = {},
): ArmImporter {
  const recorder = new OperationOutcomeRecorder();
  const { writes } = options;
  const client = createArmClient(credential, target.subscriptionId, cloud, transport, {
    additionalPolicies: [{ policy: recorder.policy, position: 'perCall' }],
    ...(writes !== undefined
      ? {
          budgets: transport.armBudgets.withOwn(
            'writes',
            writes === false ? undefined : bucketSettings(transport.armBudgets.settings.writes ?? DEFAULT_ARM_WRITES, writes),
          ),
        }
      : {}),
  });
  const from: ImportSource = 'id' in source ? { resourceId: source.id } : source;
  return new ArmImporter(client, recorder, cloud.armEndpoint, target, from, options);
}

function refuseUnpinned(request: ImportRequest): void {
  if (!DIGEST.test(request.sourceDigest)) {
    throw new ImportFailure(
      `refusing to import ${request.sourceRepository}: "${redactText(request.sourceDigest)}" is not a sha256 manifest digest (imports are pinned by digest, never by tag)`,
      'InvalidDigest',
    );
  }
  for (const repository of [request.sourceRepository, request.targetRepository]) {
    if (!REPOSITORY.test(repository)) throw new ImportFailure(`refusing to import: "${redactText(repository)}" is not a repository name`, 'InvalidRepository');
  }
  if (request.untaggedTargetRepository !== undefined) {
    if (!REPOSITORY.test(request.untaggedTargetRepository)) {
      throw new ImportFailure(`refusing to import: "${redactText(request.untaggedTargetRepository)}" is not a repository name`, 'InvalidRepository');
    }
    // An untagged copy moves no tag: it must name none.
    if (request.targetTags.length > 0) throw new ImportFailure(`refusing to import ${request.sourceRepository}@${request.sourceDigest}: an untagged copy names no tags`, 'UntaggedWithTags');
    return;
  }
  if (request.targetTags.length === 0) {
    throw new ImportFailure(`refusing to import ${request.sourceRepository}@${request.sourceDigest}: no target tags`, 'NoTargetTags');
  }
  const badTag = request.targetTags.find((tag) => !TAG.test(tag));
  if (badTag !== undefined) {
    throw new ImportFailure(`refusing to import ${request.sourceRepository}: "${redactText(badTag)}" is not a tag name`, 'InvalidTag');
  }
}

/** An ImportFailure when a recorded operation body says Failed or Canceled. */
function failureOf(body: unknown): ImportFailure | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const status = (body as { status?: unknown }).status;
  if (typeof status !== 'string') return undefined;
  const state = status.toLowerCase();
  if (!state.includes('fail') && state !== 'canceled' && state !== 'cancelled') return undefined;
  const error = serviceErrorOf((body as { error?: unknown }).error);
  const code = error?.code;
  const message = error?.message ?? `the import operation ended ${status}`;
  return new ImportFailure(redactText(code && !message.startsWith(code) ? `${code}: ${message}` : message), code ?? status);
}

function notFinishedInTime(request: ImportRequest): ImportFailure {
  return new ImportFailure(
    `the import of ${request.sourceRepository}@${request.sourceDigest} did not finish in time: stopped waiting for it ` +
      '(the operation may still complete in the target registry)',
    IMPORT_TIMED_OUT,
  );
}

function toImportFailure(error: unknown): ImportFailure {
  const described = describeArmError(error);
  return new ImportFailure(described.message, described.code);
}
