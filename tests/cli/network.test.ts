/**
 * The command line in an enterprise network, as a child process against the emulator: behind a
 * real CONNECT proxy named by HTTPS_PROXY, with NO_PROXY sending one host direct and the
 * --ca-file CA trusted inside the tunnels; and the one line a sign-in gets when the Entra host
 * does not resolve or presents a certificate from a CA not trusted (exit 3, nothing written).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import { createTlsMaterial } from '../../testkit/emulator/ca';
import type { Emulator } from '../../testkit/emulator/api';
import { startConnectProxy, type ConnectProxy } from '../support/connectProxy';
import { registries, release, runCli, SOURCE, TARGET, twoRegistries } from './support/cliHarness';

describe('acr-transfer command line: proxies and network failures', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let proxy: ConnectProxy;
  const work = mkdtempSync(join(tmpdir(), 'cli-net-'));

  before(async () => {
    emulator = await startEmulator({ fixture: twoRegistries({ app: release('a', '1', '2') }), importRetryAfterSeconds: 1, importDurationMs: 0 });
  });
  beforeEach(async () => {
    proxy = await startConnectProxy();
  });
  afterEach(async () => {
    await proxy?.stop();
  });
  after(async () => {
    await emulator?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const tunnelled = (): string[] => [...proxy.tunnels.keys()];

  it('goes through HTTPS_PROXY, except to the host NO_PROXY names, trusting --ca-file inside the tunnels', async () => {
    // Entra is reached as `localhost` (the emulator's certificate names it), which NO_PROXY lists.
    const authority = emulator.authorityHost.replace('127.0.0.1', 'localhost');
    const entraBefore = emulator.log.count('entra.token', 200);
    const result = await runCli(emulator, [...registries(), '--dry-run', '--authority-host', authority], {
      HTTPS_PROXY: proxy.url,
      NO_PROXY: '.example.com,localhost',
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.ok(emulator.log.count('entra.token', 200) > entraBefore, 'signed in, directly');
    assert.ok(!tunnelled().some((host) => host.startsWith('localhost:')), `Entra went through the proxy: ${tunnelled().join(', ')}`);
    for (const host of [new URL(emulator.armEndpoint).host, emulator.registry(SOURCE).loginServer, emulator.registry(TARGET).loginServer]) {
      assert.ok(tunnelled().includes(host), `no tunnel to ${host}; tunnels: ${tunnelled().join(', ')}`);
    }
  });

  it('an Entra host that does not resolve: exit 3, one line naming the host and the cause, one attempt', async () => {
    const before = emulator.log.entries().length;
    const result = await runCli(emulator, [...registries(), '--authority-host', 'https://login.nonexistent.invalid']);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.equal(
      result.stderr,
      "acr-transfer: Entra sign-in at login.nonexistent.invalid cannot be used after 1 attempt: the host name does not resolve (ENOTFOUND). Check the name, the machine's DNS and its proxy settings.\n",
    );
    assert.equal(emulator.log.entries().length, before, 'nothing reached the emulator');
  });

  it('an Entra host whose certificate no trusted CA signed: exit 3, one line naming the host, the cause and the CA settings', async () => {
    const stranger = await createTlsMaterial();
    const caFile = join(work, 'other-ca.pem');
    writeFileSync(caFile, stranger.caPem);
    const before = emulator.log.entries().length;
    const result = await runCli(emulator, [...registries(), '--ca-file', caFile]);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    const host = new URL(emulator.authorityHost).host;
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0],
      new RegExp(
        `^acr-transfer: Entra sign-in at ${host.replace(/\./g, '\\.')} cannot be used after 1 attempt: its TLS certificate is not trusted \\([A-Z_]+\\)\\. If a proxy inspects TLS, trust its CA: the agent's CA setting \\(config --sslcacert, Agent\\.CAInfo\\), NODE_EXTRA_CA_CERTS, or the command line's --ca-file\\.$`,
      ),
    );
    assert.equal(emulator.log.entries().length, before, 'no request got past the handshake');
  });
});
