/**
 * The one place that decides how every Azure client talks HTTP: retries, trusted CAs, user
 * agent, per-request time limit, request pacing and request counting. ARM clients,
 * @azure/identity credentials and the ACR data-plane pipeline all take their options from a
 * `Transport`, so a corporate proxy CA or the emulator's CA is configured once and TLS
 * verification is never switched off.
 *
 * A transport also holds what the clients built from it share during a run: the routes and
 * their connection pools (routing.ts), the ARM budgets per subscription (armPacing.ts), the read
 * caps per registry, the request counter (requestStats.ts) and the network failures
 * (networkFailure.ts). Build one per run.
 */
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import {
  createDefaultHttpClient,
  createEmptyPipeline,
  RestError,
  type Agent,
  type HttpClient,
  type PipelinePolicy,
  type PipelineRetryOptions,
  type ProxySettings,
  type TlsSettings,
} from '@azure/core-rest-pipeline';
import { NetworkLog, networkFailurePolicy, type ServiceName } from './networkFailure';
import type { ProxyResolver } from './proxyRoute';
import { DEFAULT_CONNECT_TIMEOUT_MS, Routes } from './routing';
import { ArmBudgets, bucketSettings, DEFAULT_ARM_READS, DEFAULT_ARM_WRITES } from '../arm/armPacing';
import { boundedBodyPolicy } from './boundedBody';
import { RequestCounter } from './requestStats';
import { RegistryReadCaps } from './readCap';
import type { TokenBucketSettings } from './tokenBucket';

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
  /**
   * How each request leaves: direct or through a proxy, decided per request URL (routing.ts).
   * Without a proxy rule every request goes direct; HTTPS_PROXY is applied only when the front
   * end turns it into a rule (the command line does).
   */
  readonly routes: Routes;
  /** The network failures requests ended with, and the hosts that have answered (networkFailure.ts). */
  readonly network: NetworkLog;
  /** ARM write and read budgets per subscription, shared by every ARM client of this transport. */
  readonly armBudgets: ArmBudgets;
  /** Data-plane reads per second per registry (0 = no cap). */
  readonly maxReadsPerSecond: number;
  /** The read cap's bucket per registry host, when there is a cap (readCap.ts). */
  readonly registryReads?: RegistryReadCaps;
  /** Counts every request of every pipeline built from this transport. */
  readonly counter: RequestCounter;
}

export interface TransportOptions {
  /** Product version for the user agent; the front end knows it. */
  version?: string;
  /** Extra CA PEM (the emulator's or a TLS-inspecting proxy's). */
  caPem?: string;
  retry?: PipelineRetryOptions;
  /** Time limit of one HTTP attempt in ms; default 60 000, 0 = none. */
  requestTimeoutMs?: number;
  /** Time limit for making a direct connection in ms; default 15 000 (at most the request time limit), 0 = none. */
  connectTimeoutMs?: number;
  /** The proxy per request URL (undefined: direct); see proxyRoute.ts. */
  proxyFor?: ProxyResolver;
  /** One proxy for every request (tests); `proxyFor` wins when both are given. */
  proxy?: ProxySettings;
  /**
   * ARM write budget per subscription the client keeps itself under; default ARM's own
   * (200, refilled 10 per second); false = no pacing.
   */
  armWrites?: Partial<TokenBucketSettings> | false;
  /** ARM read budget per subscription; default ARM's own (250, refilled 25 per second); false = none. */
  armReads?: Partial<TokenBucketSettings> | false;
  /**
   * Caps data-plane reads per registry at this many per second on average, so a run stays under
   * a registry's own limit: a token bucket refilled at this rate holding a minute's worth (at
   * most the reads per minute ACR documents for the registry's tier; one second's worth when
   * the tier is not known), readCap.ts. Default: no cap.
   */
  maxReadsPerSecond?: number;
}

/** Defaults sized for ARM's write throttling (Retry-After up to a minute) and ACR's 429s. */
const DEFAULT_RETRY: Required<PipelineRetryOptions> = {
  maxRetries: 6,
  retryDelayInMs: 1000,
  maxRetryDelayInMs: 60_000,
};

