/**
 * importImage's long-running operations, as Azure runs them: once accepted, an import runs
 * server-side on its own clock and lands after its duration whether or not anyone polls
 * (`az acr import --no-wait` relies on it); polls only observe it.
 *
 * The exchange is the recorded one: the POST answers 202 with an empty body, `Location` and
 * `Retry-After`; the Location is an operationResults URL carrying opaque signed query values
 * (t, c, s, h) that must come back verbatim. Polls answer 202 `{"status":"Accepted"}` (+
 * Location, Retry-After) while the import runs (what azure-cli#23142's debug log shows), then
 * 200 `{"status":"Succeeded"}`, or the failure in the configured style.
 *
 * An import is checked when it starts (NoForce "will fail the operation before any copying
 * begins", Microsoft's import docs): a failure there ends it at once. Otherwise it runs for
 * the duration it was accepted with, then is checked again against the registries as they are
 * then (an import that landed meanwhile conflicts) and writes everything or nothing. An
 * `importHangs` fault makes one that never completes, an `importFails` fault one that fails
 * when it would have landed. With `importSynchronousMs`, an import short enough is answered
 * on the POST itself, as Azure does for some small images.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ImportFailureStyle } from './api';
import { armError } from './armAuth';
import { emptyReply, jsonReply, type InjectedImportFault, type Reply } from './http';
import { checkImport, readsRemoteSource, runImport, type FetchedSource, type ImportFailure, type ImportParameters } from './importImage';
import { readRemoteSource, type RemoteSourceDeps } from './remoteSource';
import type { EmulatorState, RegistryState } from './state';

interface Operation {
  id: string;
  subscriptionId: string;
  target: RegistryState;
  request: ImportParameters;
  injected?: InjectedImportFault;
  location: string;
  /** Date.now() when it is due to land (or fail); undefined while it hangs or once it has ended. */
  dueAt?: number;
  timer?: NodeJS.Timeout;
  /** Set once the operation has ended: undefined failure means Succeeded. */
  outcome?: { failure?: ImportFailure };
  /** A `registryUri` source still being read over HTTPS (remoteSource.ts). */
  reading?: boolean;
  /** What that read found, once done. */
  fetched?: FetchedSource;
  /** Its clock ran out while the source was still being read: it lands when the read ends. */
  landWhenRead?: boolean;
  /** Resolves when the operation has ended. */
  ended: Promise<void>;
  end: () => void;
}

export interface OperationSettings {
  armEndpoint(): string;
  durationMs(): number;
  retryAfterSeconds(): number;
  /** Imports of at most this duration are answered on the POST; undefined = never. */
  synchronousMs(): number | undefined;
  failureStyle(): ImportFailureStyle;
}

/** .NET ticks, like the `t` value of real operationResults links. */
const ticks = (): string => (BigInt(Date.now()) * 10000n + 621355968000000000n).toString();

export class ImportOperations {
  private readonly operations = new Map<string, Operation>();
  private readonly key = randomBytes(32);

  constructor(
    private readonly state: EmulatorState,
    private readonly settings: OperationSettings,
    private readonly remote: RemoteSourceDeps,
  ) {}

  private mac(...parts: string[]): string {
    return createHmac('sha256', this.key).update(parts.join('|')).digest('base64url');
  }

  /** Accepts an import and starts its clock; answers the 202 with its Location (or, when synchronous, its outcome). */
  start(target: RegistryState, request: ImportParameters, apiVersion: string, injected: InjectedImportFault | undefined): Reply | Promise<Reply> {
    const id = `registries-${randomUUID()}`;
    const t = ticks();
    // Stand-in for the signing certificate real links carry: opaque, checked through `s`.
    const c = randomBytes(96).toString('base64url');
    const s = this.mac('s', id, t, c);
    const h = this.mac('h', id, t);
    const location =
      `${this.settings.armEndpoint()}/subscriptions/${target.subscriptionId}/providers/Microsoft.ContainerRegistry/locations/` +
      `${target.location.toUpperCase()}/operationResults/${id}?api-version=${encodeURIComponent(apiVersion)}&t=${t}&c=${c}&s=${s}&h=${h}`;
    let end = (): void => undefined;
    const ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    const op: Operation = { id, subscriptionId: target.subscriptionId, target, request, injected, location, ended, end };
    this.operations.set(id, op);
    const durationMs = Math.max(0, this.settings.durationMs());
    this.begin(op, durationMs);
    const window = this.settings.synchronousMs();
    if (window !== undefined && injected === undefined && durationMs <= window) return this.answerWhenDone(op, durationMs);
    return emptyReply(202, { Location: location, 'Retry-After': String(this.settings.retryAfterSeconds()) });
  }

