/**
 * The credential the task hands to the Azure clients: the scopes pass through unchanged,
 * every token is registered with the masker before it is returned (once per token), and a
 * failure becomes one line naming the connection.
 */
import { strict as assert } from 'node:assert';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { ConnectionError } from '../../../src/task/connections/connectionError';
import { MaskedCredential } from '../../../src/task/connections/maskedCredential';

class ScriptedCredential implements TokenCredential {
  readonly asked: string[][] = [];
  constructor(private readonly answer: (scopes: string[]) => AccessToken | Error) {}
  getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
    const list = Array.isArray(scopes) ? scopes : [scopes];
    this.asked.push(list);
    const answer = this.answer(list);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }
}

const token = (value: string): AccessToken => ({ token: value, expiresOnTimestamp: Date.now() + 60_000 });

describe('task connections: masked credential', function () {
  it('asks for exactly the scopes requested and masks each new token before returning it', async function () {
    const masked: string[] = [];
    // What the inner credential answers, in order: a renewal gives a new token, a cache hit the same.
    const answers = ['arm-1', 'acr-1', 'arm-1', 'arm-2'];
    const inner = new ScriptedCredential(() => token(answers.shift() ?? 'none'));
    const credential = new MaskedCredential(inner, { displayName: 'source', mask: (s) => masked.push(s) });
    const first = await credential.getToken('https://management.azure.com/.default');
    assert.deepEqual(masked, [first?.token], 'masked before the caller saw it');
    await credential.getToken(['https://containerregistry.azure.net/.default']);
    await credential.getToken('https://management.azure.com/.default');
    await credential.getToken('https://management.azure.com/.default');
    assert.deepEqual(inner.asked, [
      ['https://management.azure.com/.default'],
      ['https://containerregistry.azure.net/.default'],
      ['https://management.azure.com/.default'],
      ['https://management.azure.com/.default'],
    ]);
    assert.deepEqual(masked, ['arm-1', 'acr-1', 'arm-2'], 'each token once; a cached token is not announced again');
  });

  it('turns a failure into one line naming the connection', async function () {
    const inner = new ScriptedCredential(() => new Error('AADSTS7000215: Invalid client secret provided.\nTrace ID: 0f0e0d0c-0000-4000-8000-000000000001'));
    const credential = new MaskedCredential(inner, { displayName: 'target', mask: () => undefined });
    await assert.rejects(credential.getToken('https://management.azure.com/.default'), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.key, 'TokenFailed');
      assert.match(e.message, /^The target service connection could not get a token: AADSTS7000215: Invalid client secret provided\. Trace ID: \[redacted-id\]$/);
      return true;
    });
  });

  it('passes on a connection error from its callback, even when the SDK dropped the cause', async function () {
    const reason = new ConnectionError('IdTokenRefused', ['source', 'HTTP 401']);
    const wrapped = new ScriptedCredential(() => new Error('outer', { cause: reason }));
    await assert.rejects(new MaskedCredential(wrapped, { displayName: 'source', mask: () => undefined }).getToken('s/.default'), (e) => e === reason);
    const rethrown = new ScriptedCredential(() => new Error(reason.message));
    const credential = new MaskedCredential(rethrown, { displayName: 'source', mask: () => undefined, lastCallbackFailure: () => reason });
    await assert.rejects(credential.getToken('s/.default'), (e) => e === reason);
  });

  it('leaves a caller’s cancellation as it is', async function () {
    const abort = new AbortController();
    abort.abort();
    const cancelled = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    const credential = new MaskedCredential(new ScriptedCredential(() => cancelled), { displayName: 'source', mask: () => undefined });
    await assert.rejects(credential.getToken('s/.default', { abortSignal: abort.signal }), (e) => e === cancelled);
  });
});
