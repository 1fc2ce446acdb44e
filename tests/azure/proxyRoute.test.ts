/**
 * HTTPS_PROXY / NO_PROXY as the Azure SDK reads them (@typespec/ts-http-runtime's proxyPolicy,
 * under core-rest-pipeline 1.24): which variable wins, and what a NO_PROXY entry matches.
 */
import { strict as assert } from 'node:assert';
import { envProxyResolver, proxyUrlOf } from '../../src/azure/http/proxyRoute';

describe('azure/proxyRoute: HTTPS_PROXY and NO_PROXY', () => {
  const direct = (env: Record<string, string>, url: string): boolean => envProxyResolver(env)?.(url) === undefined;

  it('takes HTTPS_PROXY, else ALL_PROXY, else HTTP_PROXY, upper case before lower case, for https and http alike', () => {
    assert.equal(envProxyResolver({}), undefined);
    assert.equal(envProxyResolver({ HTTPS_PROXY: 'http://a:1', HTTP_PROXY: 'http://c:3', ALL_PROXY: 'http://b:2' })?.('https://x/')?.host, 'a:1');
    assert.equal(envProxyResolver({ HTTP_PROXY: 'http://c:3', ALL_PROXY: 'http://b:2' })?.('https://x/')?.host, 'b:2');
    assert.equal(envProxyResolver({ http_proxy: 'http://c:3' })?.('http://x/')?.host, 'c:3');
    assert.equal(envProxyResolver({ HTTPS_PROXY: 'http://A:1', https_proxy: 'http://a:9' })?.('https://x/')?.host, 'a:1');
    assert.equal(proxyUrlOf('proxy.corp:8080').href, 'http://proxy.corp:8080/');
  });

  it('matches NO_PROXY entries as the SDK does: exact host names, leading dots for a domain and its names', () => {
    const env = { HTTPS_PROXY: 'http://p:1', NO_PROXY: ' .corp.example , registry.azurecr.io,10.0.0.1,*,contoso.azurecr.io:443,Upper.Example' };
    assert.ok(direct(env, 'https://corp.example/'), 'the domain itself');
    assert.ok(direct(env, 'https://a.b.corp.example/'), 'a name under it');
    assert.ok(!direct(env, 'https://notcorp.example/'), 'not a suffix without the dot');
    assert.ok(direct(env, 'https://registry.azurecr.io/v2/'));
    assert.ok(!direct(env, 'https://other.registry.azurecr.io/v2/'), 'an entry without a dot is one host');
    assert.ok(direct(env, 'https://10.0.0.1:8443/'), 'the port of the URL does not matter');
    assert.ok(!direct(env, 'https://anything.example/'), 'a `*` entry matches nothing');
    assert.ok(!direct(env, 'https://contoso.azurecr.io/'), 'an entry with a port matches nothing');
    assert.ok(direct(env, 'https://upper.example/'), 'host names compared without regard to case');
    assert.ok(direct({ HTTPS_PROXY: 'http://p:1', no_proxy: 'x.example' }, 'https://x.example/'), 'no_proxy in lower case');
  });
});
