/**
 * The data-plane pipeline against answers no registry sends, over a real socket (a plain
 * HTTP server on 127.0.0.1): a 200 that is HTML, `{}` or says nothing of its type is retried a
 * few times and then refused with what was wrong; a body over the cap is refused without
 * being held, also when it declares its length; a body that stalls half-way is abandoned at
 * the time limit and asked for again, as is one cut off by a reset. Counted in the transport's
 * request counter and the server's own count, never by timing.
 */
import { strict as assert } from 'node:assert';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDefaultHttpClient, createEmptyPipeline, createHttpHeaders, createPipelineRequest, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { createDataPlanePipeline } from '../../src/azure/dataplane/acrPipeline';
import { answerProblemOf, sendExpecting, UNEXPECTED_ANSWER, UNEXPECTED_ANSWER_RETRIES } from '../../src/azure/dataplane/answerCheck';
import {
  ACCESS_TOKEN_ANSWER,
  CATALOG_PAGE,
  MANIFEST_ATTRIBUTES,
  MANIFEST_PAGE,
  REFRESH_TOKEN_ANSWER,
  REGISTRY_ROOT,
  TAG_PAGE,
  type AnswerShape,
} from '../../src/azure/dataplane/answerShapes';
import { ANSWER_TOO_LARGE, MAX_ANSWER_BYTES } from '../../src/azure/http/boundedBody';
import { createTransport, type Transport } from '../../src/azure/http/transport';

type Handler = (req: IncomingMessage, res: ServerResponse, nth: number) => void;

const JSON_TYPE = 'application/json; charset=utf-8';
const LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Sign in to continue</title></head><body><form action="/login"></form></body></html>';

/** A server answering each request with the next handler (the last one from then on). */
async function serve(handlers: Handler[]): Promise<{ url: string; served: () => number; close: () => Promise<void> }> {
  let served = 0;
  const server: Server = createServer((req, res) => {
    served += 1;
    handlers[Math.min(served, handlers.length) - 1](req, res, served);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const answer =
  (body: string, contentType?: string): Handler =>
  (_req, res) => {
    res.writeHead(200, contentType === undefined ? {} : { 'Content-Type': contentType });
    res.end(body);
  };

const catalog = (...names: string[]): Handler => answer(JSON.stringify({ repositories: names }), JSON_TYPE);

/** Sends the head and half the body, then nothing: the connection stays open. */
const stallHalfWay: Handler = (_req, res) => {
  const body = JSON.stringify({ repositories: ['app', 'web'] });
  res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length) });
  res.write(body.slice(0, body.length / 2));
};

/** Sends the head and part of the body, then drops the connection. */
const resetHalfWay: Handler = (req, res) => {
  const body = JSON.stringify({ repositories: ['app', 'web'] });
  res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length) });
  res.write(body.slice(0, 10), () => req.socket.destroy());
};

const quick = (extra: Parameters<typeof createTransport>[0] = {}): Transport =>
  createTransport({ retry: { maxRetries: 6, retryDelayInMs: 1, maxRetryDelayInMs: 5 }, ...extra });

function get(url: string): PipelineRequest {
  return createPipelineRequest({ url: `${url}/acr/v1/_catalog?n=1000`, allowInsecureConnection: true, headers: createHttpHeaders({ Accept: 'application/json' }) });
}

async function failureOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  assert.fail('expected a failure');
}

