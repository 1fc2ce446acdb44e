/**
 * ID tokens from the pipeline for workload identity federation. Azure DevOps issues a job an
 * ID token for a service connection at `System.OidcRequestUri`
 * (`POST <uri>?api-version=7.1&serviceConnectionId=<id>`, bearer = the job's access token,
 * answer `{"oidcToken": "<jwt>"}`); Entra takes it as the client assertion. The token is
 * valid for about ten minutes and Entra refuses an older one (AADSTS700024), so one is asked
 * for whenever Entra must be asked for an access token — never kept for the run.
 *
 * The only reuse: @azure/identity calls the assertion callback twice per token request, and
 * the ARM and registry audiences are often renewed together; a token fetched in the last few
 * seconds with minutes of validity left serves those too (requests in flight are shared).
 */
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import { jwtExpiresOnMs, networkPolicies, pipelineSettingsOf, oneLineError, redactText, serviceErrorOf, type Transport } from '../../azure';
import { ConnectionError } from './connectionError';

/** What the job offers for asking (pipelineContext.ts). */
export interface PipelineOidcSettings {
  /** `System.OidcRequestUri` (or the same URL built from the collection, project, plan and job). */
  requestUri: string;
  /** The job's access token (`System.AccessToken`). */
  accessToken: string;
}

export interface PipelineIdTokenOptions {
  settings: PipelineOidcSettings;
  /** The service connection's id; it goes into the request only. */
  connectionId: string;
  /** For messages. */
  displayName: string;
  transport: Transport;
  /** Registers each ID token with the agent's secret masker. */
  mask(secret: string): void;
  now?: () => number;
}

/** The API version Microsoft's own tasks use for this endpoint. */
const OIDC_API_VERSION = '7.1';
/** How long a fetched ID token may serve further token requests, at most. */
export const REUSE_WINDOW_MS = 10_000;
/** …and only while it has at least this much validity left. */
export const MIN_REMAINING_MS = 5 * 60_000;

interface HeldIdToken {
  token: string;
  fetchedAtMs: number;
  expiresAtMs: number | undefined;
}

export class PipelineIdTokenSource {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly now: () => number;
  private held?: HeldIdToken;
  private inFlight?: Promise<HeldIdToken>;
  private failure?: ConnectionError;

  constructor(private readonly options: PipelineIdTokenOptions) {
    // No redirects: the job's access token must go to the job's own endpoint only.
    this.pipeline = createPipelineFromOptions({ ...pipelineSettingsOf(options.transport), redirectOptions: { maxRetries: 0 } });
    // The agent's route to Azure DevOps (its proxy, unless the bypass list names the host) and the network failure line.
    const network = networkPolicies(options.transport, { service: 'Azure DevOps' });
    this.pipeline.addPolicy(network.outer, { afterPhase: 'Retry' });
    this.pipeline.addPolicy(network.inner, { afterPhase: 'Retry' });
    this.httpClient = createDefaultHttpClient();
    this.now = options.now ?? Date.now;
  }

  /** A fresh ID token for the connection (the ClientAssertionCredential's callback). */
  async idToken(): Promise<string> {
    const held = this.held;
    if (held && this.reusable(held)) return held.token;
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = undefined;
    });
    try {
      const fetched = await this.inFlight;
      this.held = fetched;
      this.failure = undefined;
      return fetched.token;
    } catch (error) {
      if (error instanceof ConnectionError) this.failure = error;
      throw error;
    }
  }

  /** Why the last request failed, until one succeeds (for MaskedCredential's message). */
  lastFailure(): ConnectionError | undefined {
    return this.failure;
  }

  private reusable(held: HeldIdToken): boolean {
    const now = this.now();
    return now - held.fetchedAtMs < REUSE_WINDOW_MS && held.expiresAtMs !== undefined && held.expiresAtMs - now > MIN_REMAINING_MS;
  }

  /** The request URL: the job's URI with api-version and serviceConnectionId added. */
  requestUrl(): string {
    const url = new URL(this.options.settings.requestUri);
    url.searchParams.set('api-version', OIDC_API_VERSION);
    url.searchParams.set('serviceConnectionId', this.options.connectionId);
    return url.toString();
  }

  private async fetch(): Promise<HeldIdToken> {
    const { displayName } = this.options;
    const request = createPipelineRequest({
      url: this.requestUrl(),
      method: 'POST',
      headers: createHttpHeaders({
        Authorization: `Bearer ${this.options.settings.accessToken}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      }),
      body: '{}',
    });
    let status: number;
    let text: string;
    try {
      const response = await this.pipeline.sendRequest(this.httpClient, request);
      status = response.status;
      text = response.bodyAsText ?? '';
    } catch (error) {
      throw new ConnectionError('IdTokenRefused', [displayName, oneLineError(error)]);
    }
    const body = parseJson(text);
    if (status !== 200) {
      const said = serviceErrorOf(body)?.message;
      throw new ConnectionError('IdTokenRefused', [displayName, redactText(`HTTP ${status}${said ? ` ${said}` : ''}`)]);
    }
    const token = (body as { oidcToken?: unknown } | undefined)?.oidcToken;
    if (typeof token !== 'string' || token === '') {
      throw new ConnectionError('IdTokenRefused', [displayName, 'the answer carried no oidcToken']);
    }
    this.options.mask(token);
    return { token, fetchedAtMs: this.now(), expiresAtMs: jwtExpiresOnMs(token) };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
