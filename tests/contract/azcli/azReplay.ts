/**
 * Replaying what the real Azure CLI 2.45 sent (tests/fixtures/contracts/azcli, copied from the
 * shared contracts/azcli; its README says why only the requests count): each recorded request
 * goes to the emulator with its method, path, query, headers, form fields in their order and
 * JSON body as az sent them. Only these are replaced:
 * - recorded hosts (127.0.0.1:8443/8444, `<name>.acr.test`, login.microsoftonline.com) by the
 *   emulator's;
 * - redacted credentials: a bearer or `access_token` by the emulator's token of the audience the
 *   redaction kept, `refresh_token` by the one the replay got, `client_secret` and the managed
 *   identity `secret` by the emulator's;
 * - live URLs: an import poll goes to the `Location` the emulator answered (az polls what it got);
 * - what a test names itself: a digest the stand-in invented (`rewrite`).
 * The stand-in's answers are never compared: tests assert what Azure answers and what az reads.
 */
import { strict as assert } from 'node:assert';
import type { Emulator, Fixture, PrincipalFixture, TagFixture } from '../../../testkit/emulator';
import { TENANT, principal, request, type HttpResult } from '../../emulator/support';
import { readContract } from '../support';

export { TENANT };
export const SUB_A = 'aaaaaaaa-0000-4000-8000-000000000001';
export const SUB_B = 'bbbbbbbb-0000-4000-8000-000000000002';
/** The service principal az signed in with (`login-sp`). */
export const CLIENT = 'c11e47a1-0000-4000-8000-0000000000c1';
/** The machine's system-assigned identity (`login --identity`). */
export const MSI_CLIENT = '5a1e0000-0000-4000-8000-0000000000d1';

export interface AzRequest {
  method: string;
  url: string;
  host: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: null | { json: unknown } | { form: Record<string, string>; form_field_order: string[] };
}

export interface AzExchange {
  n: number;
  listener: 'aad' | 'arm' | 'acr';
  request: AzRequest;
  /** The stand-in's answer: only its status is ever looked at, as what az got. */
  response: { status: number };
}

/** One entry of `_commands.json`: what az was run with and what it made of the answers. */
export interface AzCommand {
  argv: string[];
  server_knobs: Record<string, unknown>;
  exit_code: number;
  requests: number;
  stdout: unknown;
  stderr: string[];
}

export const recording = (name: string): AzExchange[] => readContract<AzExchange[]>(`azcli/${name}.json`);
export const command = (name: string): AzCommand => {
  const commands = readContract<Record<string, AzCommand>>('azcli/_commands.json');
  const found = commands[name];
  if (!found) throw new Error(`_commands.json has no ${name}`);
  return found;
};

/** The recording's world: two registries in subscription A, one in B; az's principal and the machine's identity own both. */
export function azFixture(options: { policy?: 'enabled' | 'disabled'; dst?: Record<string, Record<string, TagFixture>> } = {}): Fixture {
  const image = (seed: string): TagFixture => ({ content: { kind: 'image', format: 'docker', seed } });
  const repositories: Record<string, Record<string, TagFixture>> = {
    app: { '1.0': image('app-1.0'), '1.1': image('app-1.1'), latest: image('app-1.0') },
    big: {},
  };
  // 104 tags: `_tags?orderby=timedesc` pages at t004, as recorded; 105 repositories: `_catalog` pages at team/svc-097.
  for (let i = 0; i < 104; i++) repositories.big[`t${String(i).padStart(3, '0')}`] = image(`big-${i}`);
  for (let i = 0; i < 103; i++) repositories[`team/svc-${String(i).padStart(3, '0')}`] = { v1: image(`svc-${i}`) };
  const owner = [{ role: 'Owner' as const, scope: `/subscriptions/${SUB_A}` }, { role: 'Owner' as const, scope: `/subscriptions/${SUB_B}` }];
  const identity: PrincipalFixture = { tenantId: TENANT, clientId: MSI_CLIENT, managedIdentity: 'systemAssigned', roles: owner };
  return {
    principals: [principal(CLIENT, owner), identity],
    subscriptions: [
      {
        id: SUB_A,
        tenantId: TENANT,
        displayName: 'Emu Subscription A (dst)',
        registries: [
          { name: 'srcreg', resourceGroup: 'src-rg', sku: 'Premium', repositories, azureADAuthenticationAsArmPolicy: options.policy ?? 'enabled' },
          { name: 'dstreg', resourceGroup: 'dst-rg', sku: 'Standard', repositories: options.dst ?? {} },
        ],
      },
      {
        id: SUB_B,
        tenantId: TENANT,
        displayName: 'Emu Subscription B (src)',
        registries: [
          {
            name: 'srcregb',
            resourceGroup: 'src-rg-b',
            location: 'eastus',
            sku: 'Standard',
            repositories: { app: { '1.0': image('appb-1.0'), '1.1': image('appb-1.1'), latest: image('appb-1.0') } },
          },
        ],
      },
    ],
  };
}

