/**
 * One attempt of a request paced by a token bucket (ARM's budgets, a registry's read cap),
 * inside a pipeline's retry loop. A first attempt queues for a token; an attempt that was
 * refused (429) is remembered with the time it was asked to come back, and its retry — the
 * same request object, sent again by the retry policy — takes its token then, without
 * queueing behind new requests (tokenBucket.ts `takeRetry`). So a refusal costs the refused
 * request its Retry-After and no more, however many others were refused with it; the SDK's
 * own throttling strategy waits the same Retry-After before it sends the retry (retryAfter.ts
 * reads the headers the same way), so in a real pipeline the bucket adds no wait of its own.
 */
import type { PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { retryAfterOf } from './retryAfter';
import type { TokenBucket } from './tokenBucket';

/** Refused requests by request object: the bucket that refused them and when they may go again. */
const refused = new WeakMap<PipelineRequest, { bucket: TokenBucket; dueAt: number }>();

/**
 * Waits for the request's token, sends it with `send`, and tells the bucket what came back: a
 * 429 starts (or joins) a hold, anything else is a success. Faults pass through untouched.
 * `maxHoldMs` bounds the hold where a longer wait is not waited but fails the request (a
 * source registry's spent pull allowance, oci/longWait.ts): the other requests then meet their
 * own 429 and fail as fast, instead of queueing for hours.
 */
export async function sendPaced(
  bucket: TokenBucket,
  request: PipelineRequest,
  send: () => Promise<PipelineResponse>,
  maxHoldMs = Number.POSITIVE_INFINITY,
): Promise<PipelineResponse> {
  const retry = refused.get(request);
  refused.delete(request);
  if (retry !== undefined && retry.bucket === bucket) await bucket.takeRetry(retry.dueAt, request.abortSignal);
  else await bucket.take(request.abortSignal);
  const sentAt = bucket.clock.now();
  const response = await send();
  if (response.status === 429) {
    // A retry refused again belongs to the episode of its first refusal: the rate stays.
    const retried = retry !== undefined && retry.bucket === bucket;
    const dueAt = bucket.throttled(Math.min(retryAfterOf(response.headers, Date.now()), maxHoldMs), sentAt, retried);
    refused.set(request, { bucket, dueAt });
  } else {
    bucket.succeeded();
  }
  return response;
}
