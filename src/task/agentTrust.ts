import { readFileSync } from 'node:fs';
import * as tl from 'azure-pipelines-task-lib/task';

/**
 * The CA the agent is configured to trust (`Agent.CAInfo`, set by `config.sh --sslcacert` for
 * agents behind a TLS-inspecting proxy). Every Azure client gets it on top of the system roots,
 * as the agent's own connections do; TLS verification is never turned off.
 */
export function agentCaPem(): string | undefined {
  const caFile = tl.getHttpCertConfiguration()?.caFile;
  if (caFile === undefined || caFile === '') return undefined;
  try {
    return readFileSync(caFile, 'utf8');
  } catch {
    tl.warning(tl.loc('AgentCaUnreadable', caFile));
    return undefined;
  }
}
