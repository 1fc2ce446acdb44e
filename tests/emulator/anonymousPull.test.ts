/**
 * Anonymous pull as ACR offers it: with `anonymousPullEnabled` anyone gets a token for the
 * read scopes without credentials; writes stay refused; off (the default), or with a user
 * name (admin credentials, never enabled here), the token route answers 401. The recorded
 * session itself is replayed in tests/contract/anonymousRecording.test.ts.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type Fixture } from '../../testkit/emulator';
import { ACCEPT_MANIFESTS, FORM, SUB_A, basicFixture, entraToken, form, request } from './support';

function withAnonymous(on: boolean, sku: 'Basic' | 'Standard' = 'Standard'): Fixture {
  const fixture = basicFixture();
  const src = fixture.subscriptions[0].registries?.[0];
  if (!src) throw new Error('basicFixture has a source registry');
  Object.assign(src, { sku, anonymousPullEnabled: on });
  return fixture;
}

async function anonymousToken(em: Emulator, scopes: string[], extra: Record<string, string> = {}) {
  const host = em.registry('src').loginServer;
  return request(em.caPem, `https://${host}/oauth2/token`, {
    method: 'POST',
    headers: FORM,
    body: form({ service: host, scope: scopes, refresh_token: '', grant_type: 'password', ...extra }),
  });
}

describe('emulator: anonymous pull', function () {
  let em: Emulator | undefined;
  afterEach(async () => em?.stop());

  it('on: read scopes without credentials, the manifest pulled; push and delete left out of the token', async function () {
    em = await startEmulator({ fixture: withAnonymous(true) });
    const issued = await anonymousToken(em, ['repository:app:pull,push,delete', 'repository:app:metadata_read']);
    assert.equal(issued.status, 200, issued.text);
    const host = em.registry('src').loginServer;
    const bearer = { Authorization: `Bearer ${issued.json<{ access_token: string }>().access_token}` };
    const pulled = await request(em.caPem, `https://${host}/v2/app/manifests/1.0`, { headers: { ...bearer, Accept: ACCEPT_MANIFESTS } });
    assert.equal(pulled.status, 200);
    const tags = await request(em.caPem, `https://${host}/acr/v1/app/_tags`, { headers: bearer });
    assert.equal(tags.status, 200);
    const pushed = await request(em.caPem, `https://${host}/v2/app/manifests/2.0`, {
      method: 'PUT',
      headers: { ...bearer, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
      body: pulled.text,
    });
    assert.equal(pushed.status, 401);
    assert.match(String(pushed.headers['www-authenticate']), /error="insufficient_scope"/);
    const [logged] = em.log.entries().filter((e) => e.route === 'acr.token');
    assert.deepEqual(logged?.body, { scopes: ['repository:app:pull,push,delete', 'repository:app:metadata_read'], granted: ['repository:app:pull', 'repository:app:metadata_read'] });
    assert.equal(em.registry('src').tags('app').has('2.0'), false, 'nothing written');
  });

  it('on: the registry’s ARM body says so', async function () {
    em = await startEmulator({ fixture: withAnonymous(true) });
    const arm = await entraToken(em, 'owner', em.armEndpoint);
    const res = await request(em.caPem, `${em.armEndpoint}/subscriptions/${SUB_A}/resourceGroups/src-rg/providers/Microsoft.ContainerRegistry/registries/src?api-version=2023-07-01`, {
      headers: { Authorization: `Bearer ${arm}` },
    });
    assert.equal(res.json<{ properties: { anonymousPullEnabled: boolean } }>().properties.anonymousPullEnabled, true);
  });

  it('off (the default), or with a user name: 401, no token', async function () {
    em = await startEmulator({ fixture: withAnonymous(false) });
    const off = await anonymousToken(em, ['repository:app:pull']);
    assert.equal(off.status, 401);
    await em.stop();
    em = await startEmulator({ fixture: withAnonymous(true) });
    const admin = await anonymousToken(em, ['repository:app:pull'], { username: 'src', password: 'guess' });
    assert.equal(admin.status, 401);
  });

  it('answers the distribution spec\'s GET token request too: anonymous on; Basic credentials it does not know, or anonymous off, refused', async function () {
    em = await startEmulator({ fixture: withAnonymous(true) });
    const host = em.registry('src').loginServer;
    const url = `https://${host}/oauth2/token?service=${encodeURIComponent(host)}&scope=${encodeURIComponent('repository:app:pull,push')}&scope=${encodeURIComponent('registry:catalog:*')}`;
    const issued = await request(em.caPem, url);
    assert.equal(issued.status, 200, issued.text);
    const [logged] = em.log.entries().filter((e) => e.route === 'acr.token' && e.method === 'GET');
    assert.deepEqual(logged?.body, { scopes: ['repository:app:pull,push', 'registry:catalog:*'], granted: ['repository:app:pull', 'registry:catalog:*'] });
    const basic = await request(em.caPem, url, { headers: { Authorization: `Basic ${Buffer.from('src:guess').toString('base64')}` } });
    assert.equal(basic.status, 401);
    await em.stop();
    em = await startEmulator({ fixture: withAnonymous(false) });
    const off = await request(em.caPem, `https://${em.registry('src').loginServer}/oauth2/token?service=${encodeURIComponent(em.registry('src').loginServer)}&scope=repository:app:pull`);
    assert.equal(off.status, 401);
  });

  it('a Basic registry cannot have it (Standard and Premium only)', async function () {
    em = undefined;
    await assert.rejects(startEmulator({ fixture: withAnonymous(true, 'Basic') }), /anonymous pull needs the Standard or Premium SKU/);
  });
});
