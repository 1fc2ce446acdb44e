/**
 * Connection-level failures — a name that does not resolve, a refused connection, no answer in
 * time, a certificate that is not trusted — told in one line a user can act on: which service
 * (Entra sign-in, ARM, a registry), its host, the cause in words and, for certificates, the fix.
 *
 * A host that has not answered yet in this run is not retried as a busy service would be: a
 * name that does not resolve or a certificate that is not trusted is not fixed by asking again,
 * so the first such failure ends the request; a refused connection or a timeout is tried three
 * and two times in all. Behind a proxy the proxy resolves and connects: it answers the tunnel
 * request (CONNECT) with a 5xx when it could not reach the host (tried twice) and a 4xx for its
 * own rules or credentials (once). A host that has answered before keeps the transport's usual retries (a
 * hang or a reset there is a hiccup, not a broken path). Certificate failures always end at
 * once, as the SDK's retry policy already does.
 *
 * MSAL drops the network error it gets ("endpoints_resolution_error" with no host and no
 * cause), so the failure is also written to the transport's log, where the credential wrapper
 * (identity/explainedCredential.ts) finds it.
 */
import { PROXY_TUNNEL_REFUSED } from './proxyAgent';
import { type PipelinePolicy, type PipelineRequest } from '@azure/core-rest-pipeline';

/** What the line calls the service a request was for. */
export type ServiceName = 'Entra sign-in' | 'ARM' | 'registry' | 'managed identity endpoint' | 'Azure DevOps';

export type FailureCause =
  | 'notResolved'
  | 'refused'
  | 'timedOut'
  | 'untrustedCertificate'
  | 'expiredCertificate'
  | 'wrongCertificateName'
  | 'tunnelRefused';

const CERTIFICATE_NOT_TRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

export function causeOfCode(code: string | undefined): FailureCause | undefined {
  if (code === undefined) return undefined;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'notResolved';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return 'timedOut';
  if (CERTIFICATE_NOT_TRUSTED.has(code)) return 'untrustedCertificate';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'expiredCertificate';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'wrongCertificateName';
  if (code === PROXY_TUNNEL_REFUSED) return 'tunnelRefused';
  return undefined;
}

/** Attempts in all for a host that has not answered yet in this run. */
const ATTEMPTS: Record<FailureCause, number> = {
  notResolved: 1,
  refused: 3,
  timedOut: 2,
  untrustedCertificate: 1,
  expiredCertificate: 1,
  wrongCertificateName: 1,
  tunnelRefused: 2,
};

const CA_FIX =
  "If a proxy inspects TLS, trust its CA: the agent's CA setting (config --sslcacert, Agent.CAInfo), NODE_EXTRA_CA_CERTS, or the command line's --ca-file.";

/** What a proxy's answer to CONNECT means, by its status. */
function tunnelRefusal(status: string | undefined): string {
  if (status === '407') return 'the proxy asks for credentials: give them in the proxy settings (the agent\'s, or user:password@ in the proxy URL)';
  if (status === '403') return "the proxy's rules do not allow this host";
  if (status !== undefined && status.startsWith('5')) return 'the proxy could not reach the host: its name, or a connection to it, failed on the proxy';
  return 'the proxy would not open a tunnel to it';
}

function causeInWords(cause: FailureCause, code: string, detail: string | undefined): string {
  switch (cause) {
    case 'tunnelRefused':
      return `the proxy answered the tunnel request with HTTP ${detail ?? '?'}: ${tunnelRefusal(detail)}.`;
    case 'notResolved':
      return `the host name does not resolve (${code}). Check the name, the machine's DNS and its proxy settings.`;
    case 'refused':
      return `the connection was refused (${code}). Check that a firewall or proxy lets the machine reach it.`;
    case 'timedOut':
      return `no answer in time (${code}). Check that a firewall or proxy lets the machine reach it.`;
    case 'untrustedCertificate':
      return `its TLS certificate is not trusted (${code}). ${CA_FIX}`;
    case 'expiredCertificate':
      return `its TLS certificate has expired or is not valid yet (${code}). Check the machine's clock, and the certificate of a TLS-inspecting proxy.`;
    case 'wrongCertificateName':
      return `its TLS certificate is for another host name (${code}). Check the address, and what a proxy or hosts entry answers for it.`;
  }
}

