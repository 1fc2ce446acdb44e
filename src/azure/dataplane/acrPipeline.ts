/**
 * The HTTP pipelines of the data plane, built from the shared transport: core-rest-pipeline's
 * default policies (retry on 429/503 with Retry-After, exponential back-off on 5xx and
 * connection faults, TLS settings, user agent, redirects) plus:
 * - a retry strategy for 429 answers without Retry-After (ACR's TOOMANYREQUESTS does not
 *   always say how long to wait, and the default strategies leave such a 429 alone), and one
 *   for 200 answers that are not what the request expects (answerCheck.ts);
 * - the per-attempt time limit, when configured, from the request to the answer's last byte;
 * - the answer check, and under it answers read as streams with a byte cap (boundedBody.ts),
 *   both inside the time limit;
 * - the transport's request counter, nearest the wire, so it sees every attempt;
 * - for registry calls, the registry token policy, inside the retry loop so every attempt
 *   carries a token that is valid at the time it is sent;
 * - when the transport caps a registry's reads, a token bucket per registry taken by every
 *   request on the wire — challenges, their re-sends and token requests included, since a
 *   registry meters all of them (the token pipeline shares the registry's bucket); its burst
 *   is the registry tier's (readCap.ts).
 */
import {
  createPipelineFromOptions,
  formDataPolicyName,
  multipartPolicyName,
  tracingPolicyName,
  retryPolicy,
  type Pipeline,
  type PipelinePolicy,
  type RetryStrategy,
} from '@azure/core-rest-pipeline';
import { calculateRetryDelay } from '@azure/core-util';
import { boundedBodyPolicy } from '../http/boundedBody';
import { sendPaced } from '../http/pacedSend';
import type { TokenBucket } from '../http/tokenBucket';
import { pipelineSettingsOf, requestTimeoutPolicy, networkPolicies, type Transport } from '../http/transport';
import { answerCheckPolicy, unexpectedAnswerRetry } from './answerCheck';

export interface DataPlanePipelineOptions {
  /** The registry token policy (registry calls); absent for the token requests themselves. */
  authentication?: PipelinePolicy;
  /** The registry's read cap, shared by its registry and token pipelines. */
  readLimit?: TokenBucket;
}

/** A data-plane pipeline; without `authentication` it is the one token requests go through. */
export function createDataPlanePipeline(transport: Transport, options: DataPlanePipelineOptions = {}): Pipeline {
  // Counter and time limit are added below, after the Sign phase, rather than as additional policies.
  const pipeline = createPipelineFromOptions(pipelineSettingsOf(transport));
  // No tracer is ever registered, yet the tracing policy makes a (no-op) span per request: tens of
  // thousands of short-lived objects in a large listing, for nothing (decision 016).
  pipeline.removePolicy({ name: tracingPolicyName });
  // Registry requests never carry a form or multipart body (token forms are sent as text), yet
  // both policies are a promise hop each per request, and the form check's `typeof FormData`
  // loads Node's fetch implementation on its first call.
  pipeline.removePolicy({ name: formDataPolicyName });
  pipeline.removePolicy({ name: multipartPolicyName });
  pipeline.addPolicy(
    retryPolicy([tooManyRequestsWithoutRetryAfter(transport), unexpectedAnswerRetry(transport)], { maxRetries: transport.retry.maxRetries }),
    { phase: 'Retry' },
  );
  if (options.authentication) pipeline.addPolicy(options.authentication, { phase: 'Sign' });
  // After Sign, in this order: wait for a read, the network failure line, count the request,
  // limit its time (body included), check the answer, read its body, the route to the wire.
  if (options.readLimit) pipeline.addPolicy(readLimitPolicy(options.readLimit, transport.retry.maxRetryDelayInMs), { afterPhase: 'Sign' });
  const network = networkPolicies(transport, { service: 'registry' });
  pipeline.addPolicy(network.outer, { afterPhase: 'Sign' });
  pipeline.addPolicy(transport.counter.policy, { afterPhase: 'Sign' });
  const timeout = requestTimeoutPolicy(transport.requestTimeoutMs);
  if (timeout) pipeline.addPolicy(timeout, { afterPhase: 'Sign' });
  pipeline.addPolicy(answerCheckPolicy(), { afterPhase: 'Sign' });
  pipeline.addPolicy(boundedBodyPolicy(), { afterPhase: 'Sign' });
  pipeline.addPolicy(network.inner, { afterPhase: 'Sign' });
  return pipeline;
}

export const readLimitPolicyName = 'acrTransferRegistryReadLimit';

/**
 * Waits for a token of the registry's read bucket before each request; a 429 holds the
 * registry's new reads for its Retry-After (at most `maxHoldMs`, the longest retry delay: a
 * longer wait fails the request, oci/longWait.ts) and lets the refused read retry at its
 * Retry-After (pacedSend.ts).
 */
export function readLimitPolicy(bucket: TokenBucket, maxHoldMs = Number.POSITIVE_INFINITY): PipelinePolicy {
  return {
    name: readLimitPolicyName,
    sendRequest: (request, next) => sendPaced(bucket, request, () => next(request), maxHoldMs),
  };
}

/** Exponential back-off with jitter for a 429 that carries no Retry-After of any kind. */
function tooManyRequestsWithoutRetryAfter(transport: Transport): RetryStrategy {
  return {
    name: 'acrTransferTooManyRequests',
    retry({ retryCount, response }) {
      const hasHint =
        response?.headers.has('retry-after') || response?.headers.has('retry-after-ms') || response?.headers.has('x-ms-retry-after-ms');
      if (response?.status !== 429 || hasHint) return { skipStrategy: true };
      return calculateRetryDelay(retryCount, transport.retry);
    },
  };
}
