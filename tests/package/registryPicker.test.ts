/**
 * The registry pickers of the classic form (task.json `dataSourceBindings`), evaluated against
 * the emulator's ARM registry list in pages of two: every registry of the connection's
 * subscription appears once, whichever casing a page's nextLink gives its skip token
 * (`$skipToken` as ARM and the emulator send it for this list, `$skiptoken` as the resource
 * groups list does, either one %-encoded) and whether the server's extractUrlQueryParameter
 * matches names with regard to case or not.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { SUB_A, SUB_B, TENANT, OTHER_TENANT, entraToken, principal, request } from '../emulator/support';
import { fillPicker, type DataSourceBinding } from './support/bindingTemplates';
import { taskJsonFile } from './support/paths';
import { readJson } from './support/taskJson';

const bindings = readJson<{ dataSourceBindings: DataSourceBinding[] }>(taskJsonFile).dataSourceBindings;
const NAMES = ['alpha01', 'bravo02', 'charlie03', 'delta04', 'echo05'];

function fixture(): Fixture {
  return {
    principals: [
      principal('picker', [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }]),
      { tenantId: OTHER_TENANT, clientId: 'elsewhere', secret: 'secret-of-elsewhere', roles: [{ role: 'Owner', scope: `/subscriptions/${SUB_B}` }] },
    ],
    subscriptions: [
      { id: SUB_A, tenantId: TENANT, registries: NAMES.map((name, i) => ({ name, resourceGroup: i % 2 === 0 ? 'rg-even' : 'rg-odd' })) },
      { id: SUB_B, tenantId: OTHER_TENANT, registries: [{ name: 'notmine', resourceGroup: 'rg-b' }] },
    ],
  };
}

/** The registry list binding as it was before issue 12, to show what it did. */
const BEFORE: DataSourceBinding = {
  ...bindings[0],
  endpointUrl: '{{{endpoint.url}}}/subscriptions/{{{endpoint.subscriptionId}}}/providers/Microsoft.ContainerRegistry/registries?$skiptoken={{{skiptoken}}}&api-version=2023-07-01',
  initialContextTemplate: '{"skiptoken": ""}',
  callbackContextTemplate: '{"skiptoken": "{{#getTokenValue response.nextLink}}{{extractUrlQueryParameter %24skiptoken}}{{/getTokenValue}}"}',
};

describe("task.json's registry pickers, paged", function () {
  this.timeout(60_000);
  let em: Emulator;
  let token: string;

  before(async () => {
    em = await startEmulator({ fixture: fixture(), armPageSize: 2, tokenLifetimeSeconds: 600 });
    token = await entraToken(em, 'picker', 'https://management.azure.com');
  });
  after(() => em.stop());

  /** GET as the server does with the connection's token; the nextLink's token renamed to `key`. */
  const getAs = (key: string) => async (url: string): Promise<unknown> => {
    // ARM takes the "//subscriptions" endpoint.url's trailing slash makes (Microsoft's own
    // bindings all have it); the emulator's router does not, so the slash is folded here.
    const answer = await request(em.caPem, url.replace(/^(https:\/\/[^/]+)\/\//, '$1/'), { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 200, `${url}: ${answer.status}`);
    const body = answer.json<{ nextLink?: string }>();
    if (body.nextLink !== undefined) {
      assert.match(body.nextLink, /[?&]\$skipToken=/, 'the emulator sends $skipToken');
      body.nextLink = body.nextLink.replace('$skipToken=', `${key}=`);
    }
    return body;
  };

  // endpoint.url of an Azure Resource Manager connection ends in "/", so the URL holds "//subscriptions".
  const endpoint = () => ({ url: `${em.armEndpoint}/`, subscriptionId: SUB_A });

  it('has one binding per registry input, each on its own connection', () => {
    assert.deepEqual(bindings.map((b) => [b.target, b.endpointId]), [
      ['sourceRegistry', '$(sourceConnection)'],
      ['targetRegistry', '$(targetConnection)'],
    ]);
  });

  for (const binding of bindings) {
    for (const key of ['$skipToken', '$skiptoken', '%24skipToken', '%24skiptoken']) {
      for (const caseSensitiveQueryNames of [true, false]) {
        it(`${binding.target}: lists every registry once when nextLink carries ${key} (names matched ${caseSensitiveQueryNames ? 'with' : 'without'} regard to case)`, async () => {
          const { items, urls } = await fillPicker(binding, endpoint(), getAs(key), { caseSensitiveQueryNames });
          assert.deepEqual(items.map((item) => item.Value), NAMES);
          assert.deepEqual(items[0], { Value: 'alpha01', DisplayValue: `alpha01 (${em.registry('alpha01').loginServer})` });
          assert.equal(urls.length, 3, 'five registries in pages of two');
          assert.doesNotMatch(urls[0], /skip/i, 'the first request carries no skip token');
          assert.ok(urls.slice(1).every((url) => /&\$skip[Tt]oken=[\w-]+$/.test(url)), urls.join('\n'));
        });
      }
    }
  }

  it('before issue 12, a case-sensitive server never got past the first page of a $skipToken list', async () => {
    const { items, urls } = await fillPicker(BEFORE, endpoint(), getAs('$skipToken'), { caseSensitiveQueryNames: true }, 5);
    assert.equal(urls.length, 5, 'the same first page, again and again');
    assert.deepEqual(new Set(items.map((item) => item.Value)), new Set(NAMES.slice(0, 2)));
  });
});