/** A connection-level failure, as one line. Not a RestError: no retry policy retries it. */
export class NetworkFailure extends Error {
  constructor(
    readonly service: ServiceName,
    readonly host: string,
    readonly reason: FailureCause,
    readonly code: string,
    readonly attempts: number,
    /** The proxy the request went through, if any (its host only). */
    readonly proxyHost: string | undefined,
    options?: { cause?: unknown; detail?: string },
  ) {
    const through = proxyHost !== undefined ? ` through the proxy ${proxyHost}` : '';
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    super(`${service} at ${host}${through} cannot be used after ${tries}: ${causeInWords(reason, code, options?.detail)}`, options);
    this.name = 'NetworkFailure';
  }
}

/** A NetworkFailure anywhere in an error's cause chain. */
export function networkFailureIn(error: unknown): NetworkFailure | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    if (current instanceof NetworkFailure) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The network failures a transport has ended requests with, and the hosts that have answered. */
export class NetworkLog {
  private failures: { seq: number; failure: NetworkFailure }[] = [];
  private seq = 0;
  private readonly answered = new Set<string>();

  /** A mark to ask `failureSince` about. */
  mark(): number {
    return this.seq;
  }

  record(failure: NetworkFailure): void {
    this.seq += 1;
    this.failures.push({ seq: this.seq, failure });
    // Only the latest few matter: a credential asks about the failures of its own call.
    if (this.failures.length > 16) this.failures = this.failures.slice(-16);
  }

  /** The latest failure recorded after `mark` for one of `services`. */
  failureSince(mark: number, services: readonly ServiceName[]): NetworkFailure | undefined {
    for (let i = this.failures.length - 1; i >= 0; i--) {
      const entry = this.failures[i];
      if (entry.seq <= mark) return undefined;
      if (services.includes(entry.failure.service)) return entry.failure;
    }
    return undefined;
  }

  hasAnswered(host: string): boolean {
    return this.answered.has(host);
  }

  answeredBy(host: string): void {
    this.answered.add(host);
  }
}

export const networkFailurePolicyName = 'acrTransferNetworkFailure';

/**
 * Inside the retry loop, outside the time limit (so a timed-out attempt arrives as the
 * ETIMEDOUT it becomes; the route policy, next to the wire, notes the hosts that answered): counts a request's connection-level failures and, once its cause's
 * attempts are spent on a host that has not answered, ends the request with a NetworkFailure.
 * `proxyOf` tells which proxy the request was sent through.
 */
export function networkFailurePolicy(service: ServiceName, log: NetworkLog, proxyOf: (request: PipelineRequest) => URL | undefined): PipelinePolicy {
  const failed = new WeakMap<PipelineRequest, number>();
  return {
    name: networkFailurePolicyName,
    async sendRequest(request, next) {
      const host = new URL(request.url).host;
      try {
        return await next(request);
      } catch (error) {
        if (request.abortSignal?.aborted === true) throw error;
        const code = codeOf(error);
        const cause = causeOfCode(code);
        if (cause === undefined || code === undefined) throw error;
        const attempts = (failed.get(request) ?? 0) + 1;
        failed.set(request, attempts);
        const detail = cause === 'tunnelRefused' ? /HTTP (\d{3})/.exec(String((error as { message?: unknown }).message))?.[1] : undefined;
        const certificate = cause === 'untrustedCertificate' || cause === 'expiredCertificate' || cause === 'wrongCertificateName';
        // A proxy's 4xx (its rules, its credentials) is not fixed by asking again.
        const final = certificate || (cause === 'tunnelRefused' && detail?.startsWith('5') !== true);
        const limit = final ? 1 : log.hasAnswered(host) ? Infinity : ATTEMPTS[cause];
        // A cause the SDK does not retry (a certificate, EAI_AGAIN) ends here too; a tunnel the
        // proxy refused with a 5xx (it could not reach the host) is retried as a refusal would be.
        if (attempts < limit && (isRetriedBySdk(code) || cause === 'tunnelRefused')) throw retriable(error);
        const failure = new NetworkFailure(service, host, cause, code, attempts, proxyOf(request)?.host, { cause: error, ...(detail ? { detail } : {}) });
        log.record(failure);
        throw failure;
      }
    },
  };
}

/**
 * The SDK retries a failed attempt only for the system codes below; a refused tunnel is made one
 * of them (ECONNREFUSED, which is what it is) for the retries it is given.
 */
function retriable(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === PROXY_TUNNEL_REFUSED && error !== null && typeof error === 'object') (error as { code: string }).code = 'ECONNREFUSED';
  return error;
}

/** core-rest-pipeline's exponential strategy retries these codes (its `isSystemError`). */
function isRetriedBySdk(code: string): boolean {
  return ['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'ENOTFOUND'].includes(code);
}

/** The system error code of a failed attempt: the RestError's, else its cause's. */
function codeOf(error: unknown): string | undefined {
  if (error !== null && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== error) return codeOf(cause);
  }
  return undefined;
}
