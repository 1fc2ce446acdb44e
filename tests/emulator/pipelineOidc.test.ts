import { strict as assert } from 'node:assert';
import { pipelineFederatedCredential, startEmulator, type Emulator, type IdTokenRecord } from '../../testkit/emulator';
import { FORM, SUB_A, TENANT, basicFixture, claimsOf, form, principal, request } from './support';

const CONNECTION_ID = '4d3c2b1a-0000-4000-8000-00000000c0de';
const OTHER_CONNECTION_ID = '4d3c2b1a-0000-4000-8000-00000000c0df';

describe('emulator: the pipeline’s OIDC endpoint', function () {
  let em: Emulator;

  before(async function () {
    const fixture = basicFixture({
      pipeline: {
        organization: 'fabrikam',
        organizationId: '11111111-2222-4333-8444-555555555555',
        project: 'registries',
        serviceConnections: [
          { id: CONNECTION_ID, name: 'prod-acr' },
          { id: OTHER_CONNECTION_ID, name: 'other' },
        ],
      },
    });
    fixture.principals.push(
      principal('wif-app', [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }], {
        secret: undefined,
        federated: pipelineFederatedCredential('prod-acr', { organization: 'fabrikam', organizationId: '11111111-2222-4333-8444-555555555555', project: 'registries' }),
      }),
    );
    em = await startEmulator({ fixture, idTokenLifetimeSeconds: 120 });
  });
  after(() => em.stop());
  beforeEach(() => em.log.clear());

  /** `bearer: null` sends no Authorization header; an empty apiVersion leaves it out. */
  const ask = (connectionId: string | undefined, bearer: string | null = em.pipeline.systemAccessToken, apiVersion = '7.1') => {
    const url = new URL(em.pipeline.oidcRequestUri);
    if (apiVersion) url.searchParams.set('api-version', apiVersion);
    if (connectionId) url.searchParams.set('serviceConnectionId', connectionId);
    return request(em.caPem, url.toString(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
      body: '{}',
    });
  };
  /** Entra's v2 token endpoint asked for an ARM token by `wif-app` with an ID token as its assertion. */
  const signInWith = (assertion: string) =>
    request(em.caPem, `${em.authorityHost}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: FORM,
      body: form({
        grant_type: 'client_credentials',
        client_id: 'wif-app',
        scope: 'https://management.azure.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });

  it('describes the job as a task sees it', function () {
    const p = em.pipeline;
    assert.match(p.collectionUri, /^https:\/\/127\.0\.0\.1:\d+\/fabrikam\/$/);
    assert.equal(p.oidcRequestUri, `${p.collectionUri}${p.projectId}/_apis/distributedtask/hubs/build/plans/${p.planId}/jobs/${p.jobId}/oidctoken`);
    assert.equal(p.hostType, 'build');
    assert.ok(p.systemAccessToken.length >= 32);
  });

  it('issues an ID token for the connection: issuer of the organization, subject of the connection', async function () {
    const res = await ask(CONNECTION_ID);
    assert.equal(res.status, 200);
    const idToken = res.json<{ oidcToken: string }>().oidcToken;
    const claims = claimsOf(idToken);
    assert.equal(claims.iss, 'https://vstoken.dev.azure.com/11111111-2222-4333-8444-555555555555');
    assert.equal(claims.sub, 'sc://fabrikam/registries/prod-acr');
    assert.equal(claims.aud, 'api://AzureADTokenExchange');
    assert.equal(Number(claims.exp) - Math.floor(Date.now() / 1000) <= 120, true);
    const logged = em.log.entries()[0];
    assert.equal(logged?.route, 'pipeline.oidcToken');
    const expected: IdTokenRecord = { serviceConnectionId: CONNECTION_ID, jti: String(claims.jti), exp: Number(claims.exp) };
    assert.deepEqual(logged?.body, expected);
    assert.ok(!JSON.stringify(em.log.entries()).includes(idToken), 'the token itself is not logged');

    // Entra takes it as the assertion of the app that trusts this connection.
    const token = await signInWith(idToken);
    assert.equal(token.status, 200, token.text);
  });

  it('issues tokens for another connection that Entra refuses for an app trusting a different subject', async function () {
    const other = (await ask(OTHER_CONNECTION_ID)).json<{ oidcToken: string }>().oidcToken;
    const refused = await signInWith(other);
    assert.equal(refused.status, 400);
    assert.match(refused.json<{ error_description: string }>().error_description, /^AADSTS700213:/);
  });

  it('refuses a missing or wrong job token (401), a missing api-version (400) and an unknown connection (404)', async function () {
    assert.equal((await ask(CONNECTION_ID, null)).status, 401);
    const wrong = await ask(CONNECTION_ID, 'not-the-job-token');
    assert.equal(wrong.status, 401);
    assert.match(wrong.json<{ message: string }>().message, /^TF400813:/);
    assert.equal((await ask(CONNECTION_ID, null, '')).status, 401, 'authentication first');
    assert.equal((await ask(CONNECTION_ID, em.pipeline.systemAccessToken, '')).status, 400);
    assert.equal((await ask(undefined)).status, 400);
    assert.equal((await ask('00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal(em.log.count('pipeline.oidcToken', 200), 0);
  });

  it('changes the lifetime of ID tokens issued from now on', async function () {
    em.setIdTokenLifetimeSeconds(2);
    try {
      const claims = claimsOf((await ask(CONNECTION_ID)).json<{ oidcToken: string }>().oidcToken);
      assert.ok(Number(claims.exp) - Math.floor(Date.now() / 1000) <= 2);
    } finally {
      em.setIdTokenLifetimeSeconds(120);
    }
  });
});
