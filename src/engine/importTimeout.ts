import { anySignal, unlessAborted } from './abort';
import type { Clock } from './clock';
import type { ImportRequest, Importer } from './ports';

/** Writes a number of minutes the way people do: "1 minute", "0.5 minutes", "30 minutes". */
export function minutesText(minutes: number): string {
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** An import that ran out of its time limit (`importTimeoutMinutes`). */
export class ImportTimedOut extends Error {
  constructor(minutes: number) {
    // The service may still complete an abandoned import; the next run compares digests again.
    super(`did not finish within ${minutesText(minutes)}; stopped waiting for it`);
    this.name = 'ImportTimedOut';
  }
}

/**
 * Runs one import with a time limit. The importer gets a signal that fires when the limit is
 * reached (or the whole run is cancelled) and must stop polling then; the engine stops waiting
 * at that moment either way, so an importer that ignores the signal cannot hold up the run.
 */
export async function importWithinLimit(
  importer: Importer,
  request: ImportRequest,
  limitMinutes: number,
  clock: Clock,
  runSignal?: AbortSignal,
): Promise<void> {
  const limit = new AbortController();
  const timedOut = new ImportTimedOut(limitMinutes);
  const cancelTimer = clock.after(limitMinutes * 60_000, () => limit.abort(timedOut));
  const signal = anySignal(limit.signal, runSignal);
  try {
    await unlessAborted(importer.importImage(request, signal), signal);
  } catch (error) {
    throw limit.signal.aborted ? timedOut : error;
  } finally {
    cancelTimer();
  }
}
