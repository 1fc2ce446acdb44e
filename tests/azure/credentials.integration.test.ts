/**
 * The command line's credentials against the emulator's Entra ID over HTTPS: the custom
 * authority with instance discovery off and the emulator's CA through tlsOptions.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { armScope } from '../../src/azure/cloud';
import { federatedTokenFileCredential } from '../../src/azure/identity/credentials';
import { selectCliCredential } from '../../src/cli/signIn';
import { principal, startHarness, SUB_A, TENANT, type Harness } from './support/emulatorHarness';

const SP = 'c11e47a1-0000-4000-8000-0000000000c1';
const WORKLOAD = 'c11e47a1-0000-4000-8000-0000000000f1';

describe('azure/credentials (emulator)', function () {
  this.timeout(60_000);
  let h: Harness;
  let dir: string;

  before(async () => {
    h = await startHarness({
      tokenLifetimeSeconds: 60,
      fixture: {
        principals: [
          principal(SP, [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }]),
          {
            tenantId: TENANT,
            clientId: WORKLOAD,
            federated: { issuer: 'https://vstoken.dev.azure.com/org', subject: 'sc://org/project/connection' },
            roles: [{ role: 'Reader', scope: `/subscriptions/${SUB_A}` }],
          },
        ],
        subscriptions: [{ id: SUB_A, tenantId: TENANT, registries: [] }],
      },
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acr-cred-'));
  });
  after(async () => {
    await h?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('selects the client secret from the environment and gets an ARM token offline', async () => {
    const selected = selectCliCredential(
      { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: SP, AZURE_CLIENT_SECRET: `secret-of-${SP}` },
      h.cloud,
      h.transport,
      { azOnPath: false },
    );
    assert.equal(selected.kind, 'client-secret');
    const token = await selected.credential.getToken(armScope(h.cloud));
    assert.ok(token && token.token.length > 20);
    assert.equal(h.emulator.log.count('entra.discovery'), 0, 'no instance discovery');
  });

  it('reads the federated token file on every token request', async () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, h.emulator.mintFederatedToken(WORKLOAD));
    const credential = federatedTokenFileCredential(TENANT, WORKLOAD, file, h.cloud, h.transport);
    assert.ok(await credential.getToken(armScope(h.cloud)));

    // Tokens of 60 s are inside MSAL's 5-minute refresh window: each call asks Entra again,
    // with whatever the file holds now.
    fs.writeFileSync(file, 'not-a-token');
    await assert.rejects(credential.getToken(armScope(h.cloud)));
    fs.writeFileSync(file, h.emulator.mintFederatedToken(WORKLOAD));
    assert.ok(await credential.getToken(armScope(h.cloud)));
  });
});
