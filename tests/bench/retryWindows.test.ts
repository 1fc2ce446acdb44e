/**
 * The throttling figure of the benchmark (bench/retryWindows.ts) on hand-made request logs:
 * a retry inside [1, 1.2] × Retry-After passes; one sent early or late, one never sent, and a
 * refusal matched to the wrong request would each be caught.
 */
import { strict as assert } from 'node:assert';
import { describeRetryWindows, requestIdentity, retriesWithinWindow, retryWindows } from '../../bench/retryWindows';
import type { LoggedRequest } from '../../testkit/emulator/api';

let seq = 0;
function entry(e: Partial<LoggedRequest> & Pick<LoggedRequest, 'route' | 'status' | 'startedAt'>): LoggedRequest {
  seq += 1;
  return { seq, service: 'arm', method: 'POST', url: '/subscriptions/s/importImage', finishedAt: e.startedAt + 20, ...e };
}
const importOf = (image: string): unknown => ({ source: { sourceImage: image }, targetTags: [image], mode: 'NoForce' });
/** A refused import at `at` (answered 20 ms later with Retry-After `seconds`) and its retry `gapMs` after the answer. */
function refusedImport(image: string, at: number, seconds: number, gapMs: number, retryStatus = 202): LoggedRequest[] {
  const refusal = entry({ route: 'arm.importImage', status: 429, startedAt: at, body: importOf(image), retryAfter: String(seconds) });
  return [refusal, entry({ route: 'arm.importImage', status: retryStatus, startedAt: refusal.finishedAt + gapMs, body: importOf(image) })];
}

describe('bench/retryWindows', function () {
  it('retries between 1 and 1.2 × Retry-After after the refusal pass, with their spread', function () {
    const log = [...refusedImport('a:1', 0, 1, 1000), ...refusedImport('b:1', 5, 2, 2300), ...refusedImport('c:1', 10, 1, 1200)];
    const s = retryWindows(log);
    assert.deepEqual([s.refusals, s.retried, s.within, s.early, s.late, s.neverRetried], [3, 3, 3, 0, 0, 0]);
    assert.deepEqual([s.minRatio, s.medianRatio, s.maxRatio], [1, 1.15, 1.2]);
    assert.deepEqual(s.byRoute, { 'arm arm.importImage': 3 });
    assert.equal(retriesWithinWindow(s), true);
    assert.match(describeRetryWindows(s), /^3 refusals, 3 retried, 3 inside/);
  });

  it('measures from when the refusal was answered, not from when its write completed (the emulator’s loop may get to that later)', function () {
    // Answered at 20, its write completed at 32 (a busy emulator), retried at 1020: on time.
    const refusal = entry({ route: 'arm.importImage', status: 429, startedAt: 0, answeredAt: 20, finishedAt: 32, body: importOf('a:1'), retryAfter: '1' });
    const retry = entry({ route: 'arm.importImage', status: 202, startedAt: 1020, body: importOf('a:1') });
    const s = retryWindows([refusal, retry]);
    assert.deepEqual([s.within, s.early, s.minRatio], [1, 0, 1]);
    // Without answeredAt (an older log) the same retry reads 12 ms early.
    const older: LoggedRequest = { ...refusal, answeredAt: undefined };
    assert.equal(retryWindows([older, retry]).early, 1);
  });

  it('a retry before Retry-After is early, one after 1.2 × Retry-After (beyond the slack) late: not met', function () {
    const early = retryWindows([...refusedImport('a:1', 0, 1, 900), ...refusedImport('b:1', 0, 1, 1000)]);
    assert.deepEqual([early.early, early.late, early.within], [1, 0, 1]);
    assert.equal(retriesWithinWindow(early), false);
    assert.equal(early.outside[0]?.gapMs, 900);

    const late = retryWindows([...refusedImport('a:1', 0, 2, 2400 + 26)], 25);
    assert.deepEqual([late.early, late.late, late.within], [0, 1, 0]);
    assert.equal(retriesWithinWindow(late), false);
    assert.match(describeRetryWindows(late), /1 late.*outside: arm\.importImage 2\.43 s after Retry-After 2 s/);
    // Within the slack it counts as inside.
    assert.equal(retriesWithinWindow(retryWindows([...refusedImport('a:1', 0, 2, 2400 + 25)], 25)), true);
  });

  it('a refusal never sent again is counted and fails the target; no refusal at all is no evidence', function () {
    const [refusal] = refusedImport('a:1', 0, 1, 1000);
    const s = retryWindows([refusal]);
    assert.deepEqual([s.refusals, s.retried, s.neverRetried], [1, 0, 1]);
    assert.equal(retriesWithinWindow(s), false);
    assert.equal(retriesWithinWindow(retryWindows([entry({ route: 'arm.importImage', status: 202, startedAt: 0 })])), false);
  });

  it('matches each refusal to its own request: imports by body, data-plane reads by URL, token requests by scopes', function () {
    // Two imports refused together; the other import's POST comes first and must not count as a's retry.
    const a = entry({ route: 'arm.importImage', status: 429, startedAt: 0, body: importOf('a:1'), retryAfter: '1' });
    const b = entry({ route: 'arm.importImage', status: 202, startedAt: a.finishedAt + 100, body: importOf('b:1') });
    const aRetry = entry({ route: 'arm.importImage', status: 202, startedAt: a.finishedAt + 1100, body: importOf('a:1') });
    assert.deepEqual(retryWindows([a, b, aRetry]).outside, []);
    assert.equal(retryWindows([a, b, aRetry]).maxRatio, 1.1);

    const tags = (repo: string, status: number, startedAt: number, retryAfter?: string): LoggedRequest =>
      entry({ service: 'acr:src', route: 'acr.tags', method: 'GET', url: `/acr/v1/${repo}/_tags?n=1000`, status, startedAt, ...(retryAfter ? { retryAfter } : {}) });
    const token = (scopes: string[], status: number, startedAt: number, retryAfter?: string): LoggedRequest =>
      entry({ service: 'acr:src', route: 'acr.token', url: '/oauth2/token', status, startedAt, body: { scopes, granted: [] }, ...(retryAfter ? { retryAfter } : {}) });
    const log = [
      tags('x', 429, 0, '1'),
      tags('y', 200, 30), // another repository: not the retry
      tags('x', 200, 20 + 1050),
      token(['repository:x:pull', 'repository:y:pull'], 429, 0, '1'),
      token(['repository:z:pull'], 200, 40),
      token(['repository:y:pull', 'repository:x:pull'], 200, 20 + 500), // same scopes, sent early
    ];
    const s = retryWindows(log);
    assert.deepEqual([s.refusals, s.retried, s.within, s.early], [2, 2, 1, 1]);
    assert.equal(s.outside[0]?.route, 'acr.token');
    assert.notEqual(requestIdentity(log[0]), requestIdentity(log[1]));
  });

  it('a 429 without a usable Retry-After is counted apart and not judged', function () {
    const s = retryWindows([entry({ route: 'arm.importImage', status: 429, startedAt: 0, body: importOf('a:1') }), entry({ route: 'arm.importImage', status: 429, startedAt: 1, body: importOf('b:1'), retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' })]);
    assert.deepEqual([s.refusals, s.refusalsWithoutRetryAfter], [0, 2]);
  });
});
