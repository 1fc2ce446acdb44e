/**
 * The command line on Azure Stack Hub: `--arm-endpoint` names the stamp's ARM, `--arm-audience`
 * the audience its ARM accepts (`https://management.<directory>/<guid>`), and every ARM token —
 * and the registry exchange's ARM-audience fallback — is asked for that audience.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator, type TokenRequestRecord } from '../../testkit/emulator';
import { registries, release, runCli, twoRegistries } from './support/cliHarness';

const STACK_AUDIENCE = 'https://management.contosostack.onmicrosoft.com/6f1c9b3a-52d7-4bd3-9c1e-2f4f1d7a8e10';

describe('cli: Azure Stack Hub ARM audience', function () {
  this.timeout(120_000);
  let em: Emulator;

  before(async () => {
    em = await startEmulator({ fixture: twoRegistries({ app: release('a', 'v1') }), extraArmAudiences: [STACK_AUDIENCE] });
  });
  after(() => em?.stop());

  const scopes = (): string[] =>
    em.log
      .entries()
      .filter((e) => e.route === 'entra.token' || e.route === 'entra.tokenV1')
      .map((e) => (e.body as TokenRequestRecord).scope ?? '');

  it('asks for ARM tokens for --arm-audience, never for the endpoint', async () => {
    const run = await runCli(em, [...registries(), '--arm-audience', STACK_AUDIENCE, '--dry-run']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(scopes().includes(`${STACK_AUDIENCE}/.default`), scopes().join(' '));
    assert.ok(!scopes().includes(`${em.armEndpoint}/.default`), scopes().join(' '));
  });
});
