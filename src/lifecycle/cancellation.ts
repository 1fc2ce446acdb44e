/**
 * Cancellation by signal, for both front ends. A person pressing Ctrl-C sends SIGINT; a
 * cancelled or timed-out pipeline job makes the agent send SIGINT, then SIGTERM 7.5 s later,
 * then kill. The first of them cancels the run gracefully (the engine starts nothing new, lets
 * imports in flight finish for a moment, then reports what was done and what is left); a second
 * one ends the process at once.
 */
export interface Cancellation {
  /** Fires on the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Which signal cancelled the run, once one has. */
  readonly received: NodeJS.Signals | undefined;
  /** Removes the handlers (the process then reacts to signals as Node does by default). */
  dispose(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export function cancelOnSignals(handlers: { first(signal: NodeJS.Signals): void; second(signal: NodeJS.Signals): void }): Cancellation {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      handlers.second(signal);
      return;
    }
    received = signal;
    controller.abort(new Error(`cancelled by ${signal}`));
    handlers.first(signal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose: () => {
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}
