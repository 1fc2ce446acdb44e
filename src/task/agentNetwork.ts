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
 * The agent's proxy (`Agent.ProxyUrl`, from `config.sh --proxyurl`) per request URL, decided as
 * task-lib's getHttpProxyConfiguration(url) decides it (what azure-arm-rest asks): no proxy when
 * one of the agent's bypass entries (`Agent.ProxyBypassList`, from the agent's `.proxybypass`
 * file: a JSON list of regular expressions) matches the whole URL, without regard to case; so a
 * registry on a private endpoint the list names is reached directly. The settings are read once:
 * task-lib prints four debug lines on every call, which per request would flood a debug log.
 * An agent without a proxy leaves HTTPS_PROXY / NO_PROXY to decide, as the Azure SDK would
 * (proxyRoute.ts). Managed-identity endpoints are never proxied (routing.ts).
 */
export function agentProxyResolver(env: Env = process.env): ProxyResolver | undefined {
  const config = tl.getHttpProxyConfiguration();
  if (!config?.proxyUrl) return envProxyResolver(env);
  const proxy = proxyUrlOf(config.proxyUrl);
  if (config.proxyUsername) proxy.username = encodeURIComponent(config.proxyUsername);
  if (config.proxyPassword) proxy.password = encodeURIComponent(config.proxyPassword);
  const bypass = (config.proxyBypassHosts ?? []).flatMap((entry) => {
    try {
      return [new RegExp(entry, 'i')];
    } catch {
      // task-lib would throw on every request; one warning and the entry left out is kinder.
      logWarning(tl.loc('AgentProxyBypassInvalid', entry));
      return [];
    }
  });
  return (url) => (bypass.some((entry) => entry.test(url)) ? undefined : proxy);
}
