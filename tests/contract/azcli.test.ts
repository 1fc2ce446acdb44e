/**
 * Replays the requests the real Azure CLI 2.45 sent (paths, queries, form fields in their
 * order, headers) and checks the emulator answers the way az needs (azcli/README.md): a
 * `/v2/` challenge az's strict parser reads, exchange and token bodies, Link headers whose
 * query az replays as is, and an import LRO az can poll. The responses in these files came
 * from a stand-in and are not compared; the Link form is the one real ACR recordings show.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture, type TagFixture } from '../../testkit/emulator';
import { TENANT, entraToken, principal, request, type HttpResult } from '../emulator/support';
import { readContract } from './support';

const SUB = 'aaaaaaaa-0000-4000-8000-000000000001';
const RECORDED_ACR = 'srcreg.acr.test';
const RECORDED_DST = 'dstreg.acr.test';

interface AzExchange {
  n: number;
  listener: 'aad' | 'arm' | 'acr';
  request: {
    method: string;
    url: string;
    host: string;
    path: string;
    query: string;
    headers: Record<string, string>;
    body: null | { json: unknown } | { form: Record<string, string>; form_field_order: string[] };
  };
  response: { status: number };
}

function fixture(): Fixture {
  const repositories: Record<string, Record<string, TagFixture>> = {
    app: { '1.0': { content: { kind: 'image', seed: 'app-1.0' } } },
    big: {},
  };
  for (let i = 0; i < 104; i++) repositories.big[`t${String(i).padStart(3, '0')}`] = { content: { kind: 'image', seed: `big-${i}` } };
  for (let i = 0; i < 103; i++) repositories[`team/svc-${String(i).padStart(3, '0')}`] = { v1: { content: { kind: 'image', seed: `svc-${i}` } } };
  return {
    principals: [principal('c11e47a1-0000-4000-8000-0000000000c1', [{ role: 'Owner', scope: `/subscriptions/${SUB}` }])],
    subscriptions: [
      {
        id: SUB,
        tenantId: TENANT,
        registries: [
          { name: 'srcreg', resourceGroup: 'src-rg', repositories },
          { name: 'dstreg', resourceGroup: 'dst-rg', sku: 'Standard' },
        ],
      },
    ],
  };
}

const CLIENT = 'c11e47a1-0000-4000-8000-0000000000c1';

/** Headers az sent, minus those the transport sets itself and the (redacted) credential. */
function forwardedHeaders(headers: Record<string, string>): Record<string, string> {
  const skip = new Set(['host', 'authorization', 'content-length', 'connection', 'accept-encoding']);
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !skip.has(k.toLowerCase())));
}

class AzReplay {
  arm = '';
  entraArm = '';
  refresh = '';
  access = '';
  constructor(readonly em: Emulator) {}

  async init(): Promise<void> {
    // az's ARM token: audience https://management.core.windows.net/ (also used for the exchange).
    this.entraArm = await entraToken(this.em, CLIENT, 'https://management.core.windows.net/');
  }

  /** The emulator's host for a recorded one: ARM for the ARM listener, else the registry. */
  hostFor(x: AzExchange): string {
    if (x.listener === 'arm') return new URL(this.em.armEndpoint).host;
    if (x.request.host === RECORDED_ACR) return this.em.registry('srcreg').loginServer;
    if (x.request.host === RECORDED_DST) return this.em.registry('dstreg').loginServer;
    throw new Error(`no emulated host for ${x.request.host}`);
  }

  /** Sends one az request; `url` overrides the recorded URL (for a Location az got live). */
  async send(x: AzExchange, url?: string): Promise<HttpResult> {
    const r = x.request;
    const target = url ?? `https://${this.hostFor(x)}${r.path}${r.query ? `?${r.query}` : ''}`;
    const headers = forwardedHeaders(r.headers);
    if (r.headers.Authorization) headers.Authorization = `Bearer ${x.listener === 'arm' ? this.entraArm : this.access}`;
    let body: string | undefined;
    if (r.body && 'form' in r.body) {
      const host = this.hostFor(x);
      const out = new URLSearchParams();
      for (const k of r.body.form_field_order) {
        const v = r.body.form[k] ?? '';
        if (k === 'access_token') out.append(k, this.entraArm);
        else if (k === 'refresh_token') out.append(k, this.refresh);
        else if (k === 'service') out.append(k, host);
        else out.append(k, v);
      }
      body = out.toString();
    } else if (r.body && 'json' in r.body) {
      body = JSON.stringify(r.body.json);
    }
    const res = await request(this.em.caPem, target, { method: r.method, headers, body });
    if (res.status === 200 && r.path === '/oauth2/exchange') this.refresh = res.json<{ refresh_token: string }>().refresh_token;
    if (res.status === 200 && r.path === '/oauth2/token') this.access = res.json<{ access_token: string }>().access_token;
    return res;
  }
}

