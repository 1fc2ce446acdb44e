/**
 * A few lines of HTTPS for the OCI distribution API that sign in as the registry's 401
 * challenge asks: `Basic` (the credentials on the request) or `Bearer realm=…,service=…,scope=…`
 * (a token from the realm, with Basic credentials when there are any, anonymous otherwise).
 * The test pusher and the emulator's import of a remote registry both use it. `allowHost`
 * is asked before every connection, the realm's included, so a caller can keep requests on
 * 127.0.0.1. Credentials never appear in an error it throws.
 */
import * as https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** The CA(s) the registry's and the realm's certificates chain to. */
  ca: string | string[];
  credentials?: RegistryCredentials;
  /** Asked with `host:port` before every connection; false refuses it (HostNotAllowed). */
  allowHost?: (host: string) => boolean;
  /** Told of every exchange (the realm's included): no query, no credentials; status 0 when no answer came. */
  onAnswer?: (read: { host: string; method: string; path: string; status: number }) => void;
}

export interface RegistryAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export class HostNotAllowed extends Error {
  constructor(readonly host: string) {
    super(`requests to ${host} are not allowed`);
  }
}

/** `Bearer realm="…",service="…",scope="…"` → its scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const re = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of (space < 0 ? '' : header.slice(space + 1)).matchAll(re)) {
    params[(m[1] ?? '').toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { scheme, params };
}

/** The repository a `/v2/<name>/…` path works on: the key its signed-in header is kept under. */
function repositoryOf(path: string): string {
  const m = /^\/v2\/(.+?)\/(?:manifests|blobs|tags|referrers)\//.exec(path);
  return m?.[1] ?? '';
}

export class RegistryClient {
  private readonly authorization = new Map<string, string>();

  constructor(private readonly options: RegistryClientOptions) {}

  get host(): string {
    return this.options.host;
  }

  /** One request to the registry, signed in as a 401 asks; `target` is a path or an absolute URL on the registry's host. */
  async request(method: string, target: string, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<RegistryAnswer> {
    const url = new URL(target, `https://${this.options.host}`);
    if (url.host !== this.options.host) throw new HostNotAllowed(url.host);
    const key = repositoryOf(url.pathname);
    const send = (authorization: string | undefined): Promise<RegistryAnswer> =>
      this.send(method, url, { ...(init.headers ?? {}), ...(authorization ? { authorization } : {}) }, init.body);
    const first = await send(this.authorization.get(key));
    if (first.status !== 401) return first;
    const header = await this.signIn(first.headers['www-authenticate']);
    if (header === undefined) return first;
    const second = await send(header);
    if (second.status !== 401) this.authorization.set(key, header);
    return second;
  }

  /** The Authorization header a challenge asks for, or undefined when it cannot be met (the 401 stands). */
  private async signIn(challenge: string | string[] | undefined): Promise<string | undefined> {
    const text = Array.isArray(challenge) ? challenge[0] : challenge;
    if (!text) return undefined;
    const { scheme, params } = parseChallenge(text);
    const { credentials } = this.options;
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    if (scheme === 'basic') return basic;
    if (scheme !== 'bearer' || !params.realm) return undefined;
    const realm = new URL(params.realm);
    if (realm.protocol !== 'https:') return undefined;
    if (params.service) realm.searchParams.set('service', params.service);
    for (const s of (params.scope ?? '').split(' ').filter((x) => x !== '')) realm.searchParams.append('scope', s);
    const answer = await this.send('GET', realm, basic ? { authorization: basic } : {});
    if (answer.status !== 200) return undefined;
    const body = JSON.parse(answer.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    return token ? `Bearer ${token}` : undefined;
  }

  private send(method: string, url: URL, headers: Record<string, string>, body?: Buffer): Promise<RegistryAnswer> {
    if (url.protocol !== 'https:') return Promise.reject(new Error(`only https is spoken, not ${url.protocol}`));
    if (this.options.allowHost && !this.options.allowHost(url.host)) return Promise.reject(new HostNotAllowed(url.host));
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          method,
          host: url.hostname,
          port: url.port || 443,
          path: url.pathname + url.search,
          ca: this.options.ca,
          agent: false,
          headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            this.options.onAnswer?.({ host: url.host, method, path: url.pathname, status: res.statusCode ?? 0 });
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.host}${url.pathname} timed out`)));
      req.on('error', (e) => {
        this.options.onAnswer?.({ host: url.host, method, path: url.pathname, status: 0 });
        reject(e);
      });
      req.end(body);
    });
  }
}
