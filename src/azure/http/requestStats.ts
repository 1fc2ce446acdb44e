/**
 * Counts what the adapters send, for the run report: every attempt that goes on the wire, the
 * 429 answers among them, and the attempts that were sent again because the one before was
 * throttled, failed transiently (408, 5xx, a connection fault) or ran out of time.
 *
 * One counter belongs to a Transport and its policy sits in every pipeline built from it (ARM
 * clients, @azure/identity credentials, the data plane and its token requests), inside the
 * retry loop and after authentication, so it sees each attempt. A data-plane request re-sent
 * after a 401 challenge is a second request but not a retry: the challenge is the registry's
 * normal way of asking for a token.
 */
import type { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import type { RequestStats } from '../../engine/ports';

export const requestCountingPolicyName = 'acrTransferRequestCounting';

export class RequestCounter {
  private requests = 0;
  private throttled = 0;
  private retried = 0;
  /** Requests whose last attempt calls for another one. */
  private readonly awaitingRetry = new WeakSet<PipelineRequest>();

  readonly policy: PipelinePolicy = {
    name: requestCountingPolicyName,
    sendRequest: async (request, next) => {
      this.requests += 1;
      if (this.awaitingRetry.delete(request)) this.retried += 1;
      try {
        const response = await next(request);
        if (response.status === 429) this.throttled += 1;
        if (isRetryableStatus(response.status)) this.awaitingRetry.add(request);
        return response;
      } catch (error) {
        if (request.abortSignal?.aborted !== true) this.awaitingRetry.add(request);
        throw error;
      }
    },
  };

  snapshot(): RequestStats {
    return { requests: this.requests, throttled: this.throttled, retried: this.retried };
  }
}

/** The answers core-rest-pipeline's retry strategies (and the data plane's own) try again. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}
