/**
 * az 2.45's read commands, replayed: `acr show`, `acr repository list` / `show-tags`,
 * `acr manifest list-metadata` (by name, by FQDN, `--top`), another subscription's registry,
 * and `acr login --expose-token`. Each data-plane command starts with the same five steps
 * (assertDataPlaneSetup); then the listing az prints (`_commands.json` stdout), compared by
 * what it holds, not by the stand-in's digests and dates. Link headers must carry a query az
 * can replay as is: the next recorded request.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../testkit/emulator';
import { claimsOf } from '../../emulator/support';
import { shapeDifferences } from '../support';
import { AzReplay, assertDataPlaneSetup, assertRecordedStatuses, azFixture, command, recording, type Step } from './azReplay';

const last = (steps: readonly Step[]): Step => steps[steps.length - 1];
/** The query of a Link header, which az replays as its next request. */
const linkQuery = (link: unknown): string | undefined => /\?([^>]+)>/.exec(String(link))?.[1];

interface TagEntry {
  name: string;
  digest: string;
}
interface ManifestEntry {
  digest: string;
  tags?: string[];
}

describe('contract: az 2.45 reads registries (acr show, repository, manifest, login --expose-token)', function () {
  let em: Emulator;
  let az: AzReplay;
  before(async function () {
    em = await startEmulator({ fixture: azFixture() });
    // The recorded `app` also held one untagged image (list-metadata printed three manifests).
    em.registry('srcreg').push('app', 'gone', { kind: 'image', format: 'docker', seed: 'app-untagged' });
    em.registry('srcreg').deleteTag('app', 'gone');
    az = await new AzReplay(em).signIn();
  });
  after(() => em.stop());

  it('acr-show: the resources list gives the group, the registry GET what az prints', async function () {
    const steps = await az.replay(recording('acr-show'));
    assertRecordedStatuses(steps);
    assertDataPlaneSetup(em, steps, 'srcreg');
    const body = steps[1].res.json<{ id: string; properties: Record<string, unknown> } & Record<string, unknown>>();
    // az flattens `properties` and adds `resourceGroup` from `id`.
    const flat: Record<string, unknown> = { ...body, ...body.properties, resourceGroup: /\/resourceGroups\/([^/]+)\//.exec(body.id)?.[1] };
    const printed = command('acr-show').stdout as Record<string, unknown>;
    const same = ['id', 'name', 'type', 'location', 'resourceGroup', 'sku', 'tags', 'adminUserEnabled', 'anonymousPullEnabled', 'dataEndpointEnabled'];
    same.push('dataEndpointHostNames', 'privateEndpointConnections', 'provisioningState', 'publicNetworkAccess', 'networkRuleBypassOptions', 'status', 'zoneRedundancy');
    for (const key of same) assert.deepEqual(flat[key], printed[key], key);
    assert.equal(flat.loginServer, em.registry('srcreg').loginServer);
    // Printed, but from fields the RegistryGet spec example has not either: identity, systemData, encryption.keyVaultProperties.
  });

  it('acr-repository-list: the catalog in two pages, the Link’s query is az’s next request', async function () {
    const steps = await az.replay(recording('acr-repository-list'));
    assertRecordedStatuses(steps);
    assertDataPlaneSetup(em, steps, 'srcreg');
    const [first, second] = steps.slice(-2);
    assert.equal(first.res.headers.link, '</v2/_catalog?last=team%2Fsvc-097&n=100&orderby=>; rel="next"');
    assert.equal(linkQuery(first.res.headers.link), second.x.request.query);
    assert.equal(second.res.headers.link, undefined);
    const names = [first, second].flatMap((s) => s.res.json<{ repositories: string[] }>().repositories);
    assert.deepEqual(names, command('acr-repository-list').stdout);
  });

  it('acr-repository-show-tags-paged-orderby: timedesc kept across pages, the Link’s query is az’s next request', async function () {
    const steps = await az.replay(recording('acr-repository-show-tags-paged-orderby'));
    assertRecordedStatuses(steps);
    const [first, second] = steps.slice(-2);
    assert.equal(first.res.headers.link, '</acr/v1/big/_tags?last=t004&n=100&orderby=timedesc>; rel="next"');
    assert.equal(linkQuery(first.res.headers.link), second.x.request.query);
    const names = [first, second].flatMap((s) => s.res.json<{ tags: TagEntry[] }>().tags.map((t) => t.name));
    assert.equal(names.length, 104);
    assert.deepEqual(names.slice(0, 2), ['t103', 't102']);
    assert.deepEqual(names.slice(-4), ['t003', 't002', 't001', 't000']);
  });

  it('acr-repository-show-tags-detail: every field az prints, 1.0 and latest on one digest', async function () {
    const steps = await az.replay(recording('acr-repository-show-tags-detail'));
    assertRecordedStatuses(steps);
    assertDataPlaneSetup(em, steps, 'srcreg');
    const tags = last(steps).res.json<{ tags: TagEntry[] }>().tags;
    const printed = command('acr-repository-show-tags-detail').stdout as TagEntry[];
    assert.deepEqual(tags.map((t) => t.name), printed.map((t) => t.name));
    for (const t of tags) assert.deepEqual(shapeDifferences(printed[0], t), [], t.name);
    const digest = Object.fromEntries(tags.map((t) => [t.name, t.digest]));
    assert.equal(digest['1.0'], digest.latest);
    assert.notEqual(digest['1.0'], digest['1.1']);
    assert.equal(digest['1.0'], em.registry('srcreg').tags('app').get('1.0'));
  });

  for (const name of ['acr-manifest-list-metadata', 'acr-manifest-list-metadata-fqdn']) {
    it(`${name}: every manifest of app with the fields az prints, tagged and untagged`, async function () {
      const steps = await az.replay(recording(name));
      assertRecordedStatuses(steps);
      assertDataPlaneSetup(em, steps, 'srcreg');
      const manifests = last(steps).res.json<{ manifests: ManifestEntry[] }>().manifests;
      const printed = command(name).stdout as ManifestEntry[];
      const tagSets = (list: ManifestEntry[]): string[] => list.map((m) => (m.tags ?? []).join(',')).sort();
      assert.deepEqual(tagSets(manifests), tagSets(printed));
      const tagged = printed.find((m) => m.tags);
      // quarantineState comes only with a quarantine policy or a scan (recordings); not modelled.
      const ignore = ['$.changeableAttributes.quarantineState', '$.tags'];
      for (const m of manifests) assert.deepEqual(shapeDifferences(tagged, m, ignore), [], m.digest);
    });
  }

  it('acr-manifest-list-metadata-top: --top 3 asks n=3 and gets three; az ignores the Link', async function () {
    const steps = await az.replay(recording('acr-manifest-list-metadata-top'));
    assertRecordedStatuses(steps);
    assertDataPlaneSetup(em, steps, 'srcreg');
    assert.equal(last(steps).res.json<{ manifests: ManifestEntry[] }>().manifests.length, (command('acr-manifest-list-metadata-top').stdout as unknown[]).length);
    assert.match(String(last(steps).res.headers.link), /n=3/);
  });

  it('acr-repository-show-tags-other-subscription: --subscription B for the ARM calls, srcregb’s tags', async function () {
    const steps = await az.replay(recording('acr-repository-show-tags-other-subscription'));
    assertRecordedStatuses(steps);
    assertDataPlaneSetup(em, steps, 'srcregb');
    const tags = last(steps).res.json<{ tags: TagEntry[] }>().tags;
    assert.deepEqual(tags.map((t) => t.name), (command('acr-repository-show-tags-other-subscription').stdout as TagEntry[]).map((t) => t.name));
    assert.deepEqual(new Map(tags.map((t) => [t.name, t.digest])), em.registry('srcregb').tags('app'));
  });

  it('acr-login-expose-token: stops at the exchange; the refresh token az prints as accessToken is the registry’s', async function () {
    const steps = await az.replay(recording('acr-login-expose-token'));
    assertRecordedStatuses(steps);
    assertDataPlaneSetup(em, steps, 'srcreg');
    const claims = claimsOf(last(steps).res.json<{ refresh_token: string }>().refresh_token);
    assert.deepEqual([claims.aud, claims.grant_type], [em.registry('srcreg').loginServer, 'refresh_token']);
  });
});