/** A hung connection is given up after a minute and retried (importImage's POST answers in seconds). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export function createTransport(options: TransportOptions = {}): Transport {
  const retry = { ...DEFAULT_RETRY, ...definedRetry(options.retry) };
  const maxReadsPerSecond = options.maxReadsPerSecond ?? 0;
  if (!Number.isFinite(maxReadsPerSecond) || maxReadsPerSecond < 0) throw new RangeError('maxReadsPerSecond must be a number ≥ 0');
  const caPem = options.caPem && options.caPem.trim() !== '' ? options.caPem : undefined;
  const requestTimeoutMs = Math.max(0, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const connectTimeoutMs = Math.max(0, options.connectTimeoutMs ?? Math.min(DEFAULT_CONNECT_TIMEOUT_MS, requestTimeoutMs));
  const fixedProxy = options.proxy ? proxyUrlOfSettings(options.proxy) : undefined;
  const resolver = options.proxyFor ?? (fixedProxy ? () => fixedProxy : undefined);
  return Object.freeze({
    retry,
    caPem,
    userAgentPrefix: `acr-transfer/${options.version ?? 'dev'}`,
    requestTimeoutMs,
    routes: new Routes(resolver, () => secureContextFor(caPem) ?? defaultSecureContext(), connectTimeoutMs),
    network: new NetworkLog(),
    armBudgets: new ArmBudgets({
      ...bucketSetting('writes', options.armWrites, DEFAULT_ARM_WRITES),
      ...bucketSetting('reads', options.armReads, DEFAULT_ARM_READS),
    }),
    maxReadsPerSecond,
    ...(maxReadsPerSecond > 0
      ? { registryReads: new RegistryReadCaps(maxReadsPerSecond) }
      : {}),
    counter: new RequestCounter(),
  });
}

function bucketSetting<K extends 'writes' | 'reads'>(
  key: K,
  given: Partial<TokenBucketSettings> | false | undefined,
  fallback: TokenBucketSettings,
): Partial<Record<K, TokenBucketSettings>> {
  if (given === false) return {};
  return { [key]: bucketSettings(fallback, given) } as Partial<Record<K, TokenBucketSettings>>;
}

/**
 * The CAs a transport trusts, or undefined for Node's defaults. Node *replaces* its roots when
 * `ca` is set, so the extra PEM is appended to the bundled roots: a corporate CA must not make
 * real Azure untrusted.
 */
export function trustedCasOf(transport: Transport): string[] | undefined {
  if (transport.caPem === undefined) return undefined;
  return [...rootCertificates, transport.caPem];
}

/** TLS settings of a transport with an extra CA: one secure context holding all trusted CAs. */
export interface TransportTlsSettings extends TlsSettings {
  readonly secureContext: SecureContext;
}

/**
 * Secure contexts per extra CA PEM, for the whole process: parsing ~150 PEMs costs ~20 ms of
 * CPU, and the transports of one process (a run's, or a test suite's) trust one or two sets.
 */
const secureContexts = new Map<string, SecureContext>();

/** The trusted CAs (Node's roots plus the extra PEM) as one secure context, or undefined for Node's defaults. */
function secureContextFor(caPem: string | undefined): SecureContext | undefined {
  if (caPem === undefined) return undefined;
  let context = secureContexts.get(caPem);
  if (context === undefined) {
    context = createSecureContext({ ca: [...rootCertificates, caPem] });
    secureContexts.set(caPem, context);
  }
  return context;
}

let nodeDefaults: SecureContext | undefined;

/**
 * Node's default trust (its roots, NODE_EXTRA_CA_CERTS, the CA store flags) as one context for
 * every connection of the process: without one, tls.connect builds a new context per socket,
 * ~0.3 ms of CPU each, and a run's first listing wave opens two dozen.
 */
function defaultSecureContext(): SecureContext {
  nodeDefaults ??= createSecureContext();
  return nodeDefaults;
}

const tlsSettings = new WeakMap<Transport, TransportTlsSettings>();

/**
 * The trust as TLS settings: a prebuilt `secureContext`, never the `ca` list itself. A `ca`
 * list in an https.Agent costs on every request and every connection: https.Agent#getName folds
 * all ~150 PEMs into the pool name of each request (a ~200 KB string, a third of the CPU in a
 * profile), and tls.connect parses them into a new context for each socket. A `secureContext`
 * is used as is and is not part of the pool name; the certificate and host-name checks are
 * Node's usual ones against the CAs it holds. The transport's own agents (routing.ts) hold the
 * same context; these settings matter only to a pipeline built without the route policy.
 */
export function tlsOptionsOf(transport: Transport): TransportTlsSettings | undefined {
  let settings = tlsSettings.get(transport);
  if (settings === undefined) {
    const secureContext = secureContextFor(transport.caPem);
    if (secureContext === undefined) return undefined;
    settings = Object.freeze({ secureContext });
    tlsSettings.set(transport, settings);
  }
  return settings;
}

/**
 * Options understood by every Azure SDK client and credential (they all extend
 * core-rest-pipeline's PipelineOptions).
 */
export interface PipelineSettings {
  retryOptions: PipelineRetryOptions;
  tlsOptions?: TlsSettings;
  agent?: Agent;
  userAgentOptions: { userAgentPrefix: string };
}

export interface SharedClientOptions extends PipelineSettings {
  additionalPolicies?: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[];
}

/**
 * Retries, trust and user agent: spread into every client's or credential's options. The
 * route (direct or through a proxy, with the same trust) is set per request by the transport's
 * route policy (clientOptionsOf, networkPolicies); the TLS settings here only matter to a
 * pipeline built without it.
 */
export function pipelineSettingsOf(transport: Transport): PipelineSettings {
  const tlsOptions = tlsOptionsOf(transport);
  return {
    retryOptions: { ...transport.retry },
    ...(tlsOptions ? { tlsOptions } : {}),
    userAgentOptions: { userAgentPrefix: transport.userAgentPrefix },
  };
}

