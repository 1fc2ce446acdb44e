/**
 * How the emulator holds up at registry scale: `node build/testkit/emulator/scaleProbe.js
 * [repositories=10000] [tagsPerRepository=20] [concurrency=32]`.
 *
 * The emulator runs in a child process (so its memory and CPU are its own): generated source
 * and identical target, N repositories × T tags each. The parent then lists everything the
 * way a digest-aware sync does — per registry one catalog walk with n=1000, and per
 * repository one token for its scope and one `_tags?n=1000` — and reports startup time,
 * the emulator's RSS, listing time and requests per second. A last pass repeats a slice of
 * the `_tags` requests with 20 ms injected latency, to show latency costs only the delay.
 * `EMULATOR_CPU_PROF=<dir>` writes a CPU profile of the emulator process there.
 */
import { fork } from 'node:child_process';
import * as https from 'node:https';
import { createInterface } from 'node:readline';
import type { Emulator, Fixture } from './api';
import { generateRegistries } from './generate';
import { startEmulator } from './index';

const TENANT = '7e5a1c2b-0000-4000-8000-00000000a0d1';
const SUBSCRIPTION = 'aaaaaaaa-0000-4000-8000-000000000001';
const mb = (bytes: number): number => Math.round(bytes / 1048576);

/** The child: generate, start, report, then answer `rss` / `latency <ms>` / `stop` on stdin. */
async function serve(repositories: number, tagsPerRepository: number): Promise<void> {
  const t0 = performance.now();
  const generated = generateRegistries({ repositories, tagsPerRepository, target: 'identical', seed: 'probe' });
  const t1 = performance.now();
  let fixture: Fixture | undefined = {
    principals: [{ tenantId: TENANT, clientId: 'probe', secret: 'probe-secret', roles: [{ role: 'Owner', scope: `/subscriptions/${SUBSCRIPTION}` }] }],
    subscriptions: [{ id: SUBSCRIPTION, tenantId: TENANT, registries: [generated.source, generated.target] }],
  };
  const emulator: Emulator = await startEmulator({ fixture, keepLogEntries: false });
  const t2 = performance.now();
  fixture = undefined; // the world is built; the fixture can go
  (globalThis as { gc?: () => void }).gc?.();
  const send = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
  send({
    ready: true,
    generateMs: Math.round(t1 - t0),
    startMs: Math.round(t2 - t1),
    summary: generated.summary,
    rssMb: mb(process.memoryUsage().rss),
    heapMb: mb(process.memoryUsage().heapUsed),
    caPem: emulator.caPem,
    authorityHost: emulator.authorityHost,
    acrAudience: emulator.acrAudience,
    registries: emulator.registries().map((r) => r.loginServer),
  });
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, arg] = line.trim().split(/\s+/);
    if (command === 'rss') {
      (globalThis as { gc?: () => void }).gc?.();
      send({ rssMb: mb(process.memoryUsage().rss), heapMb: mb(process.memoryUsage().heapUsed), counts: emulator.log.countsByRoute() });
    }
    if (command === 'latency') {
      emulator.setLatency(Number(arg));
      send({ latency: Number(arg) });
    }
    if (command === 'stop') break;
  }
  await emulator.stop();
  process.exit(0); // the IPC channel would keep the child alive
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function client(ca: string, concurrency: number) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, ca });
  const call = (url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = https.request(url, { method: options.method ?? 'GET', headers: options.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(options.body);
    });
  return { call, close: () => agent.destroy() };
}

