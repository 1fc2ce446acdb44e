import { strict as assert } from 'node:assert';
import { CATALOG_SCOPE, scopeForUrl } from '../../src/azure/dataplane/scopes';
import { jwtExpiresOnMs, jwtTenantId } from '../../src/azure/identity/jwt';

function jwt(claims: object): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.sig`;
}

describe('azure/dataplane/scopes and jwt', () => {
  it('derives the token scope from the data-plane URL', () => {
    const base = 'https://r.azurecr.io';
    assert.equal(scopeForUrl(`${base}/acr/v1/_catalog?n=1000`), CATALOG_SCOPE);
    assert.equal(scopeForUrl(`${base}/acr/v1/team%2Fapp/_tags?n=1000`), 'repository:team/app:metadata_read');
    assert.equal(scopeForUrl(`${base}/acr/v1/app/_manifests/sha256%3Aab`), 'repository:app:metadata_read');
    assert.equal(scopeForUrl(`${base}/acr/v1/team%2Fapp`), 'repository:team/app:metadata_read', 'the repository\'s attributes');
    assert.equal(scopeForUrl(`${base}/acr/v1/app/_other`), undefined);
    assert.equal(scopeForUrl(`${base}/v2/team/app/manifests/1.0`), 'repository:team/app:pull');
    assert.equal(scopeForUrl(`${base}/v2/team/app/referrers/sha256:ab`), 'repository:team/app:pull');
    assert.equal(scopeForUrl(`${base}/v2/team/app/blobs/sha256:ab`), 'repository:team/app:pull');
    // Listing tags is metadata on ACR, not content (Azure/acr#690).
    assert.equal(scopeForUrl(`${base}/v2/team/app/tags/list?n=1000`), 'repository:team/app:metadata_read');
    assert.equal(scopeForUrl(`${base}/v2/team%2Fapp/tags/list`), 'repository:team/app:metadata_read');
    assert.equal(scopeForUrl(`${base}/v2/team/app/blobs/uploads/`), undefined, 'uploads need pull,push: the challenge says so');
    assert.equal(scopeForUrl(`${base}/v2/`), undefined);
    assert.equal(scopeForUrl(`${base}/oauth2/token`), undefined);
  });

  it('reads exp and tid without verifying', () => {
    assert.equal(jwtExpiresOnMs(jwt({ exp: 1700000000 })), 1700000000000);
    assert.equal(jwtTenantId(jwt({ tid: 'tenant-a' })), 'tenant-a');
    assert.equal(jwtExpiresOnMs('not-a-jwt'), undefined);
    assert.equal(jwtTenantId(jwt({})), undefined);
  });
});