/** What az's challenge parser accepts: split on the first space, then on commas, no space after them. */
function parseLikeAz(header: string): Record<string, string> {
  const [scheme, rest = ''] = [header.slice(0, header.indexOf(' ')), header.slice(header.indexOf(' ') + 1)];
  assert.equal(scheme, 'Bearer');
  return Object.fromEntries(
    rest.split(',').map((part) => {
      const [k = '', v = ''] = part.split('=');
      assert.equal(k, k.trim(), 'no space after a comma');
      return [k, v.replace(/^"|"$/g, '')];
    }),
  );
}

describe('contract: Azure CLI 2.45 requests', function () {
  let em: Emulator;
  before(async function () {
    // Imports run until the replay lands them (completeImports), where az waited its Retry-After.
    em = await startEmulator({ fixture: fixture(), importRetryAfterSeconds: 1, importDurationMs: 600_000 });
  });
  after(() => em.stop());

  it('login-sp: az’s token request (its field order, MSAL’s claims) and its GET /subscriptions?api-version=2019-11-01', async function () {
    const [, openid, token, subscriptions] = readContract<AzExchange[]>('azcli/login-sp.json');
    // (#1 is MSAL's instance discovery at login.microsoftonline.com itself, which no test can reach.)
    const config = await request(em.caPem, `${em.authorityHost}${openid.request.path}`, { headers: forwardedHeaders(openid.request.headers) });
    assert.equal(config.status, 200);
    const form = token.request.body as { form: Record<string, string>; form_field_order: string[] };
    const body = new URLSearchParams(form.form_field_order.map((k): [string, string] => [k, k === 'client_secret' ? `secret-of-${CLIENT}` : (form.form[k] ?? '')]));
    const issued = await request(em.caPem, `${em.authorityHost}${token.request.path}`, { method: 'POST', headers: { ...forwardedHeaders(token.request.headers), 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    assert.equal(issued.status, 200, issued.text);
    const access = issued.json<{ access_token: string; expires_in: number; token_type: string }>();
    assert.equal(access.token_type, 'Bearer');
    const listed = await request(em.caPem, `${em.armEndpoint}${subscriptions.request.path}?${subscriptions.request.query}`, {
      headers: { ...forwardedHeaders(subscriptions.request.headers), Authorization: `Bearer ${access.access_token}` },
    });
    assert.equal(listed.status, 200, listed.text);
    // What az made of the recorded answer (_commands.json): id, name, state, tenantId, managedByTenants per subscription.
    const [sub] = listed.json<{ value: { subscriptionId: string; displayName: string; state: string; tenantId: string; managedByTenants: unknown[] }[] }>().value;
    assert.deepEqual([sub?.subscriptionId, sub?.state, sub?.tenantId, sub?.managedByTenants], [SUB, 'Enabled', TENANT, []]);
    assert.equal(typeof sub?.displayName, 'string');
  });

  it('cloud-register-autodetect: az’s unauthenticated GET /metadata/endpoints?api-version=2015-01-01', async function () {
    const [x] = readContract<AzExchange[]>('azcli/cloud-register-autodetect.json');
    const res = await request(em.caPem, `${em.armEndpoint}${x.request.path}?${x.request.query}`, { headers: forwardedHeaders(x.request.headers) });
    assert.equal(res.status, 200);
    // az cloud register reads these four (azure/cli/core/cloud.py, the 2015 form).
    const meta = res.json<{ galleryEndpoint: string; graphEndpoint: string; authentication: { loginEndpoint: string; audiences: string[] } }>();
    assert.equal(meta.authentication.loginEndpoint, `${em.authorityHost}/`);
    assert.equal(meta.authentication.audiences[0], 'https://management.core.windows.net/');
    assert.ok(meta.galleryEndpoint && meta.graphEndpoint);
  });

  it('acr-repository-list: resources list, registry get, challenge, exchange, token, two /v2/_catalog pages', async function () {
    const az = new AzReplay(em);
    await az.init();
    const exchanges = readContract<AzExchange[]>('azcli/acr-repository-list.json');
    const host = em.registry('srcreg').loginServer;
    for (const x of exchanges) {
      const res = await az.send(x);
      const where = `#${x.n} ${x.request.method} ${x.request.path}`;
      assert.equal(res.status, x.response.status, `${where}: ${res.text}`);
      if (x.request.path.endsWith('/resources')) {
        const srcreg = res.json<{ value: { id: string; name: string }[] }>().value.find((v) => v.name === 'srcreg');
        assert.match(srcreg?.id ?? '', /\/resourceGroups\/src-rg\//);
      } else if (x.listener === 'arm') {
        const body = res.json<{ sku: { name: string }; properties: { loginServer: string; policies: { azureADAuthenticationAsArmPolicy: { status: string } } } }>();
        assert.equal(body.properties.loginServer, host);
        assert.equal(body.sku.name, 'Premium');
        assert.equal(body.properties.policies.azureADAuthenticationAsArmPolicy.status, 'enabled');
      } else if (x.request.path === '/v2/') {
        const challenge = parseLikeAz(String(res.headers['www-authenticate']));
        assert.deepEqual(challenge, { realm: `https://${host}/oauth2/token`, service: host });
      } else if (x.request.path === '/v2/_catalog' && x.request.query === 'n=100') {
        assert.equal(res.json<{ repositories: string[] }>().repositories.length, 100);
        assert.equal(res.headers.link, '</v2/_catalog?last=team%2Fsvc-097&n=100&orderby=>; rel="next"');
        // az rebuilds the next request from the Link's query: exactly the next recorded request.
        const next = exchanges.find((e) => e.n === x.n + 1);
        const linkQuery = /\?([^>]+)>/.exec(String(res.headers.link))?.[1];
        assert.equal(next?.request.query, linkQuery);
      } else if (x.request.path === '/v2/_catalog') {
        assert.deepEqual(res.json(), { repositories: ['team/svc-098', 'team/svc-099', 'team/svc-100', 'team/svc-101', 'team/svc-102'] });
        assert.equal(res.headers.link, undefined);
      }
    }
  });

  it('acr-repository-show-tags-paged-orderby: timedesc kept across pages', async function () {
    const az = new AzReplay(em);
    await az.init();
    for (const x of readContract<AzExchange[]>('azcli/acr-repository-show-tags-paged-orderby.json')) {
      const res = await az.send(x);
      assert.equal(res.status, x.response.status, `#${x.n} ${x.request.path}`);
      if (x.request.query === 'n=100&orderby=timedesc') {
        const names = res.json<{ tags: { name: string }[] }>().tags.map((t) => t.name);
        assert.equal(names[0], 't103');
        assert.equal(res.headers.link, '</acr/v1/big/_tags?last=t004&n=100&orderby=timedesc>; rel="next"');
      } else if (x.request.query.startsWith('last=')) {
        assert.deepEqual(res.json<{ tags: { name: string }[] }>().tags.map((t) => t.name), ['t003', 't002', 't001', 't000']);
      }
    }
  });

  it('acr-import: az’s POST is accepted, its immediate poll runs, the next succeeds, the tag lands', async function () {
    const az = new AzReplay(em);
    await az.init();
    let location = '';
    let polls = 0;
    for (const x of readContract<AzExchange[]>('azcli/acr-import.json')) {
      const isPoll = x.request.path.includes('/operationResults/');
      // az polls at once, then after Retry-After (1 s, recorded): the import lands in that wait.
      if (isPoll && polls++ > 0) em.completeImports();
      const res = await az.send(x, isPoll ? location : undefined);
      assert.equal(res.status, x.response.status, `#${x.n} ${x.request.method} ${x.request.path}: ${res.text}`);
      if (x.request.path.endsWith('/importImage')) {
        assert.equal(x.request.headers.Accept, '*/*');
        location = String(res.headers.location);
        assert.ok(location.startsWith(`${em.armEndpoint}/subscriptions/${SUB}/providers/Microsoft.ContainerRegistry/locations/WESTUS/operationResults/`));
        assert.equal(new URL(location).searchParams.get('api-version'), '2022-02-01-preview');
        assert.equal(res.headers['retry-after'], '1');
      }
    }
    assert.equal(em.registry('dstreg').tags('app').get('1.0'), em.registry('srcreg').tags('app').get('1.0'));
  });
});
