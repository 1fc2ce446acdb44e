/**
 * Keeps the service's error body of failed ARM answers where errors can find it.
 *
 * Why: the ARM SDK's pager reports a failed page as "Pagination failed with unexpected
 * statusCode 403": it keeps the error code but drops the service's message (the one that says
 * which action on which scope was refused), and the RestError it throws carries no body. It
 * does carry the request object, so this policy remembers the parsed `{"error":{code,message}}`
 * per request, and `describeArmError` puts it back.
 */
import type { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import { describeError, serviceErrorOf, type DescribedError } from '../redact';

interface ServiceError {
  code?: string;
  message?: string;
}

const captured = new WeakMap<PipelineRequest, ServiceError>();

export const serviceErrorCapturePolicyName = 'acrTransferServiceErrorCapture';

export const serviceErrorCapturePolicy: PipelinePolicy = {
  name: serviceErrorCapturePolicyName,
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status >= 400 && response.bodyAsText) {
      try {
        const error = serviceErrorOf(JSON.parse(response.bodyAsText));
        if (error) captured.set(request, error);
      } catch {
        // Not JSON: nothing to keep.
      }
    }
    return response;
  },
};

/** describeError, with the service's own message when the SDK dropped it. */
export function describeArmError(error: unknown): DescribedError {
  const request = (error as { request?: unknown } | null)?.request;
  const kept = request !== null && typeof request === 'object' ? captured.get(request as PipelineRequest) : undefined;
  if (!kept?.message) return describeError(error);
  const code = (error as { code?: unknown }).code;
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  return describeError({
    message: kept.message,
    code: typeof code === 'string' && code !== '' ? code : kept.code,
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
  });
}
