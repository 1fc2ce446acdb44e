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
 * The shape of a recorded array's elements: an object's keys recorded in every element are
 * required, those recorded in some are allowed (an untagged manifest has no `tags`, a tagged
 * one has), each with the first value recorded for it.
 */
interface ElementShape {
  value: unknown;
  optional: ReadonlySet<string>;
}

function elementShape(elements: readonly unknown[]): ElementShape {
  const first = elements[0];
  if (kind(first) !== 'object' || !elements.every((e) => kind(e) === 'object')) return { value: first, optional: new Set() };
  const merged: Record<string, unknown> = {};
  for (const e of elements as Record<string, unknown>[]) for (const [k, v] of Object.entries(e)) if (!(k in merged)) merged[k] = v;
  const optional = new Set(Object.keys(merged).filter((k) => !(elements as Record<string, unknown>[]).every((e) => k in e)));
  return { value: merged, optional };
}

/**
 * Where `actual` lacks the shape of `expected`: every key of `expected` must exist in
 * `actual` with the same JSON type (arrays: every actual element against the recorded
 * elements' shape). `ignore` holds paths like `$.tags.key` or `$.manifests[].quarantineState`.
 * `direction: 'both'` also reports keys `actual` has and the recording lacks — for
 * recordings that are the whole body, where an extra key is the emulator inventing a field.
 */
export function shapeDifferences(
  expected: unknown,
  actual: unknown,
  ignore: readonly string[] = [],
  path = '$',
  direction: 'recorded' | 'both' = 'recorded',
  optional: ReadonlySet<string> = new Set(),
): string[] {
  if (ignore.includes(path)) return [];
  if (kind(expected) !== kind(actual)) return [`${path}: expected ${kind(expected)}, got ${kind(actual)}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length === 0) return [];
    if (actual.length === 0) return [`${path}: expected a non-empty array`];
    const shape = elementShape(expected);
    return actual.flatMap((a) => shapeDifferences(shape.value, a, ignore, `${path}[]`, direction, shape.optional));
  }
  if (kind(expected) === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const missing = Object.keys(e).flatMap((k) => {
      if (k in a) return shapeDifferences(e[k], a[k], ignore, `${path}.${k}`, direction);
      return optional.has(k) || ignore.includes(`${path}.${k}`) ? [] : [`${path}.${k}: missing`];
    });
    const extra = direction === 'both' ? Object.keys(a).filter((k) => !(k in e) && !ignore.includes(`${path}.${k}`)).map((k) => `${path}.${k}: not in the recording`) : [];
    return [...missing, ...extra];
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
