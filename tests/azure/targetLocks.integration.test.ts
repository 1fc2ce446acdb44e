/**
 * The data-plane reader's lock reads over HTTPS against the emulator, with a real
 * ClientSecretCredential: a repository's own lock (`GET /acr/v1/{repo}`), one manifest's lock
 * (`_manifests/{digest}`) and the locked manifests of a listing across pages — one request
 * each (a page each for the listing), on the token the tag listing already holds.
 */
import { strict as assert } from 'node:assert';
import { createAcrRegistryReader } from '../../src/azure/dataplane/registryReader';
import { imageTags, principal, startHarness, SUB_A, TENANT, type Harness } from './support/emulatorHarness';

const READER = 'c11e47a1-0000-4000-8000-0000000000d1';

describe('azure/dataplane reader: locks above the tag (emulator)', function () {
  this.timeout(120_000);
  let h: Harness;

  before(async () => {
    h = await startHarness({
      fixture: {
        principals: [principal(READER, [{ role: 'AcrPull', scope: `/subscriptions/${SUB_A}` }])],
        subscriptions: [
          {
            id: SUB_A,
            tenantId: TENANT,
            registries: [
              {
                name: 'lockreg',
                resourceGroup: 'rg',
                repositories: {
                  'team/frozen': { v1: { content: { kind: 'image', seed: 'f' } } },
                  open: { a: { content: { kind: 'image', seed: 'a' } }, pinned: { content: { kind: 'image', seed: 'p' }, manifestWriteEnabled: false } },
                  // 1,201 manifests: the listing takes two pages.
                  big: { ...imageTags(1200), last: { content: { kind: 'image', seed: 'last' }, manifestWriteEnabled: false } },
                },
                lockedRepositories: ['team/frozen'],
              },
            ],
          },
        ],
      },
    });
  });
  after(async () => h?.stop());
  beforeEach(() => h.emulator.log.clear());

  const reader = () => createAcrRegistryReader(h.emulator.registry('lockreg'), h.credentialFor(READER), h.cloud, h.transport);
  const digest = (repo: string, tag: string): string => h.emulator.registry('lockreg').tags(repo).get(tag) ?? '';

  it('reads a repository lock in one request after its tag listing, and null for a missing repository', async () => {
    const r = reader();
    await r.listTags('team/frozen');
    h.emulator.log.clear();
    assert.equal(await r.repositoryWriteEnabled('team/frozen'), false);
    assert.deepEqual(
      h.emulator.log.entries().map((e) => [e.route, e.status, e.url]),
      [['acr.repository', 200, '/acr/v1/team%2Ffrozen']],
      'the tag listing\'s metadata_read token serves it: no challenge, no token request',
    );
    assert.equal(await r.repositoryWriteEnabled('open'), true);
    assert.equal(await r.repositoryWriteEnabled('nowhere'), null);
  });

  it('reads one manifest lock, null for a manifest or repository it does not hold', async () => {
    const r = reader();
    assert.equal(await r.manifestWriteEnabled('open', digest('open', 'pinned')), false);
    assert.equal(await r.manifestWriteEnabled('open', digest('open', 'a')), true);
    assert.equal(await r.manifestWriteEnabled('open', `sha256:${'0'.repeat(64)}`), null);
    assert.equal(await r.manifestWriteEnabled('nowhere', digest('open', 'a')), null);
    assert.equal(h.emulator.log.count('acr.manifestProperties', 200), 2);
  });

  it('lists the locked manifests of a repository across pages, one request per 1,000 manifests', async () => {
    const r = reader();
    assert.deepEqual([...(await r.listLockedManifests('big'))], [digest('big', 'last')]);
    assert.equal(h.emulator.log.count('acr.manifests', 200), 2);
    assert.deepEqual([...(await r.listLockedManifests('open'))], [digest('open', 'pinned')]);
    await assert.rejects(r.listLockedManifests('nowhere'), /listing the manifests of nowhere failed \(HTTP 404\): (NAME_UNKNOWN: )?repository name not known/);
  });
});
