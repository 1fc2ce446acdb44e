import { strict as assert } from 'node:assert';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { EarlyRenewalCredential, renewingEarly } from '../../src/azure/identity/earlyRenewal';

function jwt(expSeconds: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ exp: expSeconds })}.sig`;
}

function handing(token: AccessToken | null): TokenCredential {
  return { getToken: () => Promise.resolve(token) };
}

describe('azure/earlyRenewal', () => {
  it("hands on the token's own exp less a quarter of its lifetime, when that is earlier than reported", async () => {
    const now = Date.now();
    const exp = Math.floor(now / 1000) + 2; // what a 2-second token's `exp` says, rounded down
    const reported = now + 2000; // what the credential says: received + expires_in
    const token = await new EarlyRenewalCredential(handing({ token: jwt(exp), expiresOnTimestamp: reported })).getToken('scope/.default');
    const lifetime = exp * 1000 - now;
    assert.ok(token !== null);
    assert.ok(Math.abs(token.expiresOnTimestamp - (exp * 1000 - lifetime / 4)) < 50, `${token.expiresOnTimestamp - now} ms from now`);
    assert.ok(token.expiresOnTimestamp < reported);
  });

  it('renews a long-lived token one minute early at most', async () => {
    const now = Date.now();
    const expMs = now + 3600_000;
    const token = await new EarlyRenewalCredential(handing({ token: jwt(Math.floor(expMs / 1000)), expiresOnTimestamp: expMs })).getToken('s');
    assert.ok(token !== null);
    assert.ok(Math.abs(token.expiresOnTimestamp - (Math.floor(expMs / 1000) * 1000 - 60_000)) < 50);
  });

  it('keeps opaque tokens and nulls, and wraps once', async () => {
    const reported = Date.now() + 1000_000;
    const opaque = await new EarlyRenewalCredential(handing({ token: 'opaque', expiresOnTimestamp: reported })).getToken('s');
    assert.ok(opaque !== null && opaque.expiresOnTimestamp < reported && opaque.expiresOnTimestamp > reported - 61_000);
    assert.equal(await new EarlyRenewalCredential(handing(null)).getToken('s'), null);
    const once = renewingEarly(handing(null));
    assert.equal(renewingEarly(once), once);
  });
});
