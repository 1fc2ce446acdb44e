/**
 * The HTTP pipelines of the data plane, built from the shared transport: core-rest-pipeline's
 * default policies (retry on 429/503 with Retry-After, exponential back-off on 5xx and
 * connection faults, TLS settings, user agent, redirects) plus:
 * - a retry strategy for 429 answers without Retry-After (ACR's TOOMANYREQUESTS does not
 *   always say how long to wait, and the default strategies leave such a 429 alone);
 * - the per-attempt time limit, when configured;
 * - for registry calls, the registry token policy, inside the retry loop so every attempt
 *   carries a token that is valid at the time it is sent.
 */
import {
  createPipelineFromOptions,
  retryPolicy,
  type Pipeline,
  type PipelinePolicy,
  type RetryStrategy,
} from '@azure/core-rest-pipeline';
import { pipelineSettingsOf, requestTimeoutPolicy, type Transport } from '../transport';

/** A pipeline without registry authentication (token requests go through this one). */
export function createDataPlanePipeline(transport: Transport, authentication?: PipelinePolicy): Pipeline {
  // The time limit is added below, after the Sign phase, rather than as an additional policy.
  const pipeline = createPipelineFromOptions(pipelineSettingsOf(transport));
  pipeline.addPolicy(
    retryPolicy([tooManyRequestsWithoutRetryAfter(transport)], { maxRetries: transport.retry.maxRetries }),
    { phase: 'Retry' },
  );
  if (authentication) pipeline.addPolicy(authentication, { phase: 'Sign' });
  const timeout = requestTimeoutPolicy(transport.requestTimeoutMs);
  if (timeout) pipeline.addPolicy(timeout, { afterPhase: 'Sign' });
  return pipeline;
}

/** Exponential back-off with jitter for a 429 that carries no Retry-After of any kind. */
function tooManyRequestsWithoutRetryAfter(transport: Transport): RetryStrategy {
  return {
    name: 'acrTransferTooManyRequests',
    retry({ retryCount, response }) {
      const hasHint =
        response?.headers.has('retry-after') || response?.headers.has('retry-after-ms') || response?.headers.has('x-ms-retry-after-ms');
      if (response?.status !== 429 || hasHint) return { skipStrategy: true };
      const exponential = transport.retry.retryDelayInMs * 2 ** retryCount;
      const capped = Math.min(transport.retry.maxRetryDelayInMs, exponential);
      return { retryAfterInMs: capped / 2 + Math.random() * (capped / 2) };
    },
  };
}
