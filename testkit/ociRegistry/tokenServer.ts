/**
 * The token server of a registry in token mode (the Docker token flow distribution 2.8 speaks):
 * `GET /token?service=…&scope=repository:<name>:pull,push[&scope=…]` with Basic credentials of
 * a known user → `{token, access_token, expires_in, issued_at}`, an RS256 JWT granting every
 * scope asked for. Wrong credentials → 401; no credentials → a token that grants nothing (as
 * Docker Hub's auth server answers anonymous pulls of private repositories), so the registry
 * then refuses the request itself. Every request is counted.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import * as https from 'node:https';
import type { TokenSigner } from './signer';

export interface RegistryUser {
  username: string;
  password: string;
}

export interface TokenServer {
  realm: string;
  requests(): number;
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `Authorization: Basic` → the user it names, 'anonymous' without one, undefined when wrong. */
function caller(header: string | undefined, users: readonly RegistryUser[]): RegistryUser | 'anonymous' | undefined {
  if (!header) return 'anonymous';
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match) return undefined;
  const text = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const username = text.slice(0, colon);
  const password = text.slice(colon + 1);
  return users.find((u) => u.username === username && sameSecret(u.password, password));
}

/** `repository:team/app:pull,push` → the access claim entry (a repository name may hold no ':'). */
function accessEntry(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter((a) => a !== '') };
}

export async function startTokenServer(options: {
  tls: { certPem: string; keyPem: string };
  signer: TokenSigner;
  service: string;
  issuer: string;
  users: readonly RegistryUser[];
}): Promise<TokenServer> {
  let requests = 0;
  const server = https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (req, res) => {
    requests += 1;
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      if (req.method !== 'GET' || url.pathname !== '/token') {
        res.writeHead(404).end();
        return;
      }
      const who = caller(req.headers.authorization, options.users);
      if (who === undefined) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        return;
      }
      const access = who === 'anonymous' ? [] : url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).map(accessEntry).filter((a) => a !== undefined);
      const now = Math.floor(Date.now() / 1000);
      const header = { typ: 'JWT', alg: 'RS256', x5c: [options.signer.certBase64] };
      const claims = {
        iss: options.issuer,
        sub: who === 'anonymous' ? '' : who.username,
        aud: url.searchParams.get('service') ?? options.service,
        exp: now + 300,
        nbf: now - 60,
        iat: now,
        jti: randomUUID(),
        access,
      };
      const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
      const token = `${signingInput}.${b64url(await options.signer.sign(Buffer.from(signingInput)))}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    realm: `https://127.0.0.1:${port}/token`,
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
