/**
 * Reading a connection logs it: task-lib writes each endpoint value it returns to the debug
 * stream (`<id> data subscriptionid = …`), and azure-arm-rest's getEndpoint dumps the whole
 * endpoint object, secret included. The agent masks the secret, but not the subscription and
 * tenant ids, which this product never logs. So the debug stream is muted while a connection
 * is read. Both libraries call task-lib's `debug` through its exports object, which is why
 * replacing that one property is enough.
 */
interface TaskLibDebug {
  debug: (message: string) => void;
}

export async function withDebugMuted<T>(read: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const taskLib = require('azure-pipelines-task-lib/task') as TaskLibDebug;
  const debug = taskLib.debug;
  taskLib.debug = () => undefined;
  try {
    return await read();
  } finally {
    taskLib.debug = debug;
  }
}
