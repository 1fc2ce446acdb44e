/**
 * The request counter inside real core-rest-pipeline pipelines (the data plane's, and the
 * options every SDK client gets), over a scripted HTTP client: every attempt counted, 429s
 * counted as throttled, attempts after a 429, a 5xx or a time-out counted as retries — and a
 * registry challenge's re-send or a caller's abort not.
 */
import { strict as assert } from 'node:assert';
import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { createDataPlanePipeline } from '../../src/azure/dataplane/acrPipeline';
import { RequestCounter } from '../../src/azure/http/requestStats';
import { createTransport, type Transport } from '../../src/azure/http/transport';

type Step = number | { status: number; headers?: Record<string, string> } | 'hang';

/** Answers each request with the next step; 'hang' never answers (until the request's time limit). */
function scripted(steps: Step[]): HttpClient & { sent: number } {
  const client = {
    sent: 0,
    sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const step = steps[Math.min(client.sent, steps.length - 1)];
      client.sent += 1;
      if (step === 'hang') {
        return new Promise((_resolve, reject) => {
          const fail = (): void => {
            const error = new Error('The operation was aborted.');
            error.name = 'AbortError';
            reject(error);
          };
          if (request.timeout > 0) setTimeout(fail, request.timeout);
          request.abortSignal?.addEventListener('abort', fail, { once: true });
        });
      }
      const { status, headers } = typeof step === 'number' ? { status: step, headers: {} } : { headers: {}, ...step };
      return Promise.resolve({ request, status, headers: createHttpHeaders(headers), bodyAsText: '{}' });
    },
  };
  return client;
}

const fast = (extra: Parameters<typeof createTransport>[0] = {}): Transport =>
  createTransport({ retry: { maxRetries: 4, retryDelayInMs: 1, maxRetryDelayInMs: 5 }, ...extra });

const request = (signal?: AbortSignal): PipelineRequest =>
  createPipelineRequest({ url: 'https://reg.example/acr/v1/_catalog', ...(signal ? { abortSignal: signal } : {}) });

describe('azure/requestStats', () => {
  it('counts a throttled attempt and its retry (429 with and without Retry-After)', async () => {
    const transport = fast();
    const pipeline = createDataPlanePipeline(transport);
    const http = scripted([{ status: 429, headers: { 'Retry-After': '0' } }, 429, 200]);
    const response = await pipeline.sendRequest(http, request());
    assert.equal(response.status, 200);
    assert.deepEqual(transport.counter.snapshot(), { requests: 3, throttled: 2, retried: 2 });
  });

  it('counts retries after a 5xx and after a time-out, and nothing else', async () => {
    const transport = fast({ requestTimeoutMs: 30 });
    const pipeline = createDataPlanePipeline(transport);
    await pipeline.sendRequest(scripted([503, 'hang', 200]), request());
    assert.deepEqual(transport.counter.snapshot(), { requests: 3, throttled: 0, retried: 2 });
    await pipeline.sendRequest(scripted([200]), request());
    await pipeline.sendRequest(scripted([404]), request());
    assert.deepEqual(transport.counter.snapshot(), { requests: 5, throttled: 0, retried: 2 });
  });

  it('does not call the re-send after a registry challenge a retry', async () => {
    const transport = fast();
    const challengeOnce = {
      name: 'challengeOnce',
      async sendRequest(req: PipelineRequest, next: (r: PipelineRequest) => Promise<PipelineResponse>) {
        const first = await next(req);
        return first.status === 401 ? next(req) : first;
      },
    };
    const pipeline = createDataPlanePipeline(transport, { authentication: challengeOnce });
    const response = await pipeline.sendRequest(scripted([401, 200]), request());
    assert.equal(response.status, 200);
    assert.deepEqual(transport.counter.snapshot(), { requests: 2, throttled: 0, retried: 0 });
  });

  it("does not count a caller's abort as a retry", async () => {
    const transport = fast();
    const pipeline = createDataPlanePipeline(transport);
    const controller = new AbortController();
    const sent = pipeline.sendRequest(scripted(['hang']), request(controller.signal));
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(sent, { name: 'AbortError' });
    assert.deepEqual(transport.counter.snapshot(), { requests: 1, throttled: 0, retried: 0 });
  });

  it('counts each attempt when placed per retry in any pipeline', async () => {
    const counter = new RequestCounter();
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(counter.policy);
    const http = scripted([429]);
    const req = request();
    await pipeline.sendRequest(http, req);
    await pipeline.sendRequest(http, req); // the same request again: a retry after the 429
    assert.deepEqual(counter.snapshot(), { requests: 2, throttled: 2, retried: 1 });
  });
});
