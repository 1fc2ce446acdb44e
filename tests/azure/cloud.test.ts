import { strict as assert } from 'node:assert';
import {
  acrScope,
  armScope,
  AzureChinaCloud,
  AzurePublicCloud,
  AzureUSGovernment,
  cloudByName,
  customizeCloud,
  defaultScope,
  isWellKnownAuthority,
} from '../../src/azure/cloud';

describe('azure/cloud', () => {
  it('has the public cloud endpoints as default values', () => {
    assert.equal(AzurePublicCloud.armEndpoint, 'https://management.azure.com');
    assert.equal(AzurePublicCloud.authorityHost, 'https://login.microsoftonline.com');
    assert.equal(AzurePublicCloud.acrAudience, 'https://containerregistry.azure.net');
    assert.equal(armScope(AzurePublicCloud), 'https://management.azure.com/.default');
    assert.equal(acrScope(AzurePublicCloud), 'https://containerregistry.azure.net/.default');
  });

  it('builds scopes without a double slash', () => {
    assert.equal(defaultScope('https://management.core.windows.net/'), 'https://management.core.windows.net/.default');
  });

  it('finds clouds by the names az and the SDKs use', () => {
    assert.equal(cloudByName('AzureCloud'), AzurePublicCloud);
    assert.equal(cloudByName('azurepubliccloud'), AzurePublicCloud);
    assert.equal(cloudByName('AzureUSGovernment'), AzureUSGovernment);
    assert.equal(cloudByName('AzureChinaCloud'), AzureChinaCloud);
    assert.equal(cloudByName('Mars'), undefined);
  });

  it('overrides any field and marks the result custom', () => {
    const emulator = customizeCloud(AzurePublicCloud, {
      armEndpoint: 'https://127.0.0.1:4000/',
      authorityHost: 'https://127.0.0.1:4001',
      acrAudience: undefined,
    });
    assert.equal(emulator.armEndpoint, 'https://127.0.0.1:4000');
    assert.equal(emulator.authorityHost, 'https://127.0.0.1:4001');
    assert.equal(emulator.acrAudience, AzurePublicCloud.acrAudience);
    assert.equal(emulator.name, 'AzureCloud (custom)');
    assert.equal(customizeCloud(AzurePublicCloud, { name: 'Emu', armEndpoint: 'https://x' }).name, 'Emu');
    assert.equal(customizeCloud(AzurePublicCloud, {}).name, 'AzureCloud');
  });

  it('asks for ARM tokens for an ARM audience of its own when one is given (Azure Stack Hub), else for the endpoint', () => {
    const stack = customizeCloud(AzurePublicCloud, {
      name: 'AzureStack',
      armEndpoint: 'https://management.local.azurestack.external/',
      armAudience: 'https://management.contoso.onmicrosoft.com/6f1c9b3a-52d7-4bd3-9c1e-2f4f1d7a8e10/',
    });
    assert.equal(stack.armAudience, 'https://management.contoso.onmicrosoft.com/6f1c9b3a-52d7-4bd3-9c1e-2f4f1d7a8e10');
    assert.equal(armScope(stack), 'https://management.contoso.onmicrosoft.com/6f1c9b3a-52d7-4bd3-9c1e-2f4f1d7a8e10/.default');
    // The ARM URL given again as the audience (what azure-arm-rest reports outside Azure Stack) is not kept.
    const same = customizeCloud(AzureUSGovernment, { armEndpoint: 'https://management.usgovcloudapi.net', armAudience: 'https://management.usgovcloudapi.net/' });
    assert.equal('armAudience' in same, false);
    assert.equal(armScope(same), 'https://management.usgovcloudapi.net/.default');
    assert.equal(same.name, 'AzureUSGovernment', 'still the known cloud');
  });

  it('uses the registry audience of the public cloud in US Government and China as well (decision 010)', () => {
    assert.equal(acrScope(AzureUSGovernment), 'https://containerregistry.azure.net/.default');
    assert.equal(acrScope(AzureChinaCloud), 'https://containerregistry.azure.net/.default');
  });

  it('knows which authorities are Azure’s own', () => {
    assert.equal(isWellKnownAuthority(AzurePublicCloud), true);
    assert.equal(isWellKnownAuthority(AzureUSGovernment), true);
    assert.equal(isWellKnownAuthority(AzureChinaCloud), true);
    assert.equal(isWellKnownAuthority(customizeCloud(AzurePublicCloud, { authorityHost: 'https://127.0.0.1:4001' })), false);
    assert.equal(isWellKnownAuthority(customizeCloud(AzurePublicCloud, { authorityHost: 'https://login.microsoftonline.com:8443' })), false);
    assert.equal(isWellKnownAuthority(customizeCloud(AzurePublicCloud, { authorityHost: 'https://adfs.contoso.com/adfs' })), false);
  });
});