/** The claims a redaction kept: `<jwt {…}>` inside `Bearer …` or `<redacted …>`. */
export function redactedClaims(value: string): Record<string, unknown> {
  const json = /<jwt (\{.*\})>/.exec(value)?.[1];
  if (!json) throw new Error(`no redacted JWT in ${value.slice(0, 60)}`);
  return JSON.parse(json) as Record<string, unknown>;
}

const audienceKey = (aud: string): string => aud.replace(/\/+$/, '').toLowerCase();

/** Headers az sent, minus those the transport sets itself and the (redacted) credentials. */
export function forwardedHeaders(headers: Record<string, string>): Record<string, string> {
  const skip = new Set(['host', 'authorization', 'content-length', 'connection', 'accept-encoding', 'secret']);
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !skip.has(k.toLowerCase())));
}

export const isPoll = (x: AzExchange): boolean => /\/(operationResults|operationStatuses)\//.test(x.request.path);
export const isImportPost = (x: AzExchange): boolean => x.request.method === 'POST' && x.request.path.endsWith('/importImage');

export interface Step {
  x: AzExchange;
  res: HttpResult;
}

/** One az invocation against the emulator: the tokens, refresh token and Location az would hold. */
export class AzReplay {
  /** Entra access tokens by audience (no trailing slash): from a replayed token request or managed-identity call. */
  private readonly entra = new Map<string, string>();
  refresh = '';
  access = '';
  location = '';
  /** Recorded text (a digest the stand-in invented) → the emulator's, in JSON bodies. */
  readonly rewrite = new Map<string, string>();

  constructor(readonly em: Emulator) {}

  /** az's cached ARM token: what `login-sp`'s token request (its form, replayed) gets. */
  async signIn(): Promise<this> {
    const token = recording('login-sp').find((x) => x.request.path.endsWith('/oauth2/v2.0/token'));
    if (!token) throw new Error('login-sp has no token request');
    const res = await this.send(token);
    assert.equal(res.status, 200, res.text);
    return this;
  }

  entraToken(aud: string): string {
    const token = this.entra.get(audienceKey(aud));
    if (!token) throw new Error(`the replay holds no Entra token for ${aud}`);
    return token;
  }

  /** The emulator's host for a recorded one. */
  hostFor(x: AzExchange): string {
    const r = x.request;
    if (x.listener === 'arm') return new URL(this.em.armEndpoint).host;
    if (x.listener === 'aad') return new URL(r.path.startsWith('/msi/') ? this.em.managedIdentity.endpoint : this.em.authorityHost).host;
    const name = /^([a-z0-9]+)\.acr\.test$/.exec(r.host)?.[1];
    if (!name) throw new Error(`no emulated host for ${r.host}`);
    return this.em.registry(name).loginServer;
  }

