/**
 * az 2.45's sign-in and cloud requests, replayed: `login-sp` (MSAL's instance discovery, the
 * OpenID configuration, the client-credentials POST in MSAL's field order, the subscription
 * list) and `cloud-register-autodetect` (the unauthenticated metadata endpoints).
 *
 * Not replayable, because they made no request at all (`_commands.json`: `requests: 0`,
 * checked below): `account-list`, `account-show`, `account-set`, `account-show-after-set`,
 * `account-set-back` and `account-get-access-token` answer from az's own MSAL cache;
 * `cloud-register` (every endpoint given) and `cloud-set` only write az's configuration;
 * `login-sp-without-login-microsoftonline-host` failed before its first request reached
 * anything: MSAL's discovery host login.microsoftonline.com could not be resolved.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../testkit/emulator';
import { AzReplay, SUB_A, SUB_B, TENANT, assertRecordedStatuses, azFixture, command, printedSubscriptions, recording, subscriptionsAsAzPrints } from './azReplay';

const NOT_REPLAYABLE = [
  'account-get-access-token',
  'account-list',
  'account-set',
  'account-set-back',
  'account-show',
  'account-show-after-set',
  'cloud-register',
  'cloud-set',
  'login-sp-without-login-microsoftonline-host',
];

describe('contract: az 2.45 signs in (login-sp, cloud-register-autodetect)', function () {
  let em: Emulator;
  before(async function () {
    em = await startEmulator({ fixture: azFixture() });
  });
  after(() => em.stop());

  it('login-sp: discovery (entra.discovery for login.microsoftonline.com), OpenID configuration, MSAL’s token POST, GET /subscriptions', async function () {
    const az = new AzReplay(em);
    const steps = await az.replay(recording('login-sp'));
    assertRecordedStatuses(steps);
    const [discovery, openid, token, subscriptions] = steps;
    // MSAL needs `tenant_discovery_endpoint`, and goes to it next: the recorded #2.
    assert.equal(discovery.res.json<{ tenant_discovery_endpoint: string }>().tenant_discovery_endpoint, `${em.authorityHost}${openid.x.request.path}`);
    const config = openid.res.json<{ token_endpoint: string; authorization_endpoint: string }>();
    assert.equal(config.token_endpoint, `${em.authorityHost}${token.x.request.path}`);
    assert.ok(config.authorization_endpoint);
    const issued = token.res.json<{ access_token: string; expires_in: number; token_type: string }>();
    assert.equal(issued.token_type, 'Bearer');
    assert.equal(typeof issued.expires_in, 'number');
    // What az printed: the subscriptions of the tenant the principal has a role in.
    assert.deepEqual(subscriptionsAsAzPrints(subscriptions.res), printedSubscriptions('login-sp'));
    assert.deepEqual(
      printedSubscriptions('login-sp').map((s) => [s.id, s.tenantId]),
      [
        [SUB_A, TENANT],
        [SUB_B, TENANT],
      ],
    );
  });

  it('cloud-register-autodetect: az’s unauthenticated GET /metadata/endpoints?api-version=2015-01-01', async function () {
    const [step] = await new AzReplay(em).replay(recording('cloud-register-autodetect'));
    assertRecordedStatuses([step]);
    // az cloud register reads these four (azure/cli/core/cloud.py, the 2015 form).
    const meta = step.res.json<{ galleryEndpoint: string; graphEndpoint: string; authentication: { loginEndpoint: string; audiences: string[] } }>();
    assert.equal(meta.authentication.loginEndpoint, `${em.authorityHost}/`);
    assert.equal(meta.authentication.audiences[0], 'https://management.core.windows.net/');
    assert.ok(meta.galleryEndpoint && meta.graphEndpoint);
  });

  it('the account and cloud commands without a request, and the sign-in that could not reach login.microsoftonline.com, sent nothing to replay', function () {
    for (const name of NOT_REPLAYABLE) assert.equal(command(name).requests, 0, name);
    assert.equal(command('login-sp-without-login-microsoftonline-host').exit_code, 1);
  });
});
