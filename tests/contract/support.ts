/**
 * Reading the copied contract files and comparing the emulator's answers with them: JSON
 * shape (every recorded field present, with the same JSON type), recorded headers present,
 * and headers the recording lacks absent too.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';

/** tests/fixtures/contracts, from build/tests/contract at run time. */
const CONTRACTS = resolve(__dirname, '../../../tests/fixtures/contracts');

export function readContract<T = any>(relativePath: string): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(readFileSync(resolve(CONTRACTS, relativePath), 'utf8')) as T;
}

/** One entry of a test-proxy recording (or a transcription into that form). */
export interface RecordedEntry {
  RequestUri: string;
  RequestMethod: string;
  RequestHeaders?: Record<string, string | string[]>;
  RequestBody: unknown;
  StatusCode: number;
  ResponseHeaders: Record<string, string | string[]>;
  ResponseBody: unknown;
}

export interface Recording {
  Entries: RecordedEntry[];
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Where `actual` lacks the shape of `expected`: every key of `expected` must exist in
 * `actual` with the same JSON type (arrays: the first expected element against every actual
 * element). `ignore` holds paths like `$.tags.key` or `$.manifests[].quarantineState`.
 */
export function shapeDifferences(expected: unknown, actual: unknown, ignore: readonly string[] = [], path = '$'): string[] {
  if (ignore.includes(path)) return [];
  if (kind(expected) !== kind(actual)) return [`${path}: expected ${kind(expected)}, got ${kind(actual)}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length === 0) return [];
    if (actual.length === 0) return [`${path}: expected a non-empty array`];
    return actual.flatMap((a) => shapeDifferences(expected[0], a, ignore, `${path}[]`));
  }
  if (kind(expected) === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    return Object.keys(e).flatMap((k) => (k in a ? shapeDifferences(e[k], a[k], ignore, `${path}.${k}`) : ignore.includes(`${path}.${k}`) ? [] : [`${path}.${k}: missing`]));
  }
  return [];
}

/** A recorded header value (arrays are repeated header lines, which HTTP joins with ", "). */
export function recordedHeader(headers: Record<string, string | string[]>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const v = headers[key];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function actualHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