  urlFor(x: AzExchange): string {
    if (isPoll(x)) {
      if (!this.location) throw new Error(`#${x.n} polls, but no import answered a Location`);
      return this.location;
    }
    return `https://${this.hostFor(x)}${x.request.path}${x.request.query ? `?${x.request.query}` : ''}`;
  }

  private form(x: AzExchange, body: { form: Record<string, string>; form_field_order: string[] }): string {
    const out = new URLSearchParams();
    for (const k of body.form_field_order) {
      const v = body.form[k] ?? '';
      if (k === 'access_token') out.append(k, this.entraToken(String(redactedClaims(v).aud)));
      else if (k === 'refresh_token') out.append(k, this.refresh);
      else if (k === 'service') out.append(k, this.hostFor(x));
      else if (k === 'client_secret') out.append(k, `secret-of-${body.form.client_id ?? ''}`);
      else out.append(k, v);
    }
    return out.toString();
  }

  private json(value: unknown): string {
    let text = JSON.stringify(value);
    for (const [from, to] of this.rewrite) text = text.split(from).join(to);
    // A registry named by its login server (`registryUri`): the recorded host is the emulator's.
    return text.replace(/"([a-z0-9]+)\.acr\.test"/g, (_m, name: string) => JSON.stringify(this.em.registry(name).loginServer));
  }

  /** Sends one recorded request; `url` overrides where it goes (a next link az got live). */
  async send(x: AzExchange, url?: string): Promise<HttpResult> {
    const r = x.request;
    const headers = forwardedHeaders(r.headers);
    const auth = r.headers.Authorization;
    if (auth) headers.Authorization = `Bearer ${x.listener === 'acr' ? this.access : this.entraToken(String(redactedClaims(auth).aud))}`;
    if (r.headers.secret !== undefined) headers.secret = this.em.managedIdentity.header;
    let body: string | undefined;
    if (r.body && 'form' in r.body) body = this.form(x, r.body);
    else if (r.body && 'json' in r.body) body = this.json(r.body.json);
    const res = await request(this.em.caPem, url ?? this.urlFor(x), { method: r.method, headers, body });
    this.remember(x, res);
    return res;
  }

  /** What az keeps from an answer: tokens, the refresh token, an import's Location. */
  private remember(x: AzExchange, res: HttpResult): void {
    const r = x.request;
    // az polls the Location it got last: the POST's, then any a running poll answers.
    if (isImportPost(x)) this.location = '';
    if ((isImportPost(x) || isPoll(x)) && res.status === 202 && res.headers.location) this.location = String(res.headers.location);
    if (res.status !== 200) return;
    if (r.path === '/oauth2/exchange') this.refresh = res.json<{ refresh_token: string }>().refresh_token;
    else if (x.listener === 'acr' && r.path === '/oauth2/token') this.access = res.json<{ access_token: string }>().access_token;
    else if (x.listener === 'aad' && /\/oauth2\/v2\.0\/token$/.test(r.path) && r.body && 'form' in r.body) {
      const scope = (r.body.form.scope ?? '').replace(/\/\.default$/, '');
      this.entra.set(audienceKey(scope), res.json<{ access_token: string }>().access_token);
    } else if (r.path.startsWith('/msi/')) {
      const answer = res.json<{ access_token: string; resource: string }>();
      this.entra.set(audienceKey(answer.resource), answer.access_token);
    }
  }

  /** Replays requests in order; `before` runs ahead of each (to land an import where az waited). */
  async replay(exchanges: readonly AzExchange[], before?: (x: AzExchange) => void): Promise<Step[]> {
    const steps: Step[] = [];
    for (const x of exchanges) {
      before?.(x);
      steps.push({ x, res: await this.send(x) });
    }
    return steps;
  }
}

