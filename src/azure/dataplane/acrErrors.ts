/**
 * Data-plane failures as one redacted line. ACR answers `{"errors":[{"code","message"}]}`;
 * the line keeps the code and message and adds which call failed, never a token.
 */
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import { redactText, serviceErrorOf } from '../redact';

export class AcrRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'AcrRequestError';
  }
}

/** The service's error code of a data-plane answer (`NAME_UNKNOWN`, `UNAUTHORIZED`, …). */
export function acrErrorCode(response: PipelineResponse): string | undefined {
  return serviceErrorOf(parseBody(response.bodyAsText))?.code;
}

/** `<what> failed (HTTP <status>): <CODE>: <message>`, redacted. */
export function acrErrorFrom(response: PipelineResponse, what: string): AcrRequestError {
  const service = serviceErrorOf(parseBody(response.bodyAsText));
  const detail = service?.message ?? service?.code ?? (response.bodyAsText ? response.bodyAsText.slice(0, 200) : 'no details');
  const message = redactText(`${what} failed (HTTP ${response.status}): ${detail}`);
  return new AcrRequestError(message, response.status, service?.code);
}

export function parseBody(text: string | null | undefined): unknown {
  if (text === undefined || text === null || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
