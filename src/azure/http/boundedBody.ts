/**
 * Reads answers as streams with a byte cap, inside the retry loop and inside the per-attempt
 * time limit.
 *
 * Why: core-rest-pipeline's Node client reads a whole answer into one string. An answer of
 * more than V8's longest string (about 512 MiB) then throws ERR_STRING_TOO_LONG from a stream
 * event handler, where nothing can catch it, and a smaller but still huge one is held in
 * memory whole. And when an attempt is cut off half-way through its body (the time limit, a
 * reset), the client reports "Error reading response as text" with the code PARSE_ERROR,
 * which no retry strategy retries. Asking the client for a stream
 * (`streamResponseStatusCodes`) and reading it here fixes both: past the cap the stream is
 * destroyed and the attempt fails with ANSWER_TOO_LARGE; a stream that breaks fails with
 * the connection fault it is (ECONNRESET), which the exponential strategy retries.
 *
 * The cap, 32 MiB: the largest answers this program asks for are listing pages of 1,000
 * entries — about 0.3 MB of tags or 0.5 MB of manifests — and token answers of a few KB, so it
 * leaves a hundredfold margin, yet stays far below the string limit, and a few listings in
 * flight at the cap still fit in an agent's memory.
 */
import { isRestError, RestError, type PipelinePolicy, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';

export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export const boundedBodyPolicyName = 'acrTransferBoundedBody';

/**
 * The code of the RestError for an answer longer than the cap. It is not retried: the same
 * request would bring the same answer. (A RestError, not a subclass: RestError's constructor
 * resets the prototype, so `instanceof` a subclass never holds; the code tells it apart.)
 */
export const ANSWER_TOO_LARGE = 'ANSWER_TOO_LARGE';

function answerTooLarge(maxBytes: number, request: PipelineRequest): RestError {
  return new RestError(`the answer is larger than ${describeBytes(maxBytes)}`, { code: ANSWER_TOO_LARGE, request });
}

export function isAnswerTooLarge(error: unknown): error is RestError {
  return isRestError(error) && error.code === ANSWER_TOO_LARGE;
}

/** Reads every answer but a HEAD's as a stream of at most `maxBytes` and sets `bodyAsText`. */
export function boundedBodyPolicy(maxBytes: number = MAX_ANSWER_BYTES): PipelinePolicy {
  return {
    name: boundedBodyPolicyName,
    async sendRequest(request, next) {
      // A caller that asked for a stream itself gets it untouched.
      if (request.streamResponseStatusCodes !== undefined) return next(request);
      request.streamResponseStatusCodes = ANY_STATUS;
      let response: PipelineResponse;
      try {
        response = await next(request);
      } finally {
        request.streamResponseStatusCodes = undefined;
      }
      const stream = response.readableStreamBody;
      if (stream === undefined) return response;
      response.readableStreamBody = undefined;
      response.bodyAsText = (await readCapped(stream, maxBytes, request, response)).toString('utf8');
      return response;
    },
  };
}

/** core-rest-pipeline's way of saying "every status". */
const ANY_STATUS = new Set([Number.POSITIVE_INFINITY]);

/**
 * The body, read with the stream's events rather than `for await`: an async iterator costs a
 * promise per chunk and a destroy at the end, for every answer of a listing that makes
 * thousands (the answers are a chunk or two each).
 */
function readCapped(stream: NodeJS.ReadableStream, maxBytes: number, request: PipelineRequest, response: PipelineResponse): Promise<Buffer> {
  const declared = Number(response.headers.get('Content-Length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    destroy(stream);
    return Promise.reject(answerTooLarge(maxBytes, request));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    // The listeners stay: an error after the end (or a second one) must still find a listener.
    let settled = false;
    const settle = (error: RestError | undefined): void => {
      if (settled) return;
      settled = true;
      if (error === undefined) resolve(Buffer.concat(chunks, length));
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      if (settled) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      length += bytes.length;
      if (length > maxBytes) {
        // Destroying the stream closes its connection: the rest is never read.
        settle(answerTooLarge(maxBytes, request));
        destroy(stream);
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = (): void => settle(undefined);
    // The body broke off (a reset, or the time limit's abort): a connection fault, retried.
    const onError = (error: unknown): void => settle(brokeOff(error, request));
    const onClose = (): void => settle(brokeOff(Object.assign(new Error('the connection closed before the answer ended'), { code: 'ECONNRESET' }), request));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

function brokeOff(error: unknown, request: PipelineRequest): RestError {
  const code = (error as { code?: unknown } | null)?.code;
  return new RestError(`the answer broke off: ${(error as Error | null)?.message ?? String(error)}`, {
    code: typeof code === 'string' && code !== '' ? code : 'ECONNRESET',
    request,
  });
}

function destroy(stream: NodeJS.ReadableStream): void {
  const destroyable = stream as NodeJS.ReadableStream & { destroy?: () => void };
  if (typeof destroyable.destroy === 'function') destroyable.destroy();
  else stream.resume();
}

function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
