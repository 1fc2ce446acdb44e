/**
 * What the process does with an error nothing else caught — one thrown from a stream or timer
 * callback, a promise nobody awaited: one line, a failed result, never a stack trace (which may
 * quote request data). The front end says how to word and end it.
 *
 * `replaceExisting` takes over from handlers a library installed when it loaded: task-lib's
 * prints the error's stack and raw message as a pipeline issue, and turns every unhandled
 * rejection into an uncaught exception to get there.
 */
export function onUnexpectedError(handle: (error: unknown) => void, options: { replaceExisting?: boolean } = {}): void {
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    if (options.replaceExisting === true) process.removeAllListeners(event);
    process.on(event, (error: unknown) => {
      // A closed stdout (the reader went away) cannot be reported on it; as task-lib does, let it be.
      if (isBrokenPipe(error)) return;
      handle(error);
    });
  }
}

function isBrokenPipe(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EPIPE';
}
