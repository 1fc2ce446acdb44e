import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import * as https from 'node:https';
import { blockedConnections } from '../../testkit/loopbackGuard';

function attempt(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = https.get({ host, port, path: '/metadata/identity/oauth2/token', timeout: 2000 }, () => resolve('connected'));
    req.on('error', (e) => resolve(e.message));
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

describe('loopback guard', () => {
  afterEach(() => blockedConnections.splice(0));

  it('refuses the managed-identity endpoint and real Azure hosts before any packet leaves', async () => {
    assert.match(await attempt('169.254.169.254', 80), /loopback guard: connection to 169\.254\.169\.254:80 refused/);
    assert.match(await attempt('login.microsoftonline.com', 443), /loopback guard: connection to login\.microsoftonline\.com:443 refused/);
    assert.deepEqual(blockedConnections, ['169.254.169.254:80', 'login.microsoftonline.com:443']);
  });

  it('lets 127.0.0.1 through', async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const result = await attempt('127.0.0.1', port);
    server.close();
    assert.doesNotMatch(result, /loopback guard/);
    assert.deepEqual(blockedConnections, []);
  });
});
