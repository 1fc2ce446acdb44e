/**
 * A 429 that asks to wait longer than the transport's longest retry delay ends the request with
 * SourceRateLimited instead of a wait. core-rest-pipeline's throttling strategy waits whatever
 * Retry-After says, uncapped, and Docker Hub's spent pull allowance answers with the seconds
 * left in its six-hour window: a run would sleep for hours, six times over.
 *
 * A retry policy of its own, innermost in the Retry phase: it sees each 429 before the
 * pipeline's retry policies and throws a plain Error, which they pass on without retrying. The
 * request counter (nearer the wire) has counted the 429 as throttled by then.
 */
import { retryPolicy, type PipelinePolicy, type PipelineResponse, type RetryStrategy } from '@azure/core-rest-pipeline';
import { SourceRateLimited } from './errors';
import { allowanceOf } from './rateLimit';

/** What Retry-After asks, ms (delta seconds or an HTTP date); undefined when it says nothing readable. */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its weekday and month; Date.parse alone would read "-5" as a year.
  if (!/[A-Za-z]{3}/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

function allowanceText(response: PipelineResponse): string | undefined {
  const allowance = allowanceOf(response.headers.get('ratelimit-remaining'), response.headers.get('ratelimit-limit'));
  if (allowance === undefined) return undefined;
  const of = allowance.limit !== undefined ? ` of ${allowance.limit}` : '';
  const per = allowance.windowSeconds !== undefined ? ` per ${allowance.windowSeconds} s` : '';
  return `${allowance.remaining}${of}${per}`;
}

export function longWaitPolicy(host: string, maxWaitMs: number): PipelinePolicy {
  const strategy: RetryStrategy = {
    name: 'acrTransferLongWait',
    retry({ response }) {
      if (response?.status !== 429) return { skipStrategy: true };
      const wait = retryAfterMs(response.headers.get('Retry-After'));
      if (wait === undefined || wait <= maxWaitMs) return { skipStrategy: true };
      return { errorToThrow: new SourceRateLimited(host, Math.ceil(wait / 1000), allowanceText(response)) };
    },
  };
  // Renamed: a pipeline takes one policy per name, and the pipeline's own retry policies hold "retryPolicy".
  const policy = retryPolicy([strategy], { maxRetries: 1 });
  return { name: longWaitPolicyName, sendRequest: (request, next) => policy.sendRequest(request, next) };
}

export const longWaitPolicyName = 'acrTransferLongWait';
