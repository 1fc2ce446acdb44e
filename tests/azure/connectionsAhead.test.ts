/**
 * Connections opened ahead of a host's first requests (routing.ts, warmConnections.ts), with
 * core-rest-pipeline's real Node HTTP client and a real HTTPS server counting its handshakes.
 * Waits are for events (a count reached), never for a duration to pass.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { createDefaultHttpClient, createPipelineRequest } from '@azure/core-rest-pipeline';
import { createTlsMaterial, type TlsMaterial } from '../../testkit/emulator/ca';
import type { Transport } from '../../src/azure/http/transport';
import { startConnectProxy, type ConnectProxy } from '../support/connectProxy';
import { closedPort } from '../support/closedPort';
import { pipelineOf, sendMany, startCountingServer, trustingTransport, type CountingServer } from '../support/countingServer';

/** Resolves once `condition` holds, checked on every turn of the event loop (the test's time limit ends a wait that never does). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** Lets the event loop go round `n` times (the connections ahead are opened one per turn). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}


describe('azure/connections opened ahead', function () {
  this.timeout(20_000);

  let tls: TlsMaterial;
  let server: CountingServer;

  before(async () => {
    tls = await createTlsMaterial();
    server = await startCountingServer(tls);
  });
  after(async () => server?.stop());

  const transport = (options: { proxy?: ConnectProxy } = {}): Transport => trustingTransport(tls, options.proxy);

  it('opens the connections ahead, trusting the transport’s CA, and the next requests take them: no handshake of their own', async () => {
    const t = transport();
    const before = server.handshakes();
    t.routes.connectAhead(server.url, 4);
    await until(() => server.handshakes() - before === 4 && t.routes.connectionsWaiting(server.url) === 4);
    await sendMany(pipelineOf(t), createDefaultHttpClient(), server.url, 4, 4);
    assert.equal(server.handshakes() - before, 4, 'four requests at once opened connections of their own');
    assert.equal(t.routes.connectionsWaiting(server.url), 0);
  });

  it('tops the connections waiting up to the count, never beyond it', async () => {
    const t = transport();
    const before = server.handshakes();
    t.routes.connectAhead(server.url, 3);
    t.routes.connectAhead(server.url, 3);
    await until(() => server.handshakes() - before === 3 && t.routes.connectionsWaiting(server.url) === 3);
    // Asked again once they are there: nothing more is opened.
    t.routes.connectAhead(server.url, 3);
    await sendMany(pipelineOf(t), createDefaultHttpClient(), server.url, 12, 3);
    assert.equal(server.handshakes() - before, 3);
  });

  it('drops a connection the host closes before it is used; the request opens its own and is answered', async () => {
    const t = transport();
    const before = server.handshakes();
    t.routes.connectAhead(server.url, 2);
    await until(() => server.handshakes() - before === 2 && t.routes.connectionsWaiting(server.url) === 2);
    server.dropConnections();
    await until(() => t.routes.connectionsWaiting(server.url) === 0);
    await sendMany(pipelineOf(t), createDefaultHttpClient(), server.url, 2, 2);
    assert.equal(server.handshakes() - before, 4);
  });

  it('lets a connection refused ahead go unreported, and asks no more than the count of a host that refuses', async () => {
    const t = transport();
    const url = `https://127.0.0.1:${await closedPort()}/v2/`;
    t.routes.connectAhead(url, 3);
    // An unhandled socket error would fail this test (mocha reports it) before the request ends.
    await assert.rejects(pipelineOf(t).sendRequest(createDefaultHttpClient(), createPipelineRequest({ url })), /ECONNREFUSED/);
    await until(() => t.routes.connectionsWaiting(url) === 0);

    // A host that takes each connection and drops it at once: three attempts, and no more.
    let accepted = 0;
    const dropping = createNetServer((socket) => {
      accepted++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    try {
      const droppingUrl = `https://127.0.0.1:${(dropping.address() as { port: number }).port}/v2/`;
      t.routes.connectAhead(droppingUrl, 3);
      await until(() => accepted === 3 && t.routes.connectionsWaiting(droppingUrl) === 0);
      await turns(50);
      assert.equal(accepted, 3);
    } finally {
      await new Promise<void>((resolve) => dropping.close(() => resolve()));
    }
  });

  it('opens nothing ahead on a route through a proxy', async () => {
    const proxy = await startConnectProxy();
    try {
      const t = transport({ proxy });
      const before = server.handshakes();
      t.routes.connectAhead(server.url, 4);
      assert.equal(t.routes.connectionsWaiting(server.url), 0);
      await sendMany(pipelineOf(t), createDefaultHttpClient(), server.url, 1, 1);
      assert.equal(proxy.tunnels.get(new URL(server.url).host), 1, 'one tunnel: the request’s own');
      assert.equal(server.handshakes() - before, 1);
    } finally {
      await proxy.stop();
    }
  });

  it('does not keep a process alive: one whose work is done exits while its unused connections are still open', async () => {
    const transportModule = join(__dirname, '../../src/azure/http/transport.js');
    // The child opens 3 connections ahead, says so, and once told they are all made (stdin)
    // has nothing else to do.
    const script = `
      const { createTransport } = require(${JSON.stringify(transportModule)});
      const t = createTransport({ version: 'test', caPem: process.env.TEST_CA });
      t.routes.connectAhead(process.env.TEST_URL, 3);
      process.stdin.once('data', () => process.stdin.destroy());`;
    const before = server.handshakes();
    const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env['PATH'] ?? '', TEST_CA: tls.caPem, TEST_URL: server.url }, stdio: ['pipe', 'inherit', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await until(() => server.handshakes() - before === 3);
    child.stdin.end('go\n');
    assert.equal(await exited, 0);
    // The server never closed them (no request, no idle timeout in this test's time): the child left them.
    assert.equal(server.handshakes() - before, 3);
  });
});
