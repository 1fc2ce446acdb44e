/**
 * The JS SDK's recorded anonymous catalog listing (2023) replayed against a registry with
 * anonymous pull on: the 401 for `registry:catalog:*`, the token asked for with
 * `grant_type=password` and an empty refresh token (no credentials at all), the catalog read
 * with it. Bodies are compared both ways (every recorded key there, nothing more).
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../testkit/emulator';
import { SUB_A, TENANT, principal, request } from '../emulator/support';
import { actualHeader, readContract, recordedHeader, shapeDifferences, type Recording } from './support';

describe('contract: the recorded anonymous catalog listing', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({
      fixture: {
        principals: [principal('nobody-needed', [])],
        subscriptions: [
          {
            id: SUB_A,
            tenantId: TENANT,
            registries: [
              {
                name: 'myregistry',
                resourceGroup: 'rg',
                sku: 'Standard',
                anonymousPullEnabled: true,
                repositories: { 'library/hello-world': { latest: { content: { kind: 'image', format: 'docker', seed: 'hello' } } } },
              },
            ],
          },
        ],
      },
    });
  });
  after(() => em.stop());

  it('401 for the catalog scope, a token without credentials, then the catalog as recorded', async function () {
    const [challenged, token, listed] = readContract<Recording>('recordings/js_list_repositories_anonymous.json').Entries;
    const host = em.registry('myregistry').loginServer;
    const path = (uri: string): string => new URL(uri).pathname + new URL(uri).search;

    const first = await request(em.caPem, `https://${host}${path(challenged.RequestUri)}`, { headers: { Accept: 'application/json' } });
    assert.equal(first.status, challenged.StatusCode);
    assert.deepEqual(shapeDifferences(challenged.ResponseBody, first.json(), [], '$', 'both'), []);
    assert.match(String(actualHeader(first.headers, 'WWW-Authenticate')), /,scope="registry:catalog:\*"$/);

    // The recorded form, fields in their order, the service swapped for this registry's.
    const form = new URLSearchParams(String(token.RequestBody));
    form.set('service', host);
    assert.deepEqual([...form.keys()], ['service', 'scope', 'refresh_token', 'grant_type']);
    assert.equal(form.get('refresh_token'), '');
    const issued = await request(em.caPem, `https://${host}${path(token.RequestUri)}`, {
      method: 'POST',
      headers: { 'Content-Type': String(recordedHeader(token.RequestHeaders ?? {}, 'Content-Type')) },
      body: form.toString(),
    });
    assert.equal(issued.status, token.StatusCode, issued.text);
    assert.deepEqual(shapeDifferences(token.ResponseBody, issued.json(), [], '$', 'both'), []);

    const catalog = await request(em.caPem, `https://${host}${path(listed.RequestUri)}`, {
      headers: { Accept: 'application/json', Authorization: `Bearer ${issued.json<{ access_token: string }>().access_token}` },
    });
    assert.equal(catalog.status, listed.StatusCode, catalog.text);
    assert.deepEqual(catalog.json(), listed.ResponseBody);
    assert.deepEqual(em.log.entries().filter((r) => r.route === 'acr.token').map((r) => r.body), [{ scopes: ['registry:catalog:*'], granted: ['registry:catalog:*'] }]);
  });
});
