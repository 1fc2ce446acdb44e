/**
 * The registry's address comes from ARM's answer and receives the registry's Entra token, so it
 * must be under the cloud's registry domain (or the one configured).
 */
import { strict as assert } from 'node:assert';
import { AzureChinaCloud, AzurePublicCloud, AzureUSGovernment, customizeCloud } from '../../src/azure/cloud';
import { checkRegistryAddress, RegistryAddressRefused } from '../../src/azure/registryAddress';
import type { RegistryRef } from '../../src/azure/registryRef';

const ref = (loginServer: string): RegistryRef => ({ name: 'contosoprod', id: '/subscriptions/x', subscriptionId: 'x', resourceGroup: 'rg', loginServer });

describe('registry address check', () => {
  it("accepts login servers under the cloud's registry domain", () => {
    checkRegistryAddress(ref('contosoprod.azurecr.io'), 'source', AzurePublicCloud);
    checkRegistryAddress(ref('ContosoProd.AzureCR.io'), 'source', AzurePublicCloud);
    checkRegistryAddress(ref('contosoprod.azurecr.us'), 'source', AzureUSGovernment);
    checkRegistryAddress(ref('contosoprod.azurecr.cn'), 'target', AzureChinaCloud);
  });

  const refused: Array<[string, string]> = [
    ['another domain', 'contosoprod.example.com'],
    ['a look-alike suffix', 'contosoprod.azurecr.io.example.com'],
    ['a domain that only ends like it', 'contosoprodazurecr.io'],
    ['another cloud', 'contosoprod.azurecr.cn'],
    ['an address', '203.0.113.7'],
    ['a path smuggled in', 'evil.example.com/x.azurecr.io'],
    ['user info smuggled in', 'x.azurecr.io@evil.example.com'],
  ];
  for (const [what, loginServer] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => checkRegistryAddress(ref(loginServer), 'source', AzurePublicCloud),
        (e: unknown) => e instanceof RegistryAddressRefused && e.host === loginServer && e.domain === 'azurecr.io' && /no token is sent there/.test(e.message),
      );
    });
  }

  it('takes a configured domain instead (a private DNS zone, Azure Stack Hub, the emulator)', () => {
    const stack = customizeCloud(AzurePublicCloud, { registryDomain: '.azsacr.contoso.local' });
    checkRegistryAddress(ref('contosoprod.azsacr.contoso.local'), 'source', stack);
    assert.throws(() => checkRegistryAddress(ref('contosoprod.azurecr.io'), 'source', stack), RegistryAddressRefused);
    checkRegistryAddress(ref('127.0.0.1:8443'), 'target', customizeCloud(AzurePublicCloud, { registryDomain: '127.0.0.1' }));
  });
});
