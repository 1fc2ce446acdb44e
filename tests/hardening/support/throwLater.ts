/**
 * Planted in a front end's process (`--require`) by the last-resort tests: once the run is
 * under way, throws from a timer and rejects a promise nobody awaits — what a bug in a stream
 * callback would do. The process-level handler must turn it into one line and a failed result.
 * The message carries a fake secret: it must not reach the output unredacted.
 */
const delayMs = Number(process.env['THROW_LATER_MS'] ?? '1500');
const how = process.env['THROW_LATER_HOW'] ?? 'throw';

setTimeout(() => {
  const error = new Error('planted failure in a callback (client_secret=planted-secret-value)');
  if (how === 'reject') void Promise.reject(error);
  else throw error;
}, delayMs).unref();
