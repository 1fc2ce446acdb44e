import { readFileSync } from 'node:fs';
import type { ProxySettings } from '@azure/core-rest-pipeline';
import * as tl from 'azure-pipelines-task-lib/task';
import { logWarning } from './log';

/**
 * The agent's own network settings, applied to every Azure client the task builds, as the
 * agent's connections use them: its proxy (`Agent.ProxyUrl`, from `config.sh --proxyurl`) and
 * the CA it trusts (`Agent.CAInfo`, from `--sslcacert`, e.g. a TLS-inspecting proxy's), added to
 * the system roots. TLS verification is never turned off.
 */
export function agentCaPem(): string | undefined {
  const caFile = tl.getHttpCertConfiguration()?.caFile;
  if (caFile === undefined || caFile === '') return undefined;
  try {
    return readFileSync(caFile, 'utf8');
  } catch {
    logWarning(tl.loc('AgentCaUnreadable', caFile));
    return undefined;
  }
}

/**
 * The agent's proxy. Its bypass list holds regular expressions, which the SDK's NO_PROXY
 * handling cannot take, so it is not applied: with a proxy configured, every Azure call goes
 * through it.
 */
export function agentProxy(): ProxySettings | undefined {
  const config = tl.getHttpProxyConfiguration();
  if (!config?.proxyUrl) return undefined;
  const url = new URL(config.proxyUrl);
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return {
    host: `${url.protocol}//${url.hostname}`,
    port,
    ...(config.proxyUsername ? { username: config.proxyUsername } : {}),
    ...(config.proxyPassword ? { password: config.proxyPassword } : {}),
  };
}
