/**
 * The pure parts of reading a connection: which sign-in its scheme asks for, and which cloud
 * it lives in (ARM URL, authority and registry audience).
 */
import { strict as assert } from 'node:assert';
import { authKindOf } from '../../../src/task/connections/connectionCredential';
import { connectionCloud } from '../../../src/task/connections/connectionCloud';
import { ConnectionError } from '../../../src/task/connections/connectionError';

describe('task connections: scheme and cloud', function () {
  it('maps the agent’s schemes to the four ways to sign in, as azure-arm-rest reads them', function () {
    assert.equal(authKindOf('ServicePrincipal', 'spnKey'), 'secret');
    assert.equal(authKindOf('ServicePrincipal', undefined), 'secret');
    assert.equal(authKindOf('serviceprincipal', 'spnCertificate'), 'certificate');
    assert.equal(authKindOf(undefined, undefined), 'secret', 'no scheme means a service principal');
    assert.equal(authKindOf('ManagedServiceIdentity', undefined), 'managedIdentity');
    assert.equal(authKindOf('WorkloadIdentityFederation', undefined), 'workloadIdentity');
    assert.equal(authKindOf('PublishProfile', undefined), undefined);
    assert.equal(authKindOf('UsernamePassword', undefined), undefined);
  });

  it('takes ARM and the authority from the connection, without trailing slashes', function () {
    const cloud = connectionCloud({
      displayName: 'source',
      environment: 'AzureCloud',
      armUrl: 'https://management.azure.com/',
      authority: 'https://login.microsoftonline.com/',
    });
    assert.deepEqual({ ...cloud }, {
      name: 'AzureCloud',
      armEndpoint: 'https://management.azure.com',
      authorityHost: 'https://login.microsoftonline.com',
      acrAudience: 'https://containerregistry.azure.net',
      registryDomain: 'azurecr.io',
    });
  });

  it('uses a sovereign cloud’s own authority when the connection names none', function () {
    const cloud = connectionCloud({ displayName: 'target', environment: 'AzureUSGovernment', armUrl: 'https://management.usgovcloudapi.net/' });
    assert.equal(cloud.name, 'AzureUSGovernment');
    assert.equal(cloud.armEndpoint, 'https://management.usgovcloudapi.net');
    assert.equal(cloud.authorityHost, 'https://login.microsoftonline.us');
    assert.equal(cloud.acrAudience, 'https://containerregistry.azure.net');
  });

  it('keeps a custom ARM URL and authority (Azure Stack, the emulator) and takes an audience override', function () {
    const cloud = connectionCloud(
      { displayName: 'source', environment: 'AzureStack', armUrl: 'https://management.local.azurestack.external/', authority: 'https://login.local.example/' },
      'https://containerregistry.local.example/',
    );
    assert.equal(cloud.name, 'AzureStack');
    assert.equal(cloud.armEndpoint, 'https://management.local.azurestack.external');
    assert.equal(cloud.authorityHost, 'https://login.local.example');
    assert.equal(cloud.acrAudience, 'https://containerregistry.local.example');
    const unnamed = connectionCloud({ displayName: 'source', armUrl: 'https://127.0.0.1:4443/' });
    assert.equal(unnamed.authorityHost, 'https://login.microsoftonline.com', 'no environment: the public authority, as azure-arm-rest');
  });

  it('takes Azure Stack Hub’s ARM audience as azure-arm-rest reads it, and ignores one equal to the ARM URL', function () {
    const stack = connectionCloud({
      displayName: 'source',
      environment: 'AzureStack',
      armUrl: 'https://management.local.azurestack.external/',
      authority: 'https://login.microsoftonline.com/',
      armAudience: 'https://management.contoso.onmicrosoft.com/6f1c9b3a-52d7-4bd3-9c1e-2f4f1d7a8e10',
    });
    assert.equal(stack.armAudience, 'https://management.contoso.onmicrosoft.com/6f1c9b3a-52d7-4bd3-9c1e-2f4f1d7a8e10');
    const publicCloud = connectionCloud({ displayName: 'source', environment: 'AzureCloud', armUrl: 'https://management.azure.com/', armAudience: 'https://management.azure.com/' });
    assert.equal(publicCloud.armAudience, undefined);
    assert.equal(publicCloud.name, 'AzureCloud');
  });

  it('refuses a connection without a usable https ARM URL, naming the side only', function () {
    for (const armUrl of [undefined, '', 'not a url', 'http://management.azure.com/', 'https://management.azure.com/?x=1']) {
      assert.throws(
        () => connectionCloud({ displayName: 'target', environment: 'AzureCloud', ...(armUrl !== undefined ? { armUrl } : {}) }),
        (e: unknown) => e instanceof ConnectionError && e.key === 'BadArmUrl' && e.message === 'The target service connection has no valid Azure Resource Manager URL.',
        String(armUrl),
      );
    }
  });

  it('gives every problem a task.json message key and an English line with the arguments filled in', function () {
    const error = new ConnectionError('SchemeUnsupported', ['source', 'PublishProfile']);
    assert.equal(error.messageKey, 'Connection_SchemeUnsupported');
    assert.deepEqual(error.args, ['source', 'PublishProfile']);
    assert.match(error.message, /^The source service connection uses the authentication scheme 'PublishProfile'/);
    assert.ok(!error.message.includes('%s'));
  });
});
