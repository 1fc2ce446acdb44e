import { setMaxListeners } from 'node:events';

/**
 * The part of an abort signal the race below uses. Structural, so the engine needs no `@azure/*`
 * import and the Azure adapters can pass the SDK's AbortSignalLike (which has no `reason`).
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * Waits for `work` unless `signal` fires first, then rejects with the signal's reason. Raced
 * against work that should have honoured the signal, it lets the engine stop waiting even when
 * the work does not stop; a late rejection of `work` is swallowed. Raced against work shared
 * with other callers (a registry token request), it lets one caller give up without cancelling
 * the work for the others. Without a signal, `work` itself.
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignalLike | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * What an aborted wait rejects with: the reason the signal was aborted with when that is an
 * error (the engine's own limits abort with the error they report, ImportTimedOut or
 * PlanningStopped), else an error named AbortError, the name callers test for.
 */
function abortReason(signal: AbortSignalLike): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}

/**
 * A signal that fires when any of `signals` does. Every listing, count and import in flight
 * listens to it, so Node's warning at 11 listeners (meant to catch leaks) would be a false alarm.
 */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  const combined = given.length === 1 ? given[0] : AbortSignal.any(given);
  setMaxListeners(0, combined);
  return combined;
}
