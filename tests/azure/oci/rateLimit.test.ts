import { strict as assert } from 'node:assert';
import { retryAfterMs } from '../../../src/azure/oci/longWait';
import { allowanceOf, parseRateLimitHeader } from '../../../src/azure/oci/rateLimit';

describe("azure/oci: Docker Hub's rate-limit headers", () => {
  it('reads a count and its window', () => {
    assert.deepEqual(parseRateLimitHeader('100;w=21600'), { count: 100, windowSeconds: 21600 });
    assert.deepEqual(parseRateLimitHeader(' 76 ; w=21600 '), { count: 76, windowSeconds: 21600 });
    assert.deepEqual(parseRateLimitHeader('5000'), { count: 5000 });
    assert.deepEqual(parseRateLimitHeader('0;w=60;comment="x"'), { count: 0, windowSeconds: 60 });
  });

  it('reads nothing from what is not that shape', () => {
    for (const value of [undefined, null, '', 'many', '-1;w=5', 'w=21600', '1.5']) assert.equal(parseRateLimitHeader(value), undefined, String(value));
  });

  it('makes an allowance of remaining and limit, and none without a readable remaining', () => {
    assert.deepEqual(allowanceOf('76;w=21600', '100;w=21600'), { remaining: 76, limit: 100, windowSeconds: 21600 });
    assert.deepEqual(allowanceOf('3', undefined), { remaining: 3 });
    assert.deepEqual(allowanceOf('3', '10;w=60'), { remaining: 3, limit: 10, windowSeconds: 60 });
    assert.equal(allowanceOf(undefined, '100;w=21600'), undefined);
    assert.equal(allowanceOf('lots', '100;w=21600'), undefined);
  });
});

describe('azure/oci: how long a 429 asks to wait', () => {
  it('reads delta seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    assert.equal(retryAfterMs('120', now), 120_000);
    assert.equal(retryAfterMs(' 0 ', now), 0);
    assert.equal(retryAfterMs('Fri, 04 Dec 2026 12:10:00 GMT', now), 600_000);
    assert.equal(retryAfterMs('Fri, 04 Dec 2026 11:00:00 GMT', now), 0, 'a date gone by: no wait');
    for (const value of [undefined, null, '', 'soon', '-5']) assert.equal(retryAfterMs(value, now), undefined, String(value));
  });
});