describe('azure/dataplane: answers no registry sends', function () {
  this.timeout(60_000);
  const http = createDefaultHttpClient();
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe('a 200 that is not the expected JSON', () => {
    const cases: [string, Handler, RegExp][] = [
      ['an HTML login page', answer(LOGIN_PAGE, 'text/html; charset=utf-8'), /^the answer is not JSON \(content type text\/html\)$/],
      ['`{}`', answer('{}', JSON_TYPE), /^the answer is not a repository listing: it has no "repositories"$/],
      ['JSON without a content type', answer('{"repositories":["app"]}'), /^the answer is not JSON \(no content type\)$/],
      ['an empty body', answer('', JSON_TYPE), /^the answer is empty$/],
      ['JSON cut short', answer('{"repositories":["app"', JSON_TYPE), /^the answer is not valid JSON$/],
      ['a list of something else', answer('{"repositories":[{"name":"app"}]}', JSON_TYPE), /^the answer is not a repository listing: repositories\[0\] is not a repository name$/],
    ];
    for (const [what, handler, problem] of cases) {
      it(`${what}: asked ${UNEXPECTED_ANSWER_RETRIES} more times, then refused with what was wrong`, async () => {
        server = await serve([handler]);
        const transport = quick();
        const error = await failureOf(sendExpecting(createDataPlanePipeline(transport), http, get(server.url), CATALOG_PAGE));
        assert.equal(error.code, UNEXPECTED_ANSWER);
        assert.match(answerProblemOf(error) ?? '', problem);
        assert.equal(server.served(), 1 + UNEXPECTED_ANSWER_RETRIES);
        assert.deepEqual(transport.counter.snapshot(), { requests: 1 + UNEXPECTED_ANSWER_RETRIES, throttled: 0, retried: UNEXPECTED_ANSWER_RETRIES });
      });
    }

    it('a portal that recovers: the listing after it is read', async () => {
      server = await serve([answer(LOGIN_PAGE, 'text/html'), answer('{}', JSON_TYPE), catalog('app', 'web')]);
      const transport = quick();
      const { value } = await sendExpecting(createDataPlanePipeline(transport), http, get(server.url), CATALOG_PAGE);
      assert.deepEqual(value, ['app', 'web']);
      assert.deepEqual(transport.counter.snapshot(), { requests: 3, throttled: 0, retried: 2 });
    });

    it('an error status is the caller’s to read, not an answer to check', async () => {
      const notFound: Handler = (_req, res) => {
        res.writeHead(404, { 'Content-Type': 'text/html' });
        res.end('<html>not here</html>');
      };
      server = await serve([notFound]);
      const { response, value } = await sendExpecting(createDataPlanePipeline(quick()), http, get(server.url), CATALOG_PAGE);
      assert.equal(response.status, 404);
      assert.equal(value, undefined);
      assert.equal(server.served(), 1);
    });

    it('a bare pipeline (no check policy) still refuses it, once', async () => {
      const scripted: HttpClient = {
        sendRequest: (request): Promise<PipelineResponse> => Promise.resolve({ request, status: 200, headers: createHttpHeaders({ 'Content-Type': JSON_TYPE }), bodyAsText: '{"tags":[{"name":"1.0"}]}' }),
      };
      const error = await failureOf(sendExpecting(createEmptyPipeline(), scripted, get('https://reg.example'), TAG_PAGE));
      assert.equal(answerProblemOf(error), 'the answer is not a tag listing: tags[0] (1.0) has no digest');
    });
  });

  describe('the shapes', () => {
    const D = `sha256:${'a'.repeat(64)}`;
    const INDEX = 'application/vnd.oci.image.index.v1+json';
    const read = (shape: AnswerShape<unknown>, body: unknown): unknown => {
      const result = shape.read(body);
      return result.ok ? { value: result.value } : result.problem;
    };
    const cases: [string, AnswerShape<unknown>, unknown, unknown][] = [
      ['an empty registry', CATALOG_PAGE, { repositories: null }, { value: [] }],
      ['a catalog that is a list', CATALOG_PAGE, ['app'], 'it is not a JSON object'],
      ['a catalog of an empty name', CATALOG_PAGE, { repositories: [''] }, 'repositories[0] is not a repository name'],
      ['a locked tag', TAG_PAGE, { tags: [{ name: 'v1', digest: D, changeableAttributes: { writeEnabled: false } }] }, { value: [{ name: 'v1', digest: D, writeEnabled: false, lastUpdated: undefined }] }],
      ['a tag without lock state (optional in the spec)', TAG_PAGE, { tags: [{ name: 'v1', digest: D }] }, { value: [{ name: 'v1', digest: D, writeEnabled: true, lastUpdated: undefined }] }],
      ['a tag whose lock state is a string', TAG_PAGE, { tags: [{ name: 'v1', digest: D, changeableAttributes: { writeEnabled: 'false' } }] }, 'tags[0] (v1) has an unreadable lock state'],
      ['a tag whose digest is no digest', TAG_PAGE, { tags: [{ name: 'v1', digest: 'latest' }] }, 'tags[0] (v1) has no digest'],
      ['tags as names (the v2 tag list)', TAG_PAGE, { name: 'app', tags: ['v1'] }, 'tags[0] is not an object'],
      ['manifests with and without a media type', MANIFEST_PAGE, { manifests: [{ digest: D, mediaType: INDEX }, { digest: `sha256:${'b'.repeat(64)}` }] }, { value: [[D, 'index']] }],
      ['manifests that are not a list', MANIFEST_PAGE, { manifests: {} }, '"manifests" is not a list'],
      ['an index with references', MANIFEST_ATTRIBUTES, { manifest: { digest: D, references: [{}, {}] } }, { value: 2 }],
      ['attributes without a manifest', MANIFEST_ATTRIBUTES, { registry: 'r' }, 'it has no "manifest"'],
      ['the /v2/ answer', REGISTRY_ROOT, {}, { value: true }],
      ['a /v2/ answer that is a string', REGISTRY_ROOT, 'ok', 'it is not a JSON object'],
      ['an exchange answer', REFRESH_TOKEN_ANSWER, { refresh_token: 'r' }, { value: 'r' }],
      ['an exchange answer with an access token instead', REFRESH_TOKEN_ANSWER, { access_token: 'a' }, 'it has no "refresh_token"'],
      ['a token answer with a lifetime', ACCESS_TOKEN_ANSWER, { access_token: 'a', expires_in: 300 }, { value: { token: 'a', expiresInSeconds: 300 } }],
      ['a token answer with an odd lifetime (ignored)', ACCESS_TOKEN_ANSWER, { access_token: 'a', expires_in: '300' }, { value: { token: 'a' } }],
      ['a token answer with an empty token', ACCESS_TOKEN_ANSWER, { access_token: '' }, 'it has no "access_token"'],
    ];
    for (const [what, shape, body, expected] of cases) {
      it(`${what}: ${typeof expected === 'string' ? 'refused' : 'read'}`, () => assert.deepEqual(read(shape, body), expected));
    }
  });

  describe('bodies over the cap', () => {
    it('a body that never ends is cut at the cap and not asked for again', async () => {
      let written = 0;
      const endless: Handler = (_req, res) => {
        res.writeHead(200, { 'Content-Type': JSON_TYPE });
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        const more = (): void => {
          while (!res.destroyed && written <= 4 * MAX_ANSWER_BYTES) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        res.write('{"repositories":[');
        more();
      };
      server = await serve([endless]);
      const transport = quick();
      const error = await failureOf(sendExpecting(createDataPlanePipeline(transport), http, get(server.url), CATALOG_PAGE));
      assert.equal(error.code, ANSWER_TOO_LARGE);
      assert.equal(answerProblemOf(error), 'the answer is larger than 32 MiB');
      assert.equal(server.served(), 1, 'not retried');
      assert.ok(written < 2 * MAX_ANSWER_BYTES, `the server could write ${written} bytes: the client stopped reading at the cap`);
    });

    it('a body that declares a length over the cap is refused before it is read', async () => {
      const declared: Handler = (_req, res) => {
        res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': String(MAX_ANSWER_BYTES + 1) });
        res.write('{"repositories":['); // and nothing more: a client that waited would wait for ever
      };
      server = await serve([declared]);
      const error = await failureOf(sendExpecting(createDataPlanePipeline(quick()), http, get(server.url), CATALOG_PAGE));
      assert.equal(error.code, ANSWER_TOO_LARGE);
      assert.equal(server.served(), 1);
    });
  });

  describe('bodies that break off', () => {
    it('a body that stalls half-way is abandoned at the time limit and asked for again', async () => {
      server = await serve([stallHalfWay, catalog('app', 'web')]);
      const transport = quick({ requestTimeoutMs: 2000 });
      const { value } = await sendExpecting(createDataPlanePipeline(transport), http, get(server.url), CATALOG_PAGE);
      assert.deepEqual(value, ['app', 'web']);
      assert.deepEqual(transport.counter.snapshot(), { requests: 2, throttled: 0, retried: 1 });
    });

    it('a body that keeps stalling fails as a time-out once the retries are spent', async () => {
      server = await serve([stallHalfWay]);
      const transport = quick({ requestTimeoutMs: 100, retry: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 } });
      const error = await failureOf(sendExpecting(createDataPlanePipeline(transport), http, get(server.url), CATALOG_PAGE));
      assert.equal(error.code, 'ETIMEDOUT');
      assert.match(error.message, /^no complete answer within 100 ms$/);
      assert.equal(server.served(), 3);
    });

    it('a body cut off by a reset is asked for again', async () => {
      server = await serve([resetHalfWay, catalog('app')]);
      const transport = quick();
      const { value } = await sendExpecting(createDataPlanePipeline(transport), http, get(server.url), CATALOG_PAGE);
      assert.deepEqual(value, ['app']);
      assert.deepEqual(transport.counter.snapshot(), { requests: 2, throttled: 0, retried: 1 });
    });
  });
});
