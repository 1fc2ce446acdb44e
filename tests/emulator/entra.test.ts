import { strict as assert } from 'node:assert';
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import { startEmulator, type Emulator } from '../../testkit/emulator';
import { FORM, OTHER_TENANT, SUB_A, TENANT, basicFixture, claimsOf, form, principal, request, sleep } from './support';

const ISSUER = 'https://vstoken.dev.azure.com/org-id';
const SUBJECT = 'sc://org/project/connection';

/** A self-signed RSA certificate and its key, as a certificate service connection holds them. */
async function rsaCertificate(): Promise<{ certPem: string; keyPem: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '0a', name: 'CN=cert-app', keys, signingAlgorithm: alg });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { certPem: cert.toString('pem'), keyPem };
}

describe('emulator: Entra ID', function () {
  let em: Emulator;
  let cert: { certPem: string; keyPem: string };
  let otherCert: { certPem: string; keyPem: string };

  before(async function () {
    [cert, otherCert] = await Promise.all([rsaCertificate(), rsaCertificate()]);
    const fixture = basicFixture();
    fixture.principals.push(
      principal('fed-app', [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }], { secret: undefined, federated: { issuer: ISSUER, subject: SUBJECT } }),
      principal('cert-app', [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }], { secret: undefined, certificatePem: cert.certPem }),
      { tenantId: OTHER_TENANT, clientId: 'foreign', secret: 'x', roles: [] },
    );
    em = await startEmulator({ fixture, tokenLifetimeSeconds: 120 });
  });
  after(() => em.stop());

  const tokenUrl = (tenant = TENANT): string => `${em.authorityHost}/${tenant}/oauth2/v2.0/token`;
  const postToken = (fields: Record<string, string>, tenant = TENANT) =>
    request(em.caPem, tokenUrl(tenant), { method: 'POST', headers: FORM, body: form(fields) });

  it('serves tenant metadata and MSAL instance discovery', async function () {
    const oidc = await request(em.caPem, `${em.authorityHost}/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.equal(oidc.status, 200);
    const doc = oidc.json<Record<string, string>>();
    assert.equal(doc.token_endpoint, tokenUrl());
    assert.equal(doc.issuer, `${em.authorityHost}/${TENANT}/v2.0`);
    for (const k of ['authorization_endpoint', 'jwks_uri']) assert.ok(doc[k]?.startsWith(em.authorityHost), k);

    const asked = `${em.authorityHost}/${TENANT}/oauth2/v2.0/authorize`;
    const disc = await request(em.caPem, `${em.authorityHost}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(asked)}`);
    assert.equal(disc.status, 200);
    const body = disc.json<{ tenant_discovery_endpoint: string; metadata: { aliases: string[] }[] }>();
    assert.equal(body.tenant_discovery_endpoint, `${em.authorityHost}/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.ok(body.metadata.some((m) => m.aliases.includes(new URL(em.authorityHost).host)));

    const unknown = await request(em.caPem, `${em.authorityHost}/no-such-tenant/v2.0/.well-known/openid-configuration`);
    assert.equal(unknown.status, 400);
    assert.match(unknown.json<{ error_description: string }>().error_description, /^AADSTS90002:/);
  });

  it('issues JWT-shaped tokens to @azure/identity ClientSecretCredential', async function () {
    const cred = new ClientSecretCredential(TENANT, 'owner', 'secret-of-owner', {
      authorityHost: em.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: em.caPem },
    });
    const token = await cred.getToken('https://management.azure.com/.default');
    assert.ok(token.token.split('.').length === 3);
    const claims = claimsOf(token.token);
    assert.equal(claims.aud, 'https://management.azure.com');
    assert.equal(claims.tid, TENANT);
    assert.equal(claims.appid, 'owner');
    assert.equal(claims.azp, 'owner');
    assert.match(String(claims.oid), /^[0-9a-f-]{36}$/);
    assert.equal(Number(claims.exp) - Number(claims.iat), 120);
    assert.ok(Math.abs(token.expiresOnTimestamp - Number(claims.exp) * 1000) < 5000);
  });

  it('answers the v2 shape and tolerates a double slash before /.default', async function () {
    const res = await postToken({ grant_type: 'client_credentials', client_id: 'owner', client_secret: 'secret-of-owner', scope: 'https://management.core.windows.net//.default' });
    assert.equal(res.status, 200);
    const body = res.json<Record<string, unknown>>();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 120);
    assert.equal(claimsOf(String(body.access_token)).aud, 'https://management.core.windows.net');
  });

  it('answers the v1 endpoint (ADAL): trailing slash, no Content-Type, resource=', async function () {
    const res = await request(em.caPem, `${em.authorityHost}/${TENANT}/oauth2/token/`, {
      method: 'POST',
      body: form({ grant_type: 'client_credentials', client_id: 'owner', client_secret: 'secret-of-owner', resource: `${em.armEndpoint}/` }),
    });
    assert.equal(res.status, 200, res.text);
    const body = res.json<Record<string, string>>();
    assert.equal(body.resource, `${em.armEndpoint}/`);
    assert.ok(Number(body.expires_on) > Date.now() / 1000);
    assert.equal(claimsOf(body.access_token ?? '').aud, em.armEndpoint);
  });

  it('refuses a wrong secret (AADSTS7000215), an unknown client (AADSTS700016), a scope without /.default', async function () {
    const wrong = await postToken({ grant_type: 'client_credentials', client_id: 'owner', client_secret: 'nope', scope: 'https://x/.default' });
    assert.equal(wrong.status, 401);
    const w = wrong.json<{ error: string; error_description: string; error_codes: number[] }>();
    assert.equal(w.error, 'invalid_client');
    assert.match(w.error_description, /^AADSTS7000215: /);
    assert.deepEqual(w.error_codes, [7000215]);

    const unknown = await postToken({ grant_type: 'client_credentials', client_id: 'ghost', client_secret: 'x', scope: 'https://x/.default' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json<{ error_description: string }>().error_description, /^AADSTS700016: Application with identifier 'ghost'/);

    const foreign = await postToken({ grant_type: 'client_credentials', client_id: 'foreign', client_secret: 'x', scope: 'https://x/.default' });
    assert.equal(foreign.status, 400, 'a client of another tenant is unknown in this one');

    const scope = await postToken({ grant_type: 'client_credentials', client_id: 'owner', client_secret: 'secret-of-owner', scope: 'https://x/user_impersonation' });
    assert.equal(scope.json<{ error: string }>().error, 'invalid_scope');
  });

  it('makes @azure/identity surface the Entra error', async function () {
    const cred = new ClientSecretCredential(TENANT, 'owner', 'wrong', { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } });
    await assert.rejects(cred.getToken('https://management.azure.com/.default'), /AADSTS7000215/);
  });

  it('accepts a federated ID token it minted (ClientAssertionCredential)', async function () {
    let calls = 0;
    const cred = new ClientAssertionCredential(
      TENANT,
      'fed-app',
      () => {
        calls += 1;
        return Promise.resolve(em.mintFederatedToken('fed-app'));
      },
      { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } },
    );
    const token = await cred.getToken(`${em.acrAudience}/.default`);
    assert.equal(claimsOf(token.token).aud, em.acrAudience);
    assert.equal(claimsOf(token.token).appid, 'fed-app');
    assert.ok(calls >= 1);
    const minted = claimsOf(em.mintFederatedToken('fed-app'));
    assert.equal(minted.iss, ISSUER);
    assert.equal(minted.sub, SUBJECT);
    assert.equal(minted.aud, 'api://AzureADTokenExchange');
  });

  it('refuses an expired federated token with AADSTS700024, and forged or mismatched ones', async function () {
    const assertion = (a: string) =>
      postToken({
        grant_type: 'client_credentials',
        client_id: 'fed-app',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: a,
        scope: 'https://management.azure.com/.default',
      });
    const expired = await assertion(em.mintFederatedToken('fed-app', -30));
    assert.equal(expired.status, 400);
    assert.match(expired.json<{ error_description: string }>().error_description, /^AADSTS700024: Client assertion is not within its valid time range/);

    const shortLived = em.mintFederatedToken('fed-app', 1);
    assert.equal((await assertion(shortLived)).status, 200);
    await sleep(1100);
    assert.equal((await assertion(shortLived)).status, 400, 'the same assertion a second later is expired');

    const good = em.mintFederatedToken('fed-app');
    const [h, c] = good.split('.');
    const forgedClaims = Buffer.from(JSON.stringify({ ...claimsOf(good), sub: 'sc://other' })).toString('base64url');
    const forged = await assertion(`${h}.${forgedClaims}.${good.split('.')[2]}`);
    assert.equal(forged.status, 400);
    assert.match(forged.json<{ error_description: string }>().error_description, /^AADSTS50013:/);
    assert.ok(c);
  });

  it('accepts a certificate credential (ClientCertificateCredential) and refuses another key', async function () {
    const cred = new ClientCertificateCredential(
      TENANT,
      'cert-app',
      { certificate: `${cert.certPem}\n${cert.keyPem}` },
      { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } },
    );
    const token = await cred.getToken('https://management.azure.com/.default');
    assert.equal(claimsOf(token.token).appid, 'cert-app');
    assert.equal(claimsOf(token.token).appidacr, '2');

    const impostor = new ClientCertificateCredential(
      TENANT,
      'cert-app',
      { certificate: `${otherCert.certPem}\n${otherCert.keyPem}` },
      { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } },
    );
    await assert.rejects(impostor.getToken('https://management.azure.com/.default'), /AADSTS700027/);
  });

  it('issues short-lived tokens when told, so clients must renew', async function () {
    em.setTokenLifetimeSeconds(1);
    try {
      const cred = new ClientSecretCredential(TENANT, 'owner', 'secret-of-owner', { authorityHost: em.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: em.caPem } });
      const first = await cred.getToken('https://management.azure.com/.default');
      assert.equal(Number(claimsOf(first.token).exp) - Number(claimsOf(first.token).iat), 1);
      await sleep(1100);
      const second = await cred.getToken('https://management.azure.com/.default');
      assert.notEqual(second.token, first.token, 'an expired token is not served from cache');
    } finally {
      em.setTokenLifetimeSeconds(120);
    }
  });
});
