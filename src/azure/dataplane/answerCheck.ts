/**
 * Holds every 200 answer the data-plane client relies on to what it must be: JSON (by its
 * content type and its text) of the expected shape (answerShapes.ts). A proxy's login page, a
 * captive portal or a `{}` is otherwise read as an empty listing — "0 repositories, run
 * succeeded", a repository "in sync", a lock that vanished.
 *
 * The client names the shape it expects when it sends (`sendExpecting`). The check runs as a
 * policy inside the retry loop, so an unexpected answer is an error the retry strategy below
 * retries a few times (a captive portal or a flapping proxy may recover); when the retries are
 * spent, the client turns it into one line naming the registry and what was wrong. A pipeline
 * without the policy (a test's bare pipeline) still gets the check, once, without retries.
 */
import { calculateRetryDelay } from '@azure/core-util';
import {
  isRestError,
  RestError,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
  type RetryStrategy,
} from '@azure/core-rest-pipeline';
import { isAnswerTooLarge } from '../http/boundedBody';
import type { Transport } from '../http/transport';
import type { AnswerShape } from './answerShapes';

/**
 * The code of the RestError for a 200 answer that is not what the request expects; its
 * message says what was wrong (`the answer is not JSON (content type text/html)`). A RestError
 * because the retry policy hands only those to its strategies; not a subclass, because
 * RestError's constructor resets the prototype (`instanceof` a subclass never holds).
 */
export const UNEXPECTED_ANSWER = 'UNEXPECTED_ANSWER';

/**
 * How many times an unexpected answer is asked for again. Few, unlike throttling and 5xx: a
 * portal that recovers does so within seconds, and one that does not is a network set-up the
 * user must fix — six exponential retries (a minute) per repository would turn it into an
 * hour-long run.
 */
export const UNEXPECTED_ANSWER_RETRIES = 3;

export const answerCheckPolicyName = 'acrTransferAnswerCheck';

const expected = new WeakMap<PipelineRequest, AnswerShape<unknown>>();
const accepted = new WeakMap<PipelineResponse, { value: unknown }>();

/** Checks 200 answers of requests sent with `sendExpecting`; others pass untouched. */
export function answerCheckPolicy(): PipelinePolicy {
  return {
    name: answerCheckPolicyName,
    async sendRequest(request, next) {
      const response = await next(request);
      const shape = expected.get(request);
      if (shape !== undefined && response.status === 200) accepted.set(response, { value: checkAnswer(shape, request, response) });
      return response;
    },
  };
}

/**
 * Sends a request whose 200 answer must have `shape`. Resolves with the answer and, for a 200,
 * the value read from it; rejects with an UNEXPECTED_ANSWER RestError when the answer is not that.
 */
export async function sendExpecting<T>(
  pipeline: Pipeline,
  httpClient: HttpClient,
  request: PipelineRequest,
  shape: AnswerShape<T>,
): Promise<{ response: PipelineResponse; value?: T }> {
  expected.set(request, shape);
  const response = await pipeline.sendRequest(httpClient, request);
  if (response.status !== 200) return { response };
  const checked = accepted.get(response);
  const value = checked === undefined ? checkAnswer(shape, request, response) : (checked.value as T);
  return { response, value };
}

/**
 * What was wrong with an answer, when `error` says that the answer itself was the problem (not
 * JSON, the wrong shape, too large), for the caller's one line; undefined for other errors.
 */
export function answerProblemOf(error: unknown): string | undefined {
  return isUnexpectedAnswer(error) || isAnswerTooLarge(error) ? error.message : undefined;
}

/** Retries an unexpected answer UNEXPECTED_ANSWER_RETRIES times with the transport's back-off. */
export function unexpectedAnswerRetry(transport: Transport): RetryStrategy {
  return {
    name: 'acrTransferUnexpectedAnswer',
    retry({ retryCount, responseError }) {
      if (!isUnexpectedAnswer(responseError) || retryCount >= UNEXPECTED_ANSWER_RETRIES) return { skipStrategy: true };
      return calculateRetryDelay(retryCount, transport.retry);
    },
  };
}

function isUnexpectedAnswer(error: unknown): error is RestError {
  return isRestError(error) && error.code === UNEXPECTED_ANSWER;
}

function checkAnswer<T>(shape: AnswerShape<T>, request: PipelineRequest, response: PipelineResponse): T {
  const fail = (problem: string): never => {
    throw new RestError(problem, { code: UNEXPECTED_ANSWER, statusCode: response.status, request, response });
  };
  const contentType = response.headers.get('Content-Type');
  if (!isJson(contentType)) fail(`the answer is not JSON (${contentType ? `content type ${mediaTypeOf(contentType)}` : 'no content type'})`);
  const text = response.bodyAsText ?? '';
  if (text.trim() === '') fail('the answer is empty');
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    fail('the answer is not valid JSON');
  }
  const read = shape.read(body);
  return read.ok ? read.value : fail(`the answer is not ${shape.description}: ${read.problem}`);
}

/** `application/json` or a `+json` type (`application/problem+json`), any parameters. */
function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = mediaTypeOf(contentType);
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase().slice(0, 100);
}
