import { strict as assert } from 'node:assert';
import { nextPageUrl } from '../../src/azure/dataplane/linkHeader';

const BASE = 'https://myreg.azurecr.io';

describe('azure/dataplane/linkHeader', () => {
  it('resolves a relative next link against the registry host, verbatim', () => {
    assert.equal(
      nextPageUrl('</acr/v1/library%2Fhello-world/_tags?last=latest&n=1000&orderby=>; rel="next"', BASE),
      'https://myreg.azurecr.io/acr/v1/library%2Fhello-world/_tags?last=latest&n=1000&orderby=',
    );
    assert.equal(nextPageUrl('</acr/v1/_catalog?last=team%2Fsvc-097&n=1000>; rel="next"', 'https://127.0.0.1:4443'), 'https://127.0.0.1:4443/acr/v1/_catalog?last=team%2Fsvc-097&n=1000');
  });

  it('accepts unquoted rel, other parameters and several links', () => {
    assert.equal(nextPageUrl('</a?x=1>; rel=prev, </b?last=a,b&n=2>; title="p, q"; rel=next', BASE), 'https://myreg.azurecr.io/b?last=a,b&n=2');
  });

  it('answers undefined on the last page', () => {
    assert.equal(nextPageUrl(undefined, BASE), undefined);
    assert.equal(nextPageUrl(null, BASE), undefined);
    assert.equal(nextPageUrl('</acr/v1/_catalog?last=z>; rel="prev"', BASE), undefined);
  });

  it('refuses a next link on another host', () => {
    assert.throws(() => nextPageUrl('<https://evil.example/acr/v1/_catalog?n=1>; rel="next"', BASE), /another host/);
  });
});
