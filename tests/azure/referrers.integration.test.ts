/**
 * The data-plane reader's referrers listing over HTTPS against the emulator: every page by
 * `Link`, each referrer's digest and artifact type, a pull token, a missing repository read as
 * "no referrers", the read-back by digest; and the answer shape holding a listing to what a
 * registry sends.
 */
import { strict as assert } from 'node:assert';
import { REFERRERS_PAGE } from '../../src/azure/dataplane/answerShapes';
import { createAcrRegistryReader } from '../../src/azure/dataplane/registryReader';
import { principal, startHarness, SUB_A, TENANT, type Harness } from './support/emulatorHarness';

const READER = 'c11e47a1-0000-4000-8000-0000000000d1';
const NOTATION = 'application/vnd.cncf.notary.signature';

describe('azure/dataplane reader: referrers (emulator)', function () {
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
                name: 'signedreg',
                resourceGroup: 'rg',
                repositories: {
                  app: { v1: { content: { kind: 'image', seed: 'app' }, referrers: [{ artifactType: NOTATION, seed: 'sig' }, { artifactType: 'application/spdx+json', seed: 'sbom' }] } },
                  busy: { v1: { content: { kind: 'image', seed: 'busy' } } },
                },
              },
            ],
          },
        ],
      },
    });
  });
  after(async () => h?.stop());
  const reader = () => createAcrRegistryReader(h.emulator.registry('signedreg'), h.credentialFor(READER), h.cloud, h.transport);

  it("lists a manifest's referrers with their artifact types, with a pull token", async () => {
    const registry = h.emulator.registry('signedreg');
    const subject = registry.tags('app').get('v1')!;
    h.emulator.log.clear();
    const found = await reader().listReferrers('app', subject);
    assert.deepEqual(
      found.map((r) => r.artifactType).sort(),
      ['application/spdx+json', NOTATION],
    );
    assert.deepEqual(found.map((r) => r.digest).sort(), registry.referrers('app', subject).map((d) => d.digest).sort());
    const scopes = h.emulator.log.entries().filter((e) => e.route === 'acr.token').map((e) => JSON.stringify(e.body));
    assert.ok(scopes.some((s) => s.includes('repository:app:pull')), scopes.join('\n'));
    assert.equal(await reader().hasManifest('app', found[0].digest), true);
    assert.equal(await reader().hasManifest('app', `sha256:${'0'.repeat(64)}`), false);
  });

  it('follows Link through every page, and reads a missing repository or an unreferred digest as none', async () => {
    const registry = h.emulator.registry('signedreg');
    const subject = registry.tags('busy').get('v1')!;
    for (let i = 0; i < 130; i++) registry.attach('busy', subject, { artifactType: NOTATION, seed: `sig-${i}` });
    h.emulator.log.clear();
    const found = await reader().listReferrers('busy', subject);
    assert.equal(found.length, 130);
    assert.equal(new Set(found.map((r) => r.digest)).size, 130);
    assert.equal(h.emulator.log.count('acr.referrers', 200), 2, 'two pages of at most 100 (and the first request meets the challenge)');
    assert.deepEqual(await reader().listReferrers('nothing/here', subject), []);
    assert.deepEqual(await reader().listReferrers('app', `sha256:${'1'.repeat(64)}`), []);
  });

  it('holds a referrers answer to its shape', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.deepEqual(REFERRERS_PAGE.read({ schemaVersion: 2, manifests: [{ digest, artifactType: NOTATION, size: 1 }] }), { ok: true, value: [{ digest, artifactType: NOTATION }] });
    assert.deepEqual(REFERRERS_PAGE.read({ schemaVersion: 2, manifests: null }), { ok: true, value: [] });
    assert.equal(REFERRERS_PAGE.read({}).ok, false, 'a body without "manifests" is no listing');
    assert.equal(REFERRERS_PAGE.read({ manifests: [{ artifactType: NOTATION }] }).ok, false);
    assert.equal(REFERRERS_PAGE.read({ manifests: [{ digest, artifactType: 7 }] }).ok, false);
  });
});
