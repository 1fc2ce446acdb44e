import { strict as assert } from 'node:assert';
import { parseBearerChallenge } from '../../src/azure/dataplane/challenge';

describe('azure/dataplane/challenge', () => {
  it('reads realm and service as real ACR sends them', () => {
    assert.deepEqual(parseBearerChallenge('Bearer realm="https://myreg.azurecr.io/oauth2/token",service="myreg.azurecr.io"'), {
      realm: 'https://myreg.azurecr.io/oauth2/token',
      service: 'myreg.azurecr.io',
    });
  });

  it('reads the scope, also with a comma inside it', () => {
    const c = parseBearerChallenge(
      'Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io",scope="repository:library/hello-world:pull,push",error="invalid_token"',
    );
    assert.equal(c?.scope, 'repository:library/hello-world:pull,push');
    assert.equal(c?.error, 'invalid_token');
  });

  it('tolerates spaces after commas, a lower-case scheme and unquoted values', () => {
    const c = parseBearerChallenge('bearer realm="https://h/oauth2/token", service=h ,  scope="registry:catalog:*"');
    assert.deepEqual(c, { realm: 'https://h/oauth2/token', service: 'h', scope: 'registry:catalog:*' });
  });

  it('finds the Bearer challenge after another scheme', () => {
    const c = parseBearerChallenge('Basic realm="x", Bearer realm="https://h/oauth2/token",service="h"');
    assert.equal(c?.service, 'h');
  });

  it('gives undefined without realm or service, or without Bearer', () => {
    assert.equal(parseBearerChallenge(undefined), undefined);
    assert.equal(parseBearerChallenge(''), undefined);
    assert.equal(parseBearerChallenge('Basic realm="x"'), undefined);
    assert.equal(parseBearerChallenge('Bearer realm="https://h/oauth2/token"'), undefined);
  });
});
