/**
 * importImage's long-running operations, exactly as recorded from Azure: the POST answers
 * 202 with an empty body, `Location` and `Retry-After`; the Location is an operationResults
 * URL carrying opaque signed query values (t, c, s, h) that must come back verbatim. Polls
 * answer 202 (+ Location, Retry-After) while the operation runs, then 200
 * `{"status":"Succeeded"}`, or the failure in the configured style. The import itself runs
 * when the operation completes, i.e. on the poll after `importPollsBeforeDone` running polls;
 * an operation nobody polls never runs. An `importHangs` fault makes an operation that never
 * completes: its polls answer 202 forever.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ImportFailureStyle } from './api';
import { armError } from './armAuth';
import { emptyReply, jsonReply, type InjectedImportFault, type Reply } from './http';
import { runImport, type ImportFailure, type ImportParameters } from './importImage';
import type { EmulatorState, RegistryState } from './state';

interface Operation {
  id: string;
  subscriptionId: string;
  target: RegistryState;
  request: ImportParameters;
  injected?: InjectedImportFault;
  location: string;
  polls: number;
  /** Set once the operation has run: undefined failure means Succeeded. */
  outcome?: { failure?: ImportFailure };
}

export interface OperationSettings {
  armEndpoint(): string;
  pollsBeforeDone(): number;
  retryAfterSeconds(): number;
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
  ) {}

  private mac(...parts: string[]): string {
    return createHmac('sha256', this.key).update(parts.join('|')).digest('base64url');
  }

  /** Accepts an import; answers the 202 with its Location. */
  start(target: RegistryState, request: ImportParameters, apiVersion: string, injected: InjectedImportFault | undefined): Reply {
    const id = `registries-${randomUUID()}`;
    const t = ticks();
    // Stand-in for the signing certificate real links carry: opaque, checked through `s`.
    const c = randomBytes(96).toString('base64url');
    const s = this.mac('s', id, t, c);
    const h = this.mac('h', id, t);
    const location =
      `${this.settings.armEndpoint()}/subscriptions/${target.subscriptionId}/providers/Microsoft.ContainerRegistry/locations/` +
      `${target.location.toUpperCase()}/operationResults/${id}?api-version=${encodeURIComponent(apiVersion)}&t=${t}&c=${c}&s=${s}&h=${h}`;
    this.operations.set(id, { id, subscriptionId: target.subscriptionId, target, request, injected, location, polls: 0 });
    return emptyReply(202, { Location: location, 'Retry-After': String(this.settings.retryAfterSeconds()) });
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
    if (!op.outcome) {
      op.polls += 1;
      if (op.polls <= this.settings.pollsBeforeDone() || op.injected?.kind === 'importHangs') {
        return emptyReply(202, { Location: op.location, 'Retry-After': String(this.settings.retryAfterSeconds()) });
      }
      op.outcome = {
        failure:
          op.injected?.kind === 'importFails'
            ? { status: op.injected.status ?? 400, code: op.injected.code, message: op.injected.message }
            : runImport(this.state, op.target, op.request),
      };
    }
    const failure = op.outcome.failure;
    if (!failure) return jsonReply(200, { status: 'Succeeded' });
    if (this.settings.failureStyle() === 'bodyStatus') {
      return jsonReply(200, { status: 'Failed', error: { code: failure.code, message: failure.message } });
    }
    return armError(failure.status, failure.code, failure.message);
  }
}