/** Each step answered what Azure answers where that is what az got: the recorded status. */
export function assertRecordedStatuses(steps: readonly Step[]): void {
  for (const { x, res } of steps) assert.equal(res.status, x.response.status, `#${x.n} ${x.request.method} ${x.request.path}: ${res.text}`);
}

/** What az's challenge parser accepts: split on the first space, then on commas, no space after them. */
export function parseLikeAz(header: string): Record<string, string> {
  const space = header.indexOf(' ');
  assert.equal(header.slice(0, space), 'Bearer');
  return Object.fromEntries(
    header
      .slice(space + 1)
      .split(',')
      .map((part) => {
        const [k = '', v = ''] = part.split('=');
        assert.equal(k, k.trim(), 'no space after a comma');
        return [k, v.replace(/^"|"$/g, '')];
      }),
  );
}

interface RegistryAnswer {
  id: string;
  name: string;
  sku: { name: string };
  properties: { loginServer: string; policies: { azureADAuthenticationAsArmPolicy: { status: string } } };
}

/**
 * The steps every data-plane command of az starts with (azcli/README.md): the resources list
 * (az takes the resource group from `id`), the registry (login server, SKU, the AAD-as-ARM
 * policy), `/v2/`'s challenge in the form az's parser reads, the exchange and the token.
 */
export function assertDataPlaneSetup(em: Emulator, steps: readonly Step[], registry: string, policy: 'enabled' | 'disabled' = 'enabled'): void {
  const host = em.registry(registry).loginServer;
  for (const { x, res } of steps) {
    const where = `#${x.n} ${x.request.method} ${x.request.path}`;
    if (x.request.path.endsWith('/resources')) {
      const found = res.json<{ value: { id: string; name: string }[] }>().value.find((v) => v.name.toLowerCase() === registry);
      assert.equal(found?.id, em.registry(registry).resourceId, where);
    } else if (x.listener === 'arm' && x.request.path.endsWith(`/registries/${registry}`)) {
      const body = res.json<RegistryAnswer>();
      assert.equal(body.properties.loginServer, host, where);
      assert.ok(['Basic', 'Standard', 'Premium'].includes(body.sku.name), where);
      assert.equal(body.properties.policies.azureADAuthenticationAsArmPolicy.status, policy, where);
    } else if (x.request.path === '/v2/') {
      assert.equal(res.status, 401, where);
      assert.deepEqual(parseLikeAz(String(res.headers['www-authenticate'])), { realm: `https://${host}/oauth2/token`, service: host }, where);
    } else if (x.request.path === '/oauth2/exchange') {
      assert.equal(res.status, 200, where);
      assert.equal(typeof res.json<{ refresh_token: string }>().refresh_token, 'string', where);
    } else if (x.listener === 'acr' && x.request.path === '/oauth2/token') {
      assert.equal(res.status, 200, where);
      assert.equal(typeof res.json<{ access_token: string }>().access_token, 'string', where);
    }
  }
}

/** The subscriptions az lists after a sign-in, as `_commands.json` shows it printed them (id, name, state, tenant). */
export function subscriptionsAsAzPrints(res: HttpResult): { id: string; name: string; state: string; tenantId: string; managedByTenants: unknown[] }[] {
  assert.equal(res.status, 200, res.text);
  return res
    .json<{ value: { subscriptionId: string; displayName: string; state: string; tenantId: string; managedByTenants: unknown[] }[] }>()
    .value.map((s) => ({ id: s.subscriptionId, name: s.displayName, state: s.state, tenantId: s.tenantId, managedByTenants: s.managedByTenants }));
}

/** The same fields of what az printed. */
export function printedSubscriptions(name: string): { id: string; name: string; state: string; tenantId: string; managedByTenants: unknown[] }[] {
  const printed = command(name).stdout as { id: string; name: string; state: string; tenantId: string; managedByTenants: unknown[] }[];
  return printed.map((s) => ({ id: s.id, name: s.name, state: s.state, tenantId: s.tenantId, managedByTenants: s.managedByTenants }));
}
