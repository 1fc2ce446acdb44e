import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureCliCredential, ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { AzurePublicCloud, customizeCloud } from '../../src/azure/cloud';
import { identityOptions } from '../../src/azure/identity/credentials';
import { innerCredential } from '../../src/azure/identity/explainedCredential';
import { CredentialSelectionError, isOnPath, selectCliCredential } from '../../src/cli/signIn';
import { createTransport, tlsOptionsOf, trustedCasOf } from '../../src/azure/http/transport';

const transport = createTransport({ version: 'test' });
const emulatorCloud = customizeCloud(AzurePublicCloud, { armEndpoint: 'https://127.0.0.1:1', authorityHost: 'https://127.0.0.1:2' });
const sp = { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c' };

describe('command-line sign-in (cli/signIn) and the shared credential options', () => {
  it('prefers a client secret, then a federated token file, then a certificate', () => {
    const all = { ...sp, AZURE_CLIENT_SECRET: 's', AZURE_FEDERATED_TOKEN_FILE: '/f', AZURE_CLIENT_CERTIFICATE_PATH: '/c.pem' };
    const secret = selectCliCredential(all, emulatorCloud, transport, { azOnPath: true });
    assert.equal(secret.kind, 'client-secret');
    assert.ok(innerCredential(secret.credential) instanceof ClientSecretCredential);

    const federated = selectCliCredential({ ...all, AZURE_CLIENT_SECRET: '' }, emulatorCloud, transport, { azOnPath: true });
    assert.equal(federated.kind, 'workload-identity');
    assert.ok(innerCredential(federated.credential) instanceof ClientAssertionCredential);

    const cert = selectCliCredential({ ...sp, AZURE_CLIENT_CERTIFICATE_PATH: '/c.pem' }, emulatorCloud, transport, { azOnPath: true });
    assert.equal(cert.kind, 'client-certificate');
    assert.ok(innerCredential(cert.credential) instanceof ClientCertificateCredential);
  });

  it('falls back to az when it is on PATH, then to managed identity in Azure clouds only', () => {
    const cli = selectCliCredential({}, emulatorCloud, transport, { azOnPath: true });
    assert.equal(cli.kind, 'azure-cli');
    assert.ok(cli.credential instanceof AzureCliCredential);

    const mi = selectCliCredential({ AZURE_CLIENT_ID: 'uami' }, AzurePublicCloud, transport, { azOnPath: false });
    assert.equal(mi.kind, 'managed-identity');
    assert.ok(innerCredential(mi.credential) instanceof ManagedIdentityCredential);
    assert.match(mi.description, /user-assigned/);

    assert.throws(
      () => selectCliCredential({}, emulatorCloud, transport, { azOnPath: false }),
      (e: unknown) => e instanceof CredentialSelectionError && /managed identity is not available/.test(e.message),
    );
    assert.throws(
      () => selectCliCredential({}, emulatorCloud, transport, { prefer: 'managed-identity' }),
      (e: unknown) => e instanceof CredentialSelectionError && /only available in Azure's own clouds/.test(e.message),
    );
  });

  it('a service principal needs tenant and client id; a forced kind needs its variables', () => {
    const noTenant = selectCliCredential({ AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' }, emulatorCloud, transport, { azOnPath: true });
    assert.equal(noTenant.kind, 'azure-cli');
    assert.throws(
      () => selectCliCredential({ ...sp }, emulatorCloud, transport, { prefer: 'client-secret' }),
      /AZURE_CLIENT_SECRET/,
    );
  });

  it('descriptions carry no ids or secrets', () => {
    const env = { AZURE_TENANT_ID: 'tenant-guid', AZURE_CLIENT_ID: 'client-guid', AZURE_CLIENT_SECRET: 'top-secret' };
    const { description } = selectCliCredential(env, emulatorCloud, transport, { azOnPath: false });
    for (const value of Object.values(env)) assert.ok(!description.includes(value));
  });

  it('gives credentials the cloud authority, no instance discovery for custom ones, and the CA', () => {
    const withCa = createTransport({ caPem: 'PEM' });
    const options = identityOptions(emulatorCloud, withCa);
    assert.equal(options.authorityHost, 'https://127.0.0.1:2');
    assert.equal(options.disableInstanceDiscovery, true);
    assert.ok(trustedCasOf(withCa)?.includes('PEM'));
    assert.ok(options.tlsOptions !== undefined && options.tlsOptions === tlsOptionsOf(withCa));
    assert.equal(identityOptions(AzurePublicCloud, transport).disableInstanceDiscovery, undefined);
  });

  it('finds executables on PATH without running them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acr-path-'));
    try {
      const file = path.join(dir, 'az');
      fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
      assert.equal(isOnPath('az', { PATH: dir }), true);
      assert.equal(isOnPath('az', { PATH: os.tmpdir() + path.delimiter + '/nonexistent' }), fs.existsSync(path.join(os.tmpdir(), 'az')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
