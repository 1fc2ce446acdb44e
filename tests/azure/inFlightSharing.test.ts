import { strict as assert } from 'node:assert';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { InFlightSharingCredential } from '../../src/azure/identity/inFlightSharing';

/** A credential whose answers the test settles by hand, recording what it was asked. */
function manual(): { credential: TokenCredential; asked: string[]; settle(i: number, token: string | Error): void } {
  const asked: string[] = [];
  const pending: { resolve(t: AccessToken): void; reject(e: Error): void }[] = [];
  return {
    asked,
    credential: {
      getToken: (scopes: string | string[], options?: GetTokenOptions) => {
        asked.push(`${String(scopes)}${options?.claims ? ` claims=${options.claims}` : ''}${options?.enableCae ? ' cae' : ''}`);
        return new Promise<AccessToken>((resolve, reject) => pending.push({ resolve, reject }));
      },
    },
    settle(i, token) {
      if (token instanceof Error) pending[i].reject(token);
      else pending[i].resolve({ token, expiresOnTimestamp: Date.now() + 3600_000 });
    },
  };
}

describe('azure/identity in-flight sharing', () => {
  it('asks once for calls of the same scopes made while one is in flight, and hands each the same answer', async () => {
    const inner = manual();
    const shared = new InFlightSharingCredential(inner.credential);
    const first = shared.getToken('https://management.azure.com/.default', { enableCae: true });
    const second = shared.getToken(['https://management.azure.com/.default'], { enableCae: true });
    assert.deepEqual(inner.asked, ['https://management.azure.com/.default cae']);
    inner.settle(0, 'arm-token');
    assert.equal((await first)?.token, 'arm-token');
    assert.equal((await second)?.token, 'arm-token');
  });

  it('asks separately for another scope, other claims or another CAE choice', () => {
    const inner = manual();
    const shared = new InFlightSharingCredential(inner.credential);
    void shared.getToken('a/.default', { enableCae: true });
    void shared.getToken('b/.default', { enableCae: true });
    void shared.getToken('a/.default', { enableCae: true, claims: 'c1' });
    void shared.getToken('a/.default');
    assert.deepEqual(inner.asked, ['a/.default cae', 'b/.default cae', 'a/.default claims=c1 cae', 'a/.default']);
  });

  it('keeps no settled answer: a refusal is shared while in flight only, and the next call asks again', async () => {
    const inner = manual();
    const shared = new InFlightSharingCredential(inner.credential);
    const first = shared.getToken('a/.default');
    const second = shared.getToken('a/.default');
    inner.settle(0, new Error('AADSTS7000215: invalid client secret'));
    await assert.rejects(first, /AADSTS7000215/);
    await assert.rejects(second, /AADSTS7000215/);
    const third = shared.getToken('a/.default');
    assert.equal(inner.asked.length, 2);
    inner.settle(1, 'fresh');
    assert.equal((await third)?.token, 'fresh');
  });
});