/** Runs `work` over `items` with at most `concurrency` at once. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

async function probe(repositories: number, tagsPerRepository: number, concurrency: number): Promise<void> {
  const child = fork(__filename, ['--serve', String(repositories), String(tagsPerRepository)], {
    stdio: ['pipe', 'pipe', 'inherit', 'ipc'],
    // EMULATOR_CPU_PROF=<dir> profiles the emulator process (a .cpuprofile in <dir>).
    execArgv: ['--expose-gc', ...(process.env.EMULATOR_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.EMULATOR_CPU_PROF}`] : [])],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const read = async <T>(): Promise<T> => JSON.parse(((await lines.next()).value as string) ?? 'null') as T;
  const ask = async <T>(command: string): Promise<T> => {
    child.stdin?.write(`${command}\n`);
    return read<T>();
  };
  const ready = await read<{ generateMs: number; startMs: number; summary: unknown; rssMb: number; heapMb: number; caPem: string; authorityHost: string; acrAudience: string; registries: string[] }>();
  const out = (text: string): void => void process.stdout.write(`${text}\n`);
  out(`world: ${repositories} repositories × ${tagsPerRepository} tags, source + identical target; ${JSON.stringify(ready.summary)}`);
  out(`generate ${ready.generateMs} ms, start ${ready.startMs} ms, emulator RSS ${ready.rssMb} MB (heap ${ready.heapMb} MB) after start`);

  const http = client(ready.caPem, concurrency);
  try {
    const aadRes = await http.call(`${ready.authorityHost}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'probe', client_secret: 'probe-secret', scope: `${ready.acrAudience}/.default` }).toString(),
    });
    const aad = (JSON.parse(aadRes.body) as { access_token: string }).access_token;
    let requests = 0;
    let tags = 0;
    const started = performance.now();
    let tokenMs = 0;
    let tagsMs = 0;
    const allRepos: { host: string; refresh: string; repo: string }[] = [];
    for (const host of ready.registries) {
      const ex = await http.call(`https://${host}/oauth2/exchange`, { method: 'POST', headers: FORM, body: new URLSearchParams({ grant_type: 'access_token', service: host, access_token: aad }).toString() });
      const refresh = (JSON.parse(ex.body) as { refresh_token: string }).refresh_token;
      const tokenFor = async (scope: string): Promise<string> => {
        const res = await http.call(`https://${host}/oauth2/token`, { method: 'POST', headers: FORM, body: new URLSearchParams({ grant_type: 'refresh_token', service: host, scope, refresh_token: refresh }).toString() });
        requests += 1;
        if (res.status !== 200) throw new Error(`token ${res.status} ${res.body}`);
        return (JSON.parse(res.body) as { access_token: string }).access_token;
      };
      const catalogToken = await tokenFor('registry:catalog:*');
      let path: string | undefined = '/acr/v1/_catalog?n=1000';
      while (path) {
        const res = await http.call(`https://${host}${path}`, { headers: { Authorization: `Bearer ${catalogToken}` } });
        requests += 1;
        const page = JSON.parse(res.body) as { repositories: string[] | null };
        for (const repo of page.repositories ?? []) allRepos.push({ host, refresh, repo });
        const link = res.headers.link as string | undefined;
        path = link ? /^<([^>]+)>/.exec(link)?.[1] : undefined;
      }
    }
    const catalogDone = performance.now();
    // Per repository: a token for its scope, then its tags (1000 per page).
    const tokens = new Map<string, string>();
    await pool(allRepos, concurrency, async ({ host, refresh, repo }) => {
      const t = performance.now();
      const res = await http.call(`https://${host}/oauth2/token`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ grant_type: 'refresh_token', service: host, scope: `repository:${repo}:metadata_read`, refresh_token: refresh }).toString(),
      });
      requests += 1;
      tokenMs += performance.now() - t;
      tokens.set(`${host}|${repo}`, (JSON.parse(res.body) as { access_token: string }).access_token);
    });
    const tokensDone = performance.now();
    await pool(allRepos, concurrency, async ({ host, repo }) => {
      let path: string | undefined = `/acr/v1/${encodeURIComponent(repo)}/_tags?n=1000`;
      while (path) {
        const t = performance.now();
        const res = await http.call(`https://${host}${path}`, { headers: { Authorization: `Bearer ${tokens.get(`${host}|${repo}`) ?? ''}` } });
        tagsMs += performance.now() - t;
        requests += 1;
        if (res.status !== 200) throw new Error(`tags ${res.status} ${res.body}`);
        tags += (JSON.parse(res.body) as { tags: unknown[] }).tags.length;
        const link = res.headers.link as string | undefined;
        path = link ? /^<([^>]+)>/.exec(link)?.[1] : undefined;
      }
    });
    const finished = performance.now();
    const after = await ask<{ rssMb: number; heapMb: number; counts: Record<string, number> }>('rss');
    out(`listed ${allRepos.length} repositories and ${tags} tags on both sides in ${Math.round(finished - started)} ms with ${requests} requests (concurrency ${concurrency})`);
    out(`  catalog walks ${Math.round(catalogDone - started)} ms; ${allRepos.length} scope tokens ${Math.round(tokensDone - catalogDone)} ms (${Math.round(allRepos.length / ((tokensDone - catalogDone) / 1000))}/s); ${allRepos.length} _tags ${Math.round(finished - tokensDone)} ms (${Math.round(allRepos.length / ((finished - tokensDone) / 1000))}/s)`);
    out(`  mean client-side time per request: token ${(tokenMs / allRepos.length).toFixed(2)} ms, _tags ${(tagsMs / allRepos.length).toFixed(2)} ms`);
    out(`  emulator RSS after listing ${after.rssMb} MB (heap ${after.heapMb} MB); requests by route ${JSON.stringify(after.counts)}`);

    // Latency injection: the same _tags requests with 20 ms each; ideal = n × 20 ms ÷ concurrency.
    const slice = allRepos.slice(0, Math.min(allRepos.length, concurrency * 100));
    await ask('latency 20');
    const l0 = performance.now();
    await pool(slice, concurrency, async ({ host, repo }) => {
      await http.call(`https://${host}/acr/v1/${encodeURIComponent(repo)}/_tags?n=1000`, { headers: { Authorization: `Bearer ${tokens.get(`${host}|${repo}`) ?? ''}` } });
    });
    const l1 = performance.now();
    const ideal = (slice.length * 20) / concurrency;
    out(`latency 20 ms: ${slice.length} _tags requests in ${Math.round(l1 - l0)} ms; ideal ${Math.round(ideal)} ms (ratio ${((l1 - l0) / ideal).toFixed(2)})`);
    await ask('latency 0').catch(() => undefined);
  } finally {
    http.close();
    child.stdin?.write('stop\n');
  }
  await new Promise((resolve) => child.once('exit', resolve));
}

const args = process.argv.slice(2);
if (args[0] === '--serve') {
  serve(Number(args[1]), Number(args[2])).catch((e: unknown) => {
    process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
    process.exit(1);
  });
} else {
  probe(Number(args[0] ?? 10000), Number(args[1] ?? 20), Number(args[2] ?? 32)).catch((e: unknown) => {
    process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
    process.exit(1);
  });
}
