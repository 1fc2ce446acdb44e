/**
 * The one place that decides how every Azure client talks HTTP: retries, trusted CAs, user
 * agent and per-request time limit. ARM clients, @azure/identity credentials and the ACR
 * data-plane pipeline all take their options from a `Transport`, so a corporate proxy CA or
 * the emulator's CA is configured once and TLS verification is never switched off.
 */
import { rootCertificates } from 'node:tls';
import { RestError, type PipelinePolicy, type PipelineRetryOptions, type TlsSettings } from '@azure/core-rest-pipeline';

export interface Transport {
  /**
   * Retry settings for core-rest-pipeline's default retry policy: 429/503 answers carrying
   * Retry-After wait exactly that long; 5xx, 408 and connection faults back off exponentially.
   */
  readonly retry: Required<PipelineRetryOptions>;
  /** Extra CA certificates (PEM) trusted in addition to Node's bundled roots. */
  readonly caPem?: string;
  /** `acr-transfer/<version>`, put in front of each SDK's own user agent. */
  readonly userAgentPrefix: string;
  /** Time limit of one HTTP attempt in ms (0 = none); a timed-out attempt is retried. */
  readonly requestTimeoutMs: number;
}

export interface TransportOptions {
  /** Product version for the user agent; the front end knows it. */
  version?: string;
  /** Extra CA PEM (the emulator's or a TLS-inspecting proxy's). */
  caPem?: string;
  retry?: PipelineRetryOptions;
  requestTimeoutMs?: number;
}

/** Defaults sized for ARM's write throttling (Retry-After up to a minute) and ACR's 429s. */
const DEFAULT_RETRY: Required<PipelineRetryOptions> = {
  maxRetries: 6,
  retryDelayInMs: 1000,
  maxRetryDelayInMs: 60_000,
};

export function createTransport(options: TransportOptions = {}): Transport {
  const retry = { ...DEFAULT_RETRY, ...definedRetry(options.retry) };
  return Object.freeze({
    retry,
    caPem: options.caPem && options.caPem.trim() !== '' ? options.caPem : undefined,
    userAgentPrefix: `acr-transfer/${options.version ?? 'dev'}`,
    requestTimeoutMs: Math.max(0, options.requestTimeoutMs ?? 0),
  });
}

/**
 * The CA list handed to Node's TLS. Node *replaces* its roots when `ca` is set, so the extra
 * PEM is appended to the bundled roots: a corporate CA must not make real Azure untrusted.
 */
export function tlsOptionsOf(transport: Transport): TlsSettings | undefined {
  if (transport.caPem === undefined) return undefined;
  return { ca: [...rootCertificates, transport.caPem] };
}

/**
 * Options understood by every Azure SDK client and credential (they all extend
 * core-rest-pipeline's PipelineOptions).
 */
export interface SharedClientOptions {
  retryOptions: PipelineRetryOptions;
  tlsOptions?: TlsSettings;
  userAgentOptions: { userAgentPrefix: string };
  additionalPolicies?: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[];
}

export function clientOptionsOf(transport: Transport): SharedClientOptions {
  const tlsOptions = tlsOptionsOf(transport);
  const timeout = requestTimeoutPolicy(transport.requestTimeoutMs);
  return {
    retryOptions: { ...transport.retry },
    ...(tlsOptions ? { tlsOptions } : {}),
    userAgentOptions: { userAgentPrefix: transport.userAgentPrefix },
    ...(timeout ? { additionalPolicies: [{ policy: timeout, position: 'perRetry' as const }] } : {}),
  };
}

export const requestTimeoutPolicyName = 'acrTransferRequestTimeout';

/**
 * Gives each attempt a time limit unless the caller set one. Node's HTTP client reports an
 * expired limit as an AbortError, which the retry policy would pass straight up; this policy
 * sits inside the retry loop (perRetry) and turns it into an ETIMEDOUT RestError, which the
 * exponential retry strategy treats as a transient fault. A caller's own abort stays an abort.
 */
export function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy | undefined {
  if (!(timeoutMs > 0)) return undefined;
  return {
    name: requestTimeoutPolicyName,
    async sendRequest(request, next) {
      if (!request.timeout) request.timeout = timeoutMs;
      try {
        return await next(request);
      } catch (error) {
        const callerAborted = request.abortSignal?.aborted === true;
        if (!callerAborted && error instanceof Error && error.name === 'AbortError') {
          throw new RestError(`no answer within ${request.timeout} ms`, { code: 'ETIMEDOUT', request });
        }
        throw error;
      }
    },
  };
}

function definedRetry(retry: PipelineRetryOptions | undefined): PipelineRetryOptions {
  const out: PipelineRetryOptions = {};
  if (retry?.maxRetries !== undefined) out.maxRetries = retry.maxRetries;
  if (retry?.retryDelayInMs !== undefined) out.retryDelayInMs = retry.retryDelayInMs;
  if (retry?.maxRetryDelayInMs !== undefined) out.maxRetryDelayInMs = retry.maxRetryDelayInMs;
  return out;
}
