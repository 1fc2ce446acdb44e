/**
 * az 2.45's managed identity (msrestazure, not azure-identity), replayed against the
 * emulator's identity endpoint: App Service's 2017-09-01 GET with the `secret` header
 * (`login-identity-appservice-2017`, `acr-repository-show-tags-with-identity`: six token
 * GETs, msrestazure caches nothing) and the Cloud Shell / VM extension POST with
 * `Metadata: true` (`login-identity-msi-endpoint-post`). The recorded `/msi/token` path is kept;
 * only the host is the emulator's. az decodes the token (without checking it) for its `tid`.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../testkit/emulator';
import { claimsOf, request } from '../../emulator/support';
import {
  AzReplay,
  MSI_CLIENT,
  TENANT,
  assertDataPlaneSetup,
  assertRecordedStatuses,
  azFixture,
  command,
  forwardedHeaders,
  printedSubscriptions,
  recording,
  subscriptionsAsAzPrints,
} from './azReplay';

/** az's own parse of App Service's `expires_on` (`_normalize_expires_on`: an epoch string, else `%m/%d/%Y %H:%M:%S %z`). */
function expiresOnLikeAz(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2}):(\d{2})$/.exec(text);
  assert.ok(m, `az cannot parse expires_on '${text}'`);
  const [, mo, d, y, h, mi, s, sign, oh, om] = m;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000 - offset;
}

describe('contract: az 2.45 with a managed identity (MSI_ENDPOINT, MSI_SECRET)', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: azFixture() });
  });
  after(() => em.stop());

  it('login-identity-appservice-2017: GET /msi/token/?resource=…&api-version=2017-09-01 with `secret`, then GET /subscriptions', async function () {
    const steps = await new AzReplay(em).replay(recording('login-identity-appservice-2017'));
    assertRecordedStatuses(steps);
    for (const { res } of steps.slice(0, 2)) {
      const body = res.json<{ access_token: string; expires_on: string; resource: string; token_type: string; client_id: string }>();
      const claims = claimsOf(body.access_token);
      assert.deepEqual([claims.tid, claims.appid, claims.aud], [TENANT, MSI_CLIENT, 'https://management.core.windows.net']);
      assert.equal(expiresOnLikeAz(body.expires_on), claims.exp);
      assert.match(body.expires_on, /^\d{2}\/\d{2}\/\d{4} /, 'App Service 2017-09-01 writes a date');
      assert.deepEqual([body.resource, body.token_type, body.client_id], ['https://management.core.windows.net/', 'Bearer', MSI_CLIENT]);
    }
    assert.deepEqual(subscriptionsAsAzPrints(steps[2].res), printedSubscriptions('login-identity-appservice-2017'));
  });

  it('login-identity-msi-endpoint-post: POST /msi/token, form resource, Metadata: true (Cloud Shell’s protocol), then GET /subscriptions', async function () {
    const steps = await new AzReplay(em).replay(recording('login-identity-msi-endpoint-post'));
    assertRecordedStatuses(steps);
    for (const { res } of steps.slice(0, 2)) {
      const body = res.json<{ access_token: string; expires_on: string; token_type: string }>();
      assert.equal(claimsOf(body.access_token).tid, TENANT);
      assert.equal(expiresOnLikeAz(body.expires_on), claimsOf(body.access_token).exp);
      assert.equal(body.token_type, 'Bearer');
    }
    assert.deepEqual(subscriptionsAsAzPrints(steps[2].res), printedSubscriptions('login-identity-msi-endpoint-post'));
  });

  it('acr-repository-show-tags-with-identity: six token GETs between the ARM and data-plane calls, the exchange takes the identity’s ARM token', async function () {
    const steps = await new AzReplay(em).replay(recording('acr-repository-show-tags-with-identity'));
    assertRecordedStatuses(steps);
    assertDataPlaneSetup(em, steps, 'srcreg');
    const tags = steps[steps.length - 1].res.json<{ tags: { name: string }[] }>().tags.map((t) => t.name);
    assert.deepEqual(tags, command('acr-repository-show-tags-with-identity').stdout);
  });

  it('the recorded requests without their proof are refused, as Azure refuses them: no or a wrong `secret` (401), no `Metadata: true` (400)', async function () {
    const [get] = recording('login-identity-appservice-2017');
    const url = `${new URL(em.managedIdentity.endpoint).origin}${get.request.path}?${get.request.query}`;
    assert.equal((await request(em.caPem, url, { headers: forwardedHeaders(get.request.headers) })).status, 401);
    assert.equal((await request(em.caPem, url, { headers: { ...forwardedHeaders(get.request.headers), secret: 'probe-msi-secret' } })).status, 401);
    const [post] = recording('login-identity-msi-endpoint-post');
    const withoutMetadata = Object.fromEntries(Object.entries(forwardedHeaders(post.request.headers)).filter(([k]) => k !== 'Metadata'));
    const body = new URLSearchParams({ resource: 'https://management.core.windows.net/' }).toString();
    const refused = await request(em.caPem, em.managedIdentity.endpoint, { method: 'POST', headers: withoutMetadata, body });
    assert.equal(refused.status, 400);
  });
});
