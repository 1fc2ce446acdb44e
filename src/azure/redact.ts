/**
 * Turns errors and service messages into one line that is safe for logs, reports and pipeline
 * annotations. Azure messages quote the caller's object id, the subscription and full resource
 * ids ("… over scope '/subscriptions/…'"), and a stray stack or URL can carry a token or a
 * signed query. Those are replaced by markers; the service's code and wording are kept, since
 * they are what a user needs to fix a role assignment or a network rule.
 */
import { networkFailureIn } from './http/networkFailure';

export const REDACTED_TOKEN = '[redacted-token]';
export const REDACTED_ID = '[redacted-id]';
export const REDACTED_RESOURCE = '[redacted-resource-id]';
export const REDACTED_SECRET = '[redacted]';
export const REDACTED_QUERY = '[redacted-query]';

const MAX_LENGTH = 1000;

const RULES: [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  // Authorization header values: `Bearer <anything>`, `Basic <anything>`.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, (_m, scheme: string) => `${scheme} ${REDACTED_TOKEN}`],
  // JWTs (Entra and ACR tokens, client assertions) wherever they appear.
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED_TOKEN],
  // Form or query fields that carry secrets.
  [
    /\b(access_token|refresh_token|id_token|client_secret|client_assertion|password|assertion|sig|signature)(["']?\s*[=:]\s*["']?)[^\s&"',;]+/gi,
    (_m, key: string, sep: string) => `${key}${sep}${REDACTED_SECRET}`,
  ],
  // URL query strings (operation Location URLs carry signed values).
  [/(https?:\/\/[^\s?'"<>]+)\?[^\s'"<>]+/gi, (_m, base: string) => `${base}?${REDACTED_QUERY}`],
  // ARM resource ids and anything below a subscription, also URL-encoded inside another URL's
  // path or query (`…%2Fsubscriptions%2F<id>%2FresourceGroups…`).
  [/(?:\/|%2F)subscriptions(?:\/|%2F)[^\s'"<>,;)&]+/gi, REDACTED_RESOURCE],
  // GUIDs: subscription ids, tenant ids, object/client ids, correlation ids. No word boundary
  // before one: in `%2F<guid>` the F and the GUID's first digit are both word characters.
  [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])/gi, REDACTED_ID],
];

/**
 * Secrets this process read itself (the command line's AZURE_CLIENT_SECRET and certificate
 * password), replaced wherever they appear: a service that echoes the secret it was sent would
 * otherwise print it, since a bare secret has no shape the rules above know. The task registers
 * its secrets with the agent instead, which masks them in the log.
 */
const registeredSecrets = new Set<string>();

/** Shorter values would mask ordinary words; no real client secret or password is that short. */
const MIN_SECRET_LENGTH = 6;

export function registerSecret(secret: string | undefined): void {
  if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) registeredSecrets.add(secret);
}

/** Replaces every registered secret (only those: nothing else is touched). */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of registeredSecrets) out = out.split(secret).join(REDACTED_SECRET);
  return out;
}

/** Redacts a text and folds it onto one line (at most 1000 characters). */
export function redactText(text: string): string {
  let out = redactSecrets(text);
  for (const [pattern, replacement] of RULES) {
    out = out.replace(pattern, replacement as (substring: string, ...args: string[]) => string);
  }
  // Keep the full sentence but never let a stray secret-bearing dump flood a log line.
  out = out.replace(/\s+/g, ' ').trim();
  if (out.length > MAX_LENGTH) out = `${out.slice(0, MAX_LENGTH - 1)}…`;
  return out;
}

/** What callers need of a failure: a safe one-line message and the service's code. */
export interface DescribedError {
  message: string;
  code?: string;
  statusCode?: number;
}

/**
 * Describes any thrown value as `<code>: <message>` (the code only when the message does not
 * already start with it), redacted. Understands RestError (code, statusCode, the ARM
 * `{"error":{code,message}}` body) and the data plane's `{"errors":[{code,message}]}`.
 */
export function describeError(error: unknown): DescribedError {
  // A connection-level failure is already its own line (host, cause, fix), wherever it is wrapped.
  const network = networkFailureIn(error);
  if (network !== undefined) return { message: redactText(network.message), code: network.code };
  const found = findCodeAndMessage(error);
  const code = found.code;
  let message = found.message.trim() === '' ? 'unknown error' : found.message;
  if (code && !message.startsWith(code)) message = `${code}: ${message}`;
  return {
    message: redactText(message),
    ...(code ? { code } : {}),
    ...(found.statusCode !== undefined ? { statusCode: found.statusCode } : {}),
  };
}

/** `describeError(error).message`. */
export function oneLineError(error: unknown): string {
  return describeError(error).message;
}

interface RawDescription {
  message: string;
  code?: string;
  statusCode?: number;
}

function findCodeAndMessage(error: unknown): RawDescription {
  if (typeof error === 'string') return { message: error };
  if (error === null || typeof error !== 'object') return { message: String(error) };
  const e = error as {
    message?: unknown;
    code?: unknown;
    statusCode?: unknown;
    details?: unknown;
    response?: { bodyAsText?: unknown; status?: unknown };
  };
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const fromBody = serviceErrorOf(e.details) ?? serviceErrorOfText(e.response?.bodyAsText);
  const code = typeof e.code === 'string' && e.code !== '' ? e.code : fromBody?.code;
  let message = typeof e.message === 'string' ? e.message : '';
  if (fromBody?.message && (message === '' || /^Unexpected status code/i.test(message))) message = fromBody.message;
  return { message, ...(code ? { code } : {}), ...(statusCode !== undefined ? { statusCode } : {}) };
}

/** `{error:{code,message}}` (ARM), `{code,message}` or `{errors:[{code,message}]}` (ACR). */
export function serviceErrorOf(body: unknown): { code?: string; message?: string } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as { error?: unknown; errors?: unknown; code?: unknown; message?: unknown };
  if (Array.isArray(b.errors) && b.errors.length > 0) {
    const parts = b.errors.map((item) => serviceErrorOf(item)).filter((x) => x !== undefined);
    if (parts.length === 0) return undefined;
    const first = parts[0];
    const message = parts.map((p) => (p.code && p.message ? `${p.code}: ${p.message}` : p.message ?? p.code)).join('; ');
    return { ...(first.code ? { code: first.code } : {}), message };
  }
  if (b.error !== undefined) return serviceErrorOf(b.error);
  const code = typeof b.code === 'string' ? b.code : undefined;
  const message = typeof b.message === 'string' ? b.message : undefined;
  if (code === undefined && message === undefined) return undefined;
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

function serviceErrorOfText(text: unknown): { code?: string; message?: string } | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    return serviceErrorOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}
