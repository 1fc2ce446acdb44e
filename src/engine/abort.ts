import { setMaxListeners } from 'node:events';

/**
 * Waits for `work` unless `signal` fires first, then rejects with the signal's reason. Raced
 * against work that should have honoured the signal, it lets the engine stop waiting even when
 * the work does not stop; a late rejection of `work` is swallowed.
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
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
 * A signal that fires when any of `signals` does. Every listing, count and import in flight
 * listens to it, so Node's warning at 11 listeners (meant to catch leaks) would be a false alarm.
 */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  const combined = given.length === 1 ? given[0] : AbortSignal.any(given);
  setMaxListeners(0, combined);
  return combined;
}
