/**
 * What the emulator's own tests share: a raw HTTPS client that trusts the emulator's CA (no
 * TLS check is ever switched off), fixture builders, and the token steps tests need to reach
 * protected routes (Entra client credentials, ACR exchange and token).
 */
import * as https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Emulator, Fixture, PrincipalFixture, RegistryFixture, RoleAssignment, TagFixture } from '../../testkit/emulator/api';

export const TENANT = '7e5a1c2b-0000-4000-8000-00000000a0d1';
export const OTHER_TENANT = '9f9f9f9f-0000-4000-8000-00000000b0d2';
export const SUB_A = 'aaaaaaaa-0000-4000-8000-000000000001';
export const SUB_B = 'bbbbbbbb-0000-4000-8000-000000000002';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** Raw header lines, to see repeated headers as sent. */
  rawHeaders: string[];
  body: Buffer;
  text: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Resolve with an error instead of rejecting (for resets). */
  timeoutMs?: number;
}

/** One HTTPS request trusting `ca`; rejects on a transport error (reset, timeout). */
export function request(ca: string, url: string, options: RequestOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: options.method ?? 'GET', headers: options.headers, ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body,
          text,
          json: () => JSON.parse(text), // eslint-disable-line @typescript-eslint/no-unsafe-return
        });
      });
    });
    req.on('error', reject);
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
    }
    req.end(options.body);
  });
}

export const form = (fields: Record<string, string | string[]>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) p.append(k, one);
  return p.toString();
};

export const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/**
 * An Accept naming every manifest type, as the Azure SDKs send it ("request every known
 * manifest media type", azure-sdk-for-net#35084): a registry answers a manifest a client does
 * not accept with 404 MANIFEST_UNKNOWN (OCI) or another manifest (a Docker list's image).
 */
export const ACCEPT_MANIFESTS = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.artifact.manifest.v1+json',
].join(', ');

export function registryId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${name}`;
}

export function principal(clientId: string, roles: RoleAssignment[], extra: Partial<PrincipalFixture> = {}): PrincipalFixture {
  return { tenantId: TENANT, clientId, secret: `secret-of-${clientId}`, roles, ...extra };
}

export function images(n: number, prefix = 't', seed = 's'): Record<string, TagFixture> {
  const tags: Record<string, TagFixture> = {};
  for (let i = 0; i < n; i++) tags[`${prefix}${i}`] = { content: { kind: 'image', seed: `${seed}-${i}` } };
  return tags;
}

/**
 * The usual world: `src` (rg src-rg) with a few repositories and `dst` (rg dst-rg), both in
 * SUB_A; `owner` is Owner of SUB_A.
 */
export function basicFixture(overrides: Partial<Fixture> = {}): Fixture {
  return {
    ...sourceAndDstFixture({
      name: 'src',
      resourceGroup: 'src-rg',
      repositories: {
        app: { '1.0': { content: { kind: 'image', seed: 'app-1' } }, '1.1': { content: { kind: 'image', seed: 'app-2' } } },
        'team/multi': { v1: { content: { kind: 'index', seed: 'multi', platforms: ['linux/amd64', 'linux/arm64/v8'] } } },
        charts: { '0.1.0': { content: { kind: 'helm', seed: 'c', chart: 'demo', version: '0.1.0' } } },
      },
    }),
    ...overrides,
  };
}

/**
 * `source` and an empty `dst` (rg dst-rg), both in SUB_A; `owner` is Owner of SUB_A, and
 * `principals` come after it.
 */
export function sourceAndDstFixture(source: RegistryFixture, principals: PrincipalFixture[] = []): Fixture {
  return {
    principals: [principal('owner', [{ role: 'Owner', scope: `/subscriptions/${SUB_A}` }]), ...principals],
    subscriptions: [{ id: SUB_A, tenantId: TENANT, registries: [source, { name: 'dst', resourceGroup: 'dst-rg' }] }],
  };
}

/** An Entra access token for a principal with a secret, by the raw v2 endpoint. */
export async function entraToken(em: Emulator, clientId: string, resource: string, tenant = TENANT, secret = `secret-of-${clientId}`): Promise<string> {
  const res = await request(em.caPem, `${em.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: FORM,
    body: form({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: `${resource}/.default` }),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.json<{ access_token: string }>().access_token;
}

/** The raw answer of a registry's `/oauth2/exchange` for a principal's Entra token (no tenant sent). */
export async function acrExchange(em: Emulator, registryName: string, clientId: string, timeoutMs?: number): Promise<HttpResult> {
  const host = em.registry(registryName).loginServer;
  const aad = await entraToken(em, clientId, em.acrAudience);
  return request(em.caPem, `https://${host}/oauth2/exchange`, { method: 'POST', headers: FORM, body: form({ grant_type: 'access_token', service: host, access_token: aad }), timeoutMs });
}

/** The ACR access token for `scopes` on a registry, through exchange and token. */
export async function acrAccessToken(em: Emulator, registryName: string, clientId: string, scopes: string[]): Promise<string> {
  const host = em.registry(registryName).loginServer;
  const aad = await entraToken(em, clientId, em.acrAudience);
  const ex = await request(em.caPem, `https://${host}/oauth2/exchange`, {
    method: 'POST',
    headers: FORM,
    body: form({ grant_type: 'access_token', service: host, tenant: TENANT, access_token: aad }),
  });
  if (ex.status !== 200) throw new Error(`exchange failed: ${ex.status} ${ex.text}`);
  const tok = await request(em.caPem, `https://${host}/oauth2/token`, {
    method: 'POST',
    headers: FORM,
    body: form({ grant_type: 'refresh_token', service: host, scope: scopes, refresh_token: ex.json<{ refresh_token: string }>().refresh_token }),
  });
  if (tok.status !== 200) throw new Error(`token failed: ${tok.status} ${tok.text}`);
  return tok.json<{ access_token: string }>().access_token;
}

/** Claims of a JWT, unverified (tests look at what the emulator put in). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
