/**
 * A real OCI registry for tests: CNCF distribution 2.8 (`/usr/bin/docker-registry`, Debian's
 * docker-registry package) on 127.0.0.1 over TLS, with no auth, htpasswd basic auth, or token
 * auth through a token server in this process. Its certificate is the caller's (the emulator's
 * server certificate, issued by the emulator's CA for 127.0.0.1), so every client that trusts
 * the emulator trusts this registry too. Everything lives in a temp dir removed on stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';
import { registryConfigYaml, type RegistryConfigInput } from './config';
import { freePort } from './freePort';
import { createTokenSigner } from './signer';
import { startTokenServer, type RegistryUser, type TokenServer } from './tokenServer';

export type { RegistryUser } from './tokenServer';

export const DOCKER_REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface OciRegistryOptions {
  auth: 'none' | 'basic' | 'token';
  /** Who may sign in (basic: htpasswd; token: Basic auth to the token server). */
  users?: RegistryUser[];
  /** Server certificate and key (PEM) for 127.0.0.1: the emulator's `tls` material. */
  tls: { certPem: string; keyPem: string };
  /** Link page size of `_catalog` (distribution's `catalog.maxentries`; its default is 1000). */
  catalogPageSize?: number;
}

/** One request the registry served, from its access log. */
export interface OciRegistryRequest {
  method: string;
  /** Path and query as requested. */
  path: string;
  status: number;
  /** Who asked: the product's clients and importImage's reads name themselves differently. */
  userAgent: string;
}

/** `127.0.0.1 - - [04/Dec/2026:23:45:00 +0000] "HEAD /v2/app/manifests/v1 HTTP/1.1" 200 0 "" "agent"`. */
const ACCESS_LINE = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) \S+ "[^"]*" "([^"]*)"/;

export interface OciRegistryHandle {
  /** `127.0.0.1:PORT`: what an import's `registryUri` names. */
  host: string;
  /** `https://127.0.0.1:PORT`. */
  url: string;
  /** token mode: the token server's realm URL. */
  realm?: string;
  /** The registry process (stopped by this pid). */
  pid: number;
  /** Its temp dir (config, certificate, storage); removed on stop. */
  dir: string;
  /** token mode: the requests the token server has answered; 0 in the other modes. */
  tokenRequests(): number;
  /** Every request the registry served so far (its access log), in order; credentials never appear in it. */
  requests(): readonly OciRegistryRequest[];
  stop(): Promise<void>;
}

/** `docker-registry` is installed (CI installs it in .ci/run). */
export const ociRegistryAvailable = (): boolean => existsSync(DOCKER_REGISTRY_BINARY);

const SERVICE = 'oci-test-registry';
const ISSUER = 'oci-test-token-issuer';
const READY_TIMEOUT_MS = 15_000;

/**
 * Any answer from `/v2/` (200 or 401) means the registry is serving. The launcher knows the
 * certificate but not the CA that issued it, so it pins that certificate: the answer counts
 * only when it came over a connection presenting exactly it.
 */
function answersV2(port: number, certDer: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/v2/', rejectUnauthorized: false, timeout: 1000, agent: false }, (res) => {
      res.resume();
      const presented = (res.socket as TLSSocket).getPeerCertificate().raw;
      resolve((res.statusCode === 200 || res.statusCode === 401) && presented !== undefined && presented.equals(certDer));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Registries still running. A test process that ends without stopping one (a crash, a failed
 * `after` hook) kills them on its way out, by pid, so no registry outlives the tests.
 */
const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;
function track(child: ChildProcess, dir: string): void {
  running.set(child, dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const [c, d] of running) {
        c.kill('SIGKILL');
        rmSync(d, { recursive: true, force: true });
      }
    });
  }
}

/** Starts the process; resolves when `/v2/` answers, or with its exit (port taken, bad config). */
async function runUntilReady(dir: string, configPath: string, port: number, certPem: string, served: OciRegistryRequest[]): Promise<{ child: ChildProcess } | { exited: string }> {
  const child = spawn(DOCKER_REGISTRY_BINARY, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child, dir);
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = ACCESS_LINE.exec(line);
      if (m) served.push({ method: m[1], path: m[2], status: Number(m[3]), userAgent: m[4] });
    }
  });
  let stderr = '';
  let exit: string | undefined;
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    exit = `docker-registry exited (${code ?? signal}): ${stderr.trim()}`;
  });
  child.on('error', (e) => {
    exit = `docker-registry did not start: ${e.message}`;
  });
  const certDer = new X509Certificate(certPem).raw;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit !== undefined) return { exited: exit };
    if (await answersV2(port, certDer)) return { child };
    await sleep(50);
  }
  child.kill('SIGKILL');
  return { exited: `docker-registry did not answer /v2/ within ${READY_TIMEOUT_MS} ms: ${stderr.trim()}` };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    // distribution drains connections on SIGTERM; a test does not wait for that.
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

export async function startOciRegistry(options: OciRegistryOptions): Promise<OciRegistryHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'oci-registry-'));
  let tokenServer: TokenServer | undefined;
  try {
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    await writeFile(certPath, options.tls.certPem);
    await writeFile(keyPath, options.tls.keyPem, { mode: 0o600 });
    const users = options.users ?? [];
    let auth: RegistryConfigInput['auth'] = { kind: 'none' };
    if (options.auth === 'basic') {
      const htpasswdPath = join(dir, 'htpasswd');
      // distribution 2.8 accepts bcrypt entries only; cost 4 keeps tests quick.
      await writeFile(htpasswdPath, users.map((u) => `${u.username}:${hashSync(u.password, 4)}\n`).join(''), { mode: 0o600 });
      auth = { kind: 'basic', htpasswdPath };
    } else if (options.auth === 'token') {
      const signer = await createTokenSigner();
      const rootCertBundlePath = join(dir, 'token-signer.pem');
      await writeFile(rootCertBundlePath, signer.certPem);
      tokenServer = await startTokenServer({ tls: options.tls, signer, service: SERVICE, issuer: ISSUER, users });
      auth = { kind: 'token', realm: tokenServer.realm, service: SERVICE, issuer: ISSUER, rootCertBundlePath };
    }
    const secret = randomBytes(16).toString('hex');
    for (let attempt = 1; ; attempt += 1) {
      const port = await freePort();
      const configPath = join(dir, 'config.yml');
      await writeFile(
        configPath,
        registryConfigYaml({ dir, port, auth, certPath, keyPath, secret, ...(options.catalogPageSize !== undefined ? { catalogMaxEntries: options.catalogPageSize } : {}) }),
      );
      const served: OciRegistryRequest[] = [];
      const started = await runUntilReady(dir, configPath, port, options.tls.certPem, served);
      // The readiness probes are the launcher's, not the test's.
      served.length = 0;
      if ('exited' in started) {
        // Another process took the port between freePort and the registry's bind: try another.
        if (attempt < 5 && /address already in use/i.test(started.exited)) continue;
        throw new Error(started.exited);
      }
      const { child } = started;
      const token = tokenServer;
      let stopped: Promise<void> | undefined;
      return {
        host: `127.0.0.1:${port}`,
        url: `https://127.0.0.1:${port}`,
        pid: child.pid ?? 0,
        dir,
        ...(token ? { realm: token.realm } : {}),
        tokenRequests: () => token?.requests() ?? 0,
        requests: () => [...served],
        stop: () => {
          stopped ??= (async () => {
            await stopChild(child);
            running.delete(child);
            await token?.stop();
            await rm(dir, { recursive: true, force: true });
          })();
          return stopped;
        },
      };
    }
  } catch (e) {
    await tokenServer?.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
