/**
 * What the job offers for asking Azure DevOps for ID tokens, read from the agent's variables:
 * the OIDC endpoint (`System.OidcRequestUri`; on agents that do not set it, the same URL is
 * built from the collection, project, hub, plan and job, as azure-devops-node-api's
 * `createOidcToken` would address it) and the job's access token (the SystemVssConnection's
 * `AccessToken`, or `System.AccessToken` when a pipeline maps it). Apart from pipelineIdToken.ts
 * because it reads the agent through task-lib, which the token source itself does not need.
 */
import * as tl from 'azure-pipelines-task-lib/task';
import { readEndpointAuthorization } from './connectionFields';
import type { PipelineOidcSettings } from './pipelineIdToken';

export function pipelineOidcSettings(): PipelineOidcSettings | undefined {
  const requestUri = oidcRequestUri();
  const accessToken = jobAccessToken();
  return requestUri && accessToken ? { requestUri, accessToken } : undefined;
}

function oidcRequestUri(): string | undefined {
  const given = nonEmpty(tl.getVariable('System.OidcRequestUri'));
  if (given) return given;
  const collection = nonEmpty(tl.getVariable('System.CollectionUri')) ?? nonEmpty(tl.getVariable('System.TeamFoundationServerUri'));
  const project = nonEmpty(tl.getVariable('System.TeamProjectId'));
  const hub = nonEmpty(tl.getVariable('System.HostType'));
  const plan = nonEmpty(tl.getVariable('System.PlanId'));
  const job = nonEmpty(tl.getVariable('System.JobId'));
  if (!collection || !project || !hub || !plan || !job) return undefined;
  const base = collection.endsWith('/') ? collection : `${collection}/`;
  return `${base}${project}/_apis/distributedtask/hubs/${hub}/plans/${plan}/jobs/${job}/oidctoken`;
}

function jobAccessToken(): string | undefined {
  const read = readEndpointAuthorization('SYSTEMVSSCONNECTION');
  const auth = read.found ? read.auth : undefined;
  const fromEndpoint = auth?.scheme?.toLowerCase() === 'oauth' ? nonEmpty(auth.parameters?.['AccessToken']) : undefined;
  return fromEndpoint ?? nonEmpty(tl.getVariable('System.AccessToken'));
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
