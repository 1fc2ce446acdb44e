import type { SyncOptions } from './options';

/** The validated options that tune the front end's HTTP clients, in the Transport's units. */
export function transportSettings(options: Pick<SyncOptions, 'requestTimeoutSeconds' | 'maxReadsPerSecond'>): {
  requestTimeoutMs: number;
  maxReadsPerSecond?: number;
} {
  return {
    requestTimeoutMs: Math.round(options.requestTimeoutSeconds * 1000),
    ...(options.maxReadsPerSecond !== undefined ? { maxReadsPerSecond: options.maxReadsPerSecond } : {}),
  };
}
