/**
 * Sign-in's first round trip on Azure's own clouds: MSAL (msal-common 16) carries the endpoints
 * of Entra ID's public hosts (login.microsoftonline.com and the national clouds' hosts) for
 * every tenant, so a credential built as the tool builds it goes straight to the token
 * endpoint; only a custom authority (Azure Stack, the emulator) is asked for its
 * openid-configuration first. This is why the start counts one round trip more on the emulator
 * than on Azure (bench/startProbe.ts, decision 017).
 *
 * Nothing leaves the process: a policy in front of the pipeline answers every request and
 * records it (the loopback guard would stop anything that got past it).
 */
import { strict as assert } from 'node:assert';
import { ClientSecretCredential } from '@azure/identity';
import { createHttpHeaders, type PipelinePolicy, type PipelineResponse } from '@azure/core-rest-pipeline';
import { AzurePublicCloud, customizeCloud, type AzureCloud } from '../../src/azure/cloud';
import { identityOptions } from '../../src/azure/identity/credentials';
import { createTransport } from '../../src/azure/http/transport';

const TENANT = '72f988bf-0000-4000-8000-00000000a017';
const CLIENT = 'c11e47a1-0000-4000-8000-00000000a017';

/** Answers Entra's requests in memory: a token for a token request, an openid-configuration for discovery. */
function answering(seen: string[]): PipelinePolicy {
  return {
    name: 'inMemoryEntra',
    sendRequest: (request) => {
      seen.push(`${request.method} ${request.url.split('?')[0]}`);
      const origin = new URL(request.url).origin;
      const body = request.url.includes('openid-configuration')
        ? {
            token_endpoint: `${origin}/${TENANT}/oauth2/v2.0/token`,
            issuer: `${origin}/${TENANT}/v2.0`,
            authorization_endpoint: `${origin}/${TENANT}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${origin}/${TENANT}/oauth2/v2.0/logout`,
            jwks_uri: `${origin}/${TENANT}/discovery/v2.0/keys`,
          }
        : { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'in-memory-token' };
      const response: PipelineResponse = { request, status: 200, headers: createHttpHeaders({ 'content-type': 'application/json' }), bodyAsText: JSON.stringify(body) };
      return Promise.resolve(response);
    },
  };
}

async function requestsOfSignIn(cloud: AzureCloud): Promise<string[]> {
  const seen: string[] = [];
  const options = identityOptions(cloud, createTransport({ retry: { maxRetries: 0 } }));
  const credential = new ClientSecretCredential(TENANT, CLIENT, 'not-a-real-secret', {
    ...options,
    additionalPolicies: [...(options.additionalPolicies ?? []), { policy: answering(seen), position: 'perCall' }],
  });
  const token = await credential.getToken('https://management.azure.com/.default');
  assert.equal(token?.token, 'in-memory-token');
  return seen;
}

describe('azure/authority discovery', () => {
  it("on Azure's public authority: the token request is the first and only request (no openid discovery)", async () => {
    assert.deepEqual(await requestsOfSignIn(AzurePublicCloud), [`POST https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`]);
  });

  it('on a custom authority: its openid-configuration first, then the token', async () => {
    const cloud = customizeCloud(AzurePublicCloud, { authorityHost: 'https://127.0.0.1:9' });
    assert.deepEqual(await requestsOfSignIn(cloud), [
      `GET https://127.0.0.1:9/${TENANT}/v2.0/.well-known/openid-configuration`,
      `POST https://127.0.0.1:9/${TENANT}/oauth2/v2.0/token`,
    ]);
  });
});
