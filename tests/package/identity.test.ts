/** The private-build identity: name-based UUIDs (RFC 4122 version 5) and derived task names. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './support/paths';

interface Identity {
  isPrivate: boolean;
  publisher: string;
  extensionId: string;
  task: { id: string; name: string; friendlyName: string };
}
interface IdentityModule {
  uuidV5(namespace: string, name: string): string;
  packageIdentity(manifest: object, task: object, override?: { publisher?: string; extensionId?: string }): Identity;
}

const manifest = { publisher: 'acr-transfer', id: 'acr-transfer', name: 'ACR Transfer' };
const task = { id: '65cf7c57-8038-463e-9977-19886d4bae77', name: 'AcrTransfer', friendlyName: 'ACR Transfer' };

describe('package identity', () => {
  let identity: IdentityModule;
  before(async () => {
    identity = (await import(pathToFileURL(join(repoRoot, 'scripts', 'lib', 'identity.mjs')).href)) as IdentityModule;
  });

  it('computes version 5 UUIDs (the RFC 4122 DNS example)', () => {
    assert.equal(identity.uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('keeps the public identity when nothing is overridden', () => {
    const same = identity.packageIdentity(manifest, task, {});
    assert.equal(same.isPrivate, false);
    assert.deepEqual(same.task, task);
  });

  it('gives a private build its own task id and name, the same on every build', () => {
    const dev = identity.packageIdentity(manifest, task, { extensionId: 'acr-transfer-dev' });
    assert.equal(dev.isPrivate, true);
    assert.equal(dev.task.name, 'AcrTransferDev');
    assert.notEqual(dev.task.id, task.id);
    assert.equal(dev.task.id, identity.packageIdentity(manifest, task, { extensionId: 'acr-transfer-dev' }).task.id);
    const otherPublisher = identity.packageIdentity(manifest, task, { publisher: 'contoso' });
    assert.equal(otherPublisher.task.name, 'AcrTransferContoso');
    assert.notEqual(otherPublisher.task.id, dev.task.id);
  });

  it('keeps a derived friendlyName within 40 characters', () => {
    const long = identity.packageIdentity(manifest, task, { extensionId: 'acr-transfer-a-very-long-private-extension-id' });
    assert.ok(long.task.friendlyName.length <= 40, long.task.friendlyName);
  });

  it('refuses ids the marketplace would refuse', () => {
    assert.throws(() => identity.packageIdentity(manifest, task, { publisher: 'my org' }), /letters, digits/);
  });
});
