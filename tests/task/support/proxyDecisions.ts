/**
 * Run as a child process (task-lib writes its vault key where it loads): prints, for each URL
 * given, the route agentProxyResolver picks and the one task-lib's own
 * getHttpProxyConfiguration(url) picks, as one JSON line, for the agent variables in the
 * environment.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as tl from 'azure-pipelines-task-lib/task';
import { agentProxyResolver } from '../../../src/task/agentNetwork';

const out = process.stdout;
// task-lib prints a debug line per variable read; those stay out, warnings go out.
tl.setStdStream(
  new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      const text = chunk.toString();
      if (!text.startsWith('##vso[task.debug]')) out.write(text);
      done();
    },
  }),
);
tl.setResourcePath(join(__dirname, '..', '..', '..', '..', 'tasks', 'AcrTransfer', 'AcrTransferV1', 'task.json'));
const urls = JSON.parse(process.argv[2] ?? '[]') as string[];
const resolve = agentProxyResolver(process.env);
const decisions = urls.map((url) => {
  const proxy = resolve?.(url);
  let taskLib: string | null;
  try {
    taskLib = tl.getHttpProxyConfiguration(url)?.proxyUrl ?? null;
  } catch {
    taskLib = 'throws';
  }
  return {
    url,
    proxy: proxy ? { host: proxy.host, username: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) } : null,
    taskLib,
  };
});
out.write(`${JSON.stringify(decisions)}\n`);
