/**
 * Docker Hub's pull allowance as it announces it on its answers (docs.docker.com, "Docker Hub
 * usage and limits"): `ratelimit-limit: 100;w=21600` and `ratelimit-remaining: 76;w=21600` —
 * a count and the window in seconds. Any registry that sends these headers is read the same way.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export interface RateAllowance {
  remaining: number;
  limit?: number;
  windowSeconds?: number;
}

/** `76;w=21600` → count and window; undefined when the value is not that shape. */
export function parseRateLimitHeader(value: string | null | undefined): { count: number; windowSeconds?: number } | undefined {
  if (!value) return undefined;
  const match = /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+)\s*)?(?:;.*)?$/.exec(value.split(',')[0] ?? '');
  if (!match) return undefined;
  const count = Number(match[1]);
  const window = match[2] === undefined ? undefined : Number(match[2]);
  return { count, ...(window !== undefined ? { windowSeconds: window } : {}) };
}

/** The allowance two headers announce; undefined without a readable `ratelimit-remaining`. */
export function allowanceOf(remainingHeader: string | null | undefined, limitHeader: string | null | undefined): RateAllowance | undefined {
  const remaining = parseRateLimitHeader(remainingHeader);
  if (remaining === undefined) return undefined;
  const limit = parseRateLimitHeader(limitHeader);
  const windowSeconds = remaining.windowSeconds ?? limit?.windowSeconds;
  return {
    remaining: remaining.count,
    ...(limit !== undefined ? { limit: limit.count } : {}),
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
  };
}

/** Keeps the last allowance any answer announced (every attempt, retries and 429s included). */
export class AllowanceRecorder {
  private last?: RateAllowance;

  readonly policy: PipelinePolicy = {
    name: 'acrTransferRateAllowance',
    sendRequest: async (request, next) => {
      const response = await next(request);
      const allowance = allowanceOf(response.headers.get('ratelimit-remaining'), response.headers.get('ratelimit-limit'));
      if (allowance !== undefined) this.last = allowance;
      return response;
    },
  };

  current(): RateAllowance | undefined {
    return this.last === undefined ? undefined : { ...this.last };
  }
}