/** What a pipeline's requests are for, for the network failure line; `direct` never proxies. */
export interface PipelinePurpose {
  service: ServiceName;
  direct?: boolean;
}

/**
 * The transport's policies inside a pipeline's retry loop: the network failure policy outside
 * the counter and the time limit (it must see a timed-out attempt as the ETIMEDOUT the limit
 * turns it into), and the route innermost, next to the wire (it also notes which hosts have
 * answered: a head that came, even when its body then stalls).
 */
export function networkPolicies(transport: Transport, purpose: PipelinePurpose): { outer: PipelinePolicy; inner: PipelinePolicy } {
  const routes = transport.routes;
  return {
    outer: networkFailurePolicy(purpose.service, transport.network, (request) => routes.proxyOf(request)),
    inner: routes.policy(transport.network, purpose.direct === true),
  };
}

/**
 * Options for an Azure SDK client or credential: the pipeline settings, plus, inside the retry
 * loop, the network failure policy, the request counter, the per-attempt time limit, the
 * answer's byte cap and the route (in that order, so the counter sees a timed-out attempt as the
 * ETIMEDOUT fault it becomes).
 */
export function clientOptionsOf(transport: Transport, purpose: PipelinePurpose): SharedClientOptions {
  const timeout = requestTimeoutPolicy(transport.requestTimeoutMs);
  const network = networkPolicies(transport, purpose);
  return {
    ...pipelineSettingsOf(transport),
    additionalPolicies: [
      { policy: network.outer, position: 'perRetry' as const },
      { policy: transport.counter.policy, position: 'perRetry' as const },
      ...(timeout ? [{ policy: timeout, position: 'perRetry' as const }] : []),
      // Inside the time limit, so it also covers a body that stalls: every answer of ARM and Entra
      // is read with the same byte cap as the data plane's (boundedBody.ts).
      { policy: boundedBodyPolicy(), position: 'perRetry' as const },
      { policy: network.inner, position: 'perRetry' as const },
    ],
  };
}

/**
 * An HTTP client that puts the transport's policies next to the wire — the network failure
 * line, the counter, the time limit and the route — for a client that drops its caller's
 * additional policies: @azure/identity's ManagedIdentityCredential replaces them with its own
 * retry policy, so without this its requests would go out with none of them, and through
 * whatever proxy HTTPS_PROXY names.
 */
export function transportHttpClient(transport: Transport, purpose: PipelinePurpose): HttpClient {
  const pipeline = createEmptyPipeline();
  const network = networkPolicies(transport, purpose);
  const timeout = requestTimeoutPolicy(transport.requestTimeoutMs);
  for (const policy of [network.outer, transport.counter.policy, ...(timeout ? [timeout] : []), network.inner]) pipeline.addPolicy(policy);
  const wire = createDefaultHttpClient();
  return { sendRequest: (request) => pipeline.sendRequest(wire, request) };
}

export const requestTimeoutPolicyName = 'acrTransferRequestTimeout';

/**
 * Gives each attempt a time limit unless the caller set one, from the request until the last
 * byte of its answer. Node's HTTP client reports an expired limit as an AbortError when no
 * answer came, and as a broken body ("Error reading response as text", PARSE_ERROR, or the
 * data plane's ECONNRESET from boundedBody.ts) when the answer stalled half-way; the retry
 * policy would pass either straight up. This policy sits inside the retry loop (perRetry) and
 * turns whatever its own abort caused into an ETIMEDOUT RestError, which the exponential
 * retry strategy treats as a transient fault. A caller's own abort stays an abort.
 */
export function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy | undefined {
  if (!(timeoutMs > 0)) return undefined;
  return {
    name: requestTimeoutPolicyName,
    async sendRequest(request, next) {
      // A caller's own limit stands.
      if (request.timeout > 0) return next(request);
      // Not `request.timeout`: the SDK's HTTP client clears that timer only when an answer
      // arrives, so after a connection reset it keeps the process alive for the whole limit.
      // Our own timer is cleared whatever happens, and unref'd besides.
      const attempt = new AbortController();
      const callerSignal = request.abortSignal;
      const onCallerAbort = (): void => attempt.abort();
      if (callerSignal?.aborted) attempt.abort();
      callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attempt.abort();
      }, timeoutMs);
      timer.unref();
      request.abortSignal = attempt.signal;
      try {
        return await next(request);
      } catch (error) {
        // Once the limit has cut the attempt off, any failure is that cut, whatever the client
        // called it (the body may have been half read).
        if (timedOut && callerSignal?.aborted !== true) {
          throw new RestError(`no complete answer within ${timeoutMs} ms`, { code: 'ETIMEDOUT', request });
        }
        throw error;
      } finally {
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', onCallerAbort);
        request.abortSignal = callerSignal;
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

function proxyUrlOfSettings(settings: ProxySettings): URL {
  const url = new URL(settings.host);
  url.port = String(settings.port);
  if (settings.username) url.username = settings.username;
  if (settings.password) url.password = settings.password;
  return url;
}