  /**
   * The checks before any copying, then the clock: lands at once for 0, else after `durationMs`.
   * A source given by `registryUri` is read first (over HTTPS, remoteSource.ts); the clock runs
   * meanwhile, and an import whose clock ran out lands as soon as its read ends.
   */
  private begin(op: Operation, durationMs: number): void {
    if (op.injected?.kind === 'importHangs') return;
    const remote = op.injected === undefined && readsRemoteSource(this.state, op.request);
    if (remote) this.read(op);
    const early = op.injected === undefined && !remote ? checkImport(this.state, op.target, op.request) : undefined;
    if (early) {
      this.finish(op, { failure: this.azureFailure(op, early) });
    } else if (durationMs === 0) {
      this.complete(op);
    } else {
      op.dueAt = Date.now() + durationMs;
      op.timer = setTimeout(() => this.complete(op), durationMs);
      // The clock must not keep a test process alive; stop() clears what is left.
      op.timer.unref();
    }
  }

  /** Reads the remote source, then makes the checks before any copying with what it found. */
  private read(op: Operation): void {
    op.reading = true;
    void readRemoteSource(op.request, this.remote)
      .catch((e: unknown): ImportFailure => ({ status: 500, code: 'InternalServerError', message: `reading the source failed: ${(e as Error).message}` }))
      .then((result) => {
        op.reading = false;
        if (op.outcome) return;
        if ('code' in result) {
          this.finish(op, { failure: this.azureFailure(op, result) });
          return;
        }
        op.fetched = result;
        const early = checkImport(this.state, op.target, op.request, result);
        if (early) this.finish(op, { failure: this.azureFailure(op, early) });
        else if (op.landWhenRead) this.complete(op);
      });
  }

  private finish(op: Operation, outcome: { failure?: ImportFailure }): void {
    if (op.timer) clearTimeout(op.timer);
    op.timer = undefined;
    op.dueAt = undefined;
    op.outcome = outcome;
    op.end();
  }

  /** A synchronous answer: the POST waits for the import, then says how it ended. */
  private async answerWhenDone(op: Operation, durationMs: number): Promise<Reply> {
    if (!op.outcome && durationMs > 0) await new Promise((resolve) => setTimeout(resolve, durationMs).unref());
    this.complete(op);
    await op.ended;
    this.operations.delete(op.id);
    const failure = op.outcome?.failure;
    return failure ? armError(failure.status, failure.code, failure.message) : emptyReply(200);
  }

  /**
   * Ends a running operation now: the injected failure, or the import itself. False if it had
   * already ended, or if its source is still being read (it then lands when the read ends).
   */
  private complete(op: Operation): boolean {
    if (op.outcome) return false;
    if (op.reading) {
      if (op.timer) clearTimeout(op.timer);
      op.timer = undefined;
      op.dueAt = undefined;
      op.landWhenRead = true;
      return false;
    }
    const injected = op.injected;
    if (injected?.kind === 'importFails') {
      this.finish(op, { failure: { status: injected.status ?? 400, code: injected.code, message: injected.message } });
    } else {
      const failure = runImport(this.state, op.target, op.request, op.fetched);
      this.finish(op, { failure: failure ? this.azureFailure(op, failure) : undefined });
    }
    return true;
  }

  /**
   * Azure's wrapper around an import's own failure, the same in every reported case
   * (azure-cli#10938, Azure/acr#196, #435, #571): the operation, the target registry's
   * resource id, then what went wrong.
   */
  private azureFailure(op: Operation, failure: ImportFailure): ImportFailure {
    return { ...failure, message: `Operation ${op.id} failed. Resource ${op.target.resourceId} ${failure.message}` };
  }

  /** Lands every running import now, oldest first (a hanging one stays); how many ended. */
  completeAll(): number {
    let completed = 0;
    for (const op of this.operations.values()) {
      if (op.dueAt !== undefined && this.complete(op)) completed++;
    }
    return completed;
  }

  /** Stops every clock (the emulator is stopping). */
  stop(): void {
    for (const op of this.operations.values()) if (op.timer) clearTimeout(op.timer);
  }

  private signatureValid(id: string, query: URLSearchParams): boolean {
    const t = query.get('t');
    const c = query.get('c');
    const s = query.get('s');
    const h = query.get('h');
    if (!t || !c || !s || !h) return false;
    const same = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
    return same(s, this.mac('s', id, t, c)) && same(h, this.mac('h', id, t));
  }

  poll(subscriptionId: string, id: string, query: URLSearchParams): Reply {
    const op = this.operations.get(id);
    if (!op || op.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase()) {
      return armError(404, 'NotFound', `The operation '${id}' could not be found.`);
    }
    if (!this.signatureValid(id, query)) {
      return armError(
        400,
        'InvalidOperationResultsLink',
        'The operation results link was altered: its signed query values (t, c, s, h) do not match. Poll the Location URL exactly as returned.',
      );
    }
    // A poll that comes as the clock runs out sees the landing even if the timer has not fired yet.
    if (op.dueAt !== undefined && Date.now() >= op.dueAt) this.complete(op);
    if (!op.outcome) {
      return jsonReply(202, { status: 'Accepted' }, { Location: op.location, 'Retry-After': String(this.settings.retryAfterSeconds()) });
    }
    const failure = op.outcome.failure;
    if (!failure) return jsonReply(200, { status: 'Succeeded' });
    if (this.settings.failureStyle() === 'bodyStatus') {
      return jsonReply(200, { status: 'Failed', error: { code: failure.code, message: failure.message } });
    }
    return armError(failure.status, failure.code, failure.message);
  }
}
