/**
 * Faults that act on a route's own 200 answer instead of replacing it: a body that stalls
 * half-way, a next-page link that never ends, a body too large to hold. Each takes the
 * answer as the service would send it (status, headers, body) and writes it its own way; the
 * harness (http.ts) decides when one applies.
 */
import type { ServerResponse } from 'node:http';
import type { FaultRule } from './api';

export type AnswerFault = Extract<FaultRule, { kind: 'stall' | 'endlessPaging' | 'oversized' }>;

export function isAnswerFault(rule: FaultRule | undefined): rule is AnswerFault {
  return rule?.kind === 'stall' || rule?.kind === 'endlessPaging' || rule?.kind === 'oversized';
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const ENDLESS = /^~endless-(\d+)$/;

/**
 * The `Link` to the page after this one in an endless chain, in the recorded form: the first
 * is `~endless-1`, the one after `~endless-<n>` is `~endless-<n+1>`. `~` sorts after every
 * repository and tag name, so the route answers those pages empty.
 */
export function endlessLink(path: string, query: URLSearchParams): string {
  const current = ENDLESS.exec(query.get('last') ?? '');
  const next = `~endless-${current ? Number(current[1]) + 1 : 1}`;
  const n = query.get('n');
  return `<${path}?last=${encodeURIComponent(next)}${n !== null ? `&n=${encodeURIComponent(n)}` : ''}&orderby=>; rel="next"`;
}

/** The head and the first `afterBytes` of the body (default half), then nothing: the socket stays open. */
export function writeStalled(res: ServerResponse, answer: Answer, afterBytes?: number): void {
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(answer.body.length) });
  const sent = Math.min(answer.body.length, afterBytes ?? Math.floor(answer.body.length / 2));
  res.write(answer.body.subarray(0, sent));
}

/** Spaces to pad with, one chunk at a time. */
const PADDING = Buffer.alloc(64 * 1024, 0x20);

/**
 * The answer padded with spaces to `bytes` (JSON allows trailing white space, so it is the
 * same answer, only too long), chunked, honouring back-pressure; it stops as soon as the
 * client goes away or the emulator stops (`gone`).
 */
export function writeOversized(res: ServerResponse, answer: Answer, bytes: number, gone: () => boolean): void {
  const headers = { ...answer.headers };
  delete headers['Content-Length'];
  res.writeHead(answer.status, headers);
  let left = Math.max(0, bytes - answer.body.length);
  const pour = (): void => {
    while (left > 0) {
      if (gone()) return;
      const chunk = left >= PADDING.length ? PADDING : PADDING.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pour);
        return;
      }
    }
    if (!gone()) res.end();
  };
  res.write(answer.body);
  pour();
}
