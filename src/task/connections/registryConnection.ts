/**
 * A Docker Registry service connection (`connectedService:dockerregistry`) as the source: the
 * registry's host and the user and password importImage and the reader send to it. The agent
 * passes its registry URL (`https://index.docker.io/v1/`, `https://ghcr.io`) and, for the
 * "Others" and "Docker Hub" types, `username` / `password` authorization parameters; an
 * "Azure Container Registry" type carries a service principal (`servicePrincipalid`,
 * `serviceprincipalkey`) and the `loginServer`, which an ACR takes as basic credentials too.
 * The password is registered with the agent as a secret before anything else is done with it.
 */
import * as tl from 'azure-pipelines-task-lib/task';
import { checkRegistryHost } from '../../options/registryHost';
import { OptionsError } from '../../options/optionsError';
import { ConnectionError } from './connectionError';

export interface RegistryConnection {
  /** host[:port] of the registry. */
  host: string;
  /** Either may be missing; the options' rules say what is wrong then (a user without a password…). */
  username?: string;
  password?: string;
}

/**
 * One authorization parameter, from the authorization object: task-lib's
 * getEndpointAuthorizationParameter would print the value in a debug line before the task could
 * register it as a secret.
 */
function parameterOf(parameters: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(parameters).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : parameters[key]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The host of a registry URL as a connection holds it: a URL, or a bare host. A path is dropped
 * as `docker login` drops it (Docker Hub's connections hold `https://index.docker.io/v1/`).
 */
function hostOfUrl(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`;
  let host: string;
  try {
    host = new URL(withScheme).host;
  } catch {
    throw new ConnectionError('RegistryUrlInvalid', [url, 'it is not a URL']);
  }
  try {
    return checkRegistryHost('registry URL', host);
  } catch (error) {
    if (error instanceof OptionsError) throw new ConnectionError('RegistryUrlInvalid', [url, error.args[2] ?? error.message]);
    throw error;
  }
}

export function readRegistryConnection(connectionId: string): RegistryConnection {
  const authorization = tl.getEndpointAuthorization(connectionId, true);
  if (authorization === undefined) throw new ConnectionError('RegistryNotAvailable', []);
  const parameters = authorization.parameters ?? {};
  const parameter = (name: string): string | undefined => parameterOf(parameters, name);
  const scheme = authorization.scheme ?? 'UsernamePassword';
  if (scheme.toLowerCase() === 'serviceprincipal') {
    const password = parameter('serviceprincipalkey');
    if (password !== undefined) tl.setSecret(password);
    const username = parameter('servicePrincipalid');
    const loginServer = parameter('loginServer') ?? tl.getEndpointUrl(connectionId, true) ?? '';
    if (username === undefined || password === undefined) throw new ConnectionError('RegistrySchemeUnsupported', [scheme]);
    return { host: hostOfUrl(loginServer), username, password };
  }
  if (scheme.toLowerCase() !== 'usernamepassword') throw new ConnectionError('RegistrySchemeUnsupported', [scheme]);
  const password = parameter('password');
  if (password !== undefined) tl.setSecret(password);
  const username = parameter('username');
  const url = parameter('registry') ?? tl.getEndpointUrl(connectionId, true) ?? '';
  const host = hostOfUrl(url);
  // Docker Hub's connection URL is its v1 index; the registry (and importImage's registryUri) is docker.io.
  const registryHost = host === 'index.docker.io' ? 'docker.io' : host;
  return { host: registryHost, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
}
