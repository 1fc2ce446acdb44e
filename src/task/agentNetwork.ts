import { readFileSync } from 'node:fs';
import * as tl from 'azure-pipelines-task-lib/task';
import { envProxyResolver, proxyUrlOf, type Env, type ProxyResolver } from '../azure';
import { logWarning } from './log';

/**
 * The agent's own network settings, applied to every Azure client the task builds, as the
 * agent's connections use them: its proxy and bypass list (below) and the CA it trusts (`Agent.CAInfo`, from `--sslcacert`, e.g. a TLS-inspecting proxy's), added to
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
 * The agent's proxy (`Agent.ProxyUrl`, from `config.sh --proxyurl`), asked per request URL as
 * azure-arm-rest does: task-lib's getHttpProxyConfiguration(url) answers nothing when one of
 * the agent's bypass entries (`Agent.ProxyBypassList`: a JSON list of regular expressions,
 * matched without regard to case against the whole URL) matches, so such a host is reached
 * directly. An agent without a proxy leaves HTTPS_PROXY / NO_PROXY to decide, as the Azure SDK
 * would (proxyRoute.ts). Managed-identity endpoints are never proxied (routing.ts).
 */
export function agentProxyResolver(env: Env = process.env): ProxyResolver | undefined {
  if (!tl.getHttpProxyConfiguration()?.proxyUrl) return envProxyResolver(env);
  return (url) => {
    const config = tl.getHttpProxyConfiguration(url);
    if (!config?.proxyUrl) return undefined;
    const proxy = proxyUrlOf(config.proxyUrl);
    if (config.proxyUsername) proxy.username = encodeURIComponent(config.proxyUsername);
    if (config.proxyPassword) proxy.password = encodeURIComponent(config.proxyPassword);
    return proxy;
  };
}
