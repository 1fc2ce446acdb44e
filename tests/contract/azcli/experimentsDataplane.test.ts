/**
 * The `experiment-dataplane-*` and `experiment-aad-as-arm-policy-disabled` recordings, whose
 * requests are still az's. A challenge with spaces or with a scope on `/v2/`, a `/v2/` that
 * answers 200, a catalog page without `Link`: behaviours Azure does not have, so the requests
 * go to the normal emulator and Azure's answer is asserted, not the experiment's (a `/v2/`
 * 401 whose challenge az's strict parser reads: realm and service only, as real ACR sends it;
 * a Link on every page that has a next one). The policy experiment has its matching fixture
 * setting (`azureADAuthenticationAsArmPolicy: 'disabled'`): az reads it from the registry and
 * asks Entra for a token of the registries' audience (MSAL's alias discovery first, on
 * entra.discovery), which the exchange takes where it refuses the ARM one.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../testkit/emulator';
import { FORM, claimsOf, form, request } from '../../emulator/support';
import { AzReplay, TENANT, assertDataPlaneSetup, assertRecordedStatuses, azFixture, command, recording } from './azReplay';

describe('contract: az 2.45 data-plane experiments, against Azure’s behaviour', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: azFixture() });
  });
  after(() => em.stop());

  for (const name of ['experiment-dataplane-challenge-with-spaces', 'experiment-dataplane-v2-challenge-scope-with-comma', 'experiment-dataplane-v2-without-challenge']) {
    it(`${name}: Azure’s /v2/ is a 401 with the challenge az parses (asserted, not the experiment’s answer)`, async function () {
      const steps = await (await new AzReplay(em).signIn()).replay(recording(name));
      // The ARM steps got what az got; `/v2/` gets Azure's 401 (assertDataPlaneSetup) where the stand-in sent its variant.
      assertRecordedStatuses(steps.filter((s) => s.x.listener === 'arm'));
      assertDataPlaneSetup(em, steps, 'srcreg');
      assert.equal(command(name).exit_code, 1, 'the stand-in’s variant made az fail');
    });
  }

  it('experiment-dataplane-no-link-header: Azure’s first catalog page carries the Link az follows (asserted, not the experiment’s: az stopped at 100)', async function () {
    const steps = await (await new AzReplay(em).signIn()).replay(recording('experiment-dataplane-no-link-header'));
    assertRecordedStatuses(steps);
    assertDataPlaneSetup(em, steps, 'srcreg');
    const page = steps[steps.length - 1].res;
    assert.equal(page.json<{ repositories: string[] }>().repositories.length, command('experiment-dataplane-no-link-header').stdout);
    assert.equal(page.headers.link, '</v2/_catalog?last=team%2Fsvc-097&n=100&orderby=>; rel="next"');
  });
});

describe('contract: az 2.45 with azureADAuthenticationAsArmPolicy disabled (experiment-aad-as-arm-policy-disabled)', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: azFixture({ policy: 'disabled' }) });
  });
  after(() => em.stop());

  it('az reads the policy, discovers aliases, gets a token for the registries’ audience, exchanges it, lists the tags', async function () {
    const az = await new AzReplay(em).signIn();
    const steps = await az.replay(recording('experiment-aad-as-arm-policy-disabled'));
    assertRecordedStatuses(steps);
    assertDataPlaneSetup(em, steps, 'srcreg', 'disabled');
    const discovery = steps[5].res.json<{ metadata: { aliases: string[] }[] }>();
    assert.ok(discovery.metadata.length > 0, 'MSAL’s alias metadata (api-version 1.1)');
    assert.equal(claimsOf(az.entraToken('https://containerregistry.azure.net')).aud, 'https://containerregistry.azure.net');
    const tags = steps[steps.length - 1].res.json<{ tags: { name: string }[] }>().tags.map((t) => t.name);
    assert.deepEqual(tags, command('experiment-aad-as-arm-policy-disabled').stdout);
  });

  it('the ARM token az would otherwise send is refused at the exchange', async function () {
    const az = await new AzReplay(em).signIn();
    const host = em.registry('srcreg').loginServer;
    const body = form({ grant_type: 'access_token', service: host, tenant: TENANT, access_token: az.entraToken('https://management.core.windows.net/') });
    const res = await request(em.caPem, `https://${host}/oauth2/exchange`, { method: 'POST', headers: FORM, body });
    assert.equal(res.status, 401, res.text);
  });
});
