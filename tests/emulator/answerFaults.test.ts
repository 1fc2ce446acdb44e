/**
 * The emulator's faults for answers no registry sends: a 200 of any body and content type (a
 * login page, `{}`), only on one service; a body that stalls half-way; a next-page link that
 * never ends; a body too large. Each acts on a 200 only: a challenge before it goes out as
 * usual and does not use the fault up.
 */
import { strict as assert } from 'node:assert';
import * as https from 'node:https';
import { startEmulator, type Emulator } from '../../testkit/emulator';
import { acrAccessToken, basicFixture, request } from './support';

const LOGIN_PAGE = '<!DOCTYPE html><html><body>Sign in to continue</body></html>';

/**
 * The head and the body's first `bytes` bytes, plus anything that follows within a moment
 * (which a stalled answer must not send), then the request is dropped.
 */
function readFirst(ca: string, url: string, token: string, bytes: number): Promise<{ status: number; length?: string; received: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ca, agent: false, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let received = '';
      let settling = false;
      const check = (): void => {
        if (settling || Buffer.byteLength(received) < bytes) return;
        settling = true;
        setTimeout(() => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'], received });
        }, 200);
      };
      res.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        check();
      });
      res.on('end', () => reject(new Error('the answer ended')));
      check();
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end();
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 20_000) throw new Error('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('emulator: faults for answers no registry sends', function () {
  this.timeout(60_000);
  let em: Emulator;
  let token: string;
  let src: string;
  beforeEach(async () => {
    em = await startEmulator({ fixture: basicFixture() });
    token = await acrAccessToken(em, 'src', 'owner', ['registry:catalog:*', 'repository:app:metadata_read']);
    src = `https://${em.registry('src').loginServer}`;
    em.log.clear();
  });
  afterEach(() => em.stop());

  const get = (path: string, bearer = token) => request(em.caPem, `${src}${path}`, { headers: bearer === '' ? {} : { Authorization: `Bearer ${bearer}` } });

  it('status 200 with any body and content type: a login page, or `{}`', async () => {
    em.addFault({ route: 'acr.catalog', kind: 'status', status: 200, body: LOGIN_PAGE, contentType: 'text/html; charset=utf-8' });
    em.addFault({ route: 'acr.tags', kind: 'status', status: 200, body: {} });
    const page = await get('/acr/v1/_catalog');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.text, LOGIN_PAGE);
    const empty = await get('/acr/v1/app/_tags');
    assert.equal(empty.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(empty.text, '{}');
    // Each fired once: the next answers are the registry's own.
    assert.deepEqual((await get('/acr/v1/_catalog')).json(), { repositories: ['app', 'charts', 'team/multi'] });
    assert.equal((await get('/acr/v1/app/_tags')).json<{ tags: unknown[] }>().tags.length, 2);
    assert.deepEqual(em.log.entries().map((e) => [e.route, e.status]), [['acr.catalog', 200], ['acr.tags', 200], ['acr.catalog', 200], ['acr.tags', 200]]);
  });

  it('a string body without a content type is sent without one', async () => {
    em.addFault({ route: 'acr.catalog', kind: 'status', status: 200, body: '{"repositories":["app"]}' });
    const answer = await get('/acr/v1/_catalog');
    assert.equal(answer.headers['content-type'], undefined);
    assert.equal(answer.text, '{"repositories":["app"]}');
  });

  it('`service` keeps a fault to one registry', async () => {
    em.addFault({ route: 'acr.catalog', service: 'acr:dst', kind: 'status', status: 200, body: LOGIN_PAGE, contentType: 'text/html', times: Infinity });
    assert.deepEqual((await get('/acr/v1/_catalog')).json(), { repositories: ['app', 'charts', 'team/multi'] });
    const dstToken = await acrAccessToken(em, 'dst', 'owner', ['registry:catalog:*']);
    const dst = await request(em.caPem, `https://${em.registry('dst').loginServer}/acr/v1/_catalog`, { headers: { Authorization: `Bearer ${dstToken}` } });
    assert.equal(dst.text, LOGIN_PAGE);
  });

  it('stall: the head with the whole length and half the body, then nothing; logged with status 0', async () => {
    const whole = (await get('/acr/v1/app/_tags')).text;
    em.log.clear();
    em.addFault({ route: 'acr.tags', kind: 'stall' });
    const stalled = await readFirst(em.caPem, `${src}/acr/v1/app/_tags`, token, Math.floor(whole.length / 2));
    assert.equal(stalled.status, 200);
    assert.equal(stalled.length, String(Buffer.byteLength(whole)));
    assert.equal(stalled.received, whole.slice(0, Math.floor(whole.length / 2)));
    // Logged when the server sees the connection close, which follows the client's drop.
    await until(() => em.log.entries().length > 0);
    assert.deepEqual(em.log.entries().map((e) => [e.route, e.status]), [['acr.tags', 0]]);
    assert.equal((await get('/acr/v1/app/_tags')).text, whole, 'fired once');
  });

  it('stall only spoils a 200: the challenge before it goes out and the fault waits', async () => {
    em.addFault({ route: 'acr.tags', kind: 'stall', afterBytes: 5 });
    const challenged = await get('/acr/v1/app/_tags', '');
    assert.equal(challenged.status, 401);
    const stalled = await readFirst(em.caPem, `${src}/acr/v1/app/_tags`, token, 5);
    assert.equal(stalled.received.length, 5);
  });

  it('endless paging: the real pages, then every page links to a new one', async () => {
    em.addFault({ route: 'acr.catalog', kind: 'endlessPaging', times: Infinity });
    const links = new Set<string>();
    let path = '/acr/v1/_catalog?n=2';
    const names: string[] = [];
    for (let page = 0; page < 25; page++) {
      const answer = await get(path);
      assert.equal(answer.status, 200);
      names.push(...(answer.json<{ repositories: string[] | null }>().repositories ?? []));
      const link = String(answer.headers.link);
      assert.match(link, /^<\/acr\/v1\/_catalog\?last=[^&]+&n=2&orderby=>; rel="next"$/);
      assert.ok(!links.has(link), `page ${page + 1} repeats a link`);
      links.add(link);
      path = /^<([^>]+)>/.exec(link)?.[1] ?? '';
    }
    assert.deepEqual(names, ['app', 'charts', 'team/multi'], 'the real names once, then empty pages');
    // Page 1 linked to page 2 itself; from page 2 on the fault's links: ~endless-1 … ~endless-24.
    assert.equal(path, '/acr/v1/_catalog?last=~endless-24&n=2&orderby=');
    assert.equal(em.log.count('acr.catalog', 200), 25);
  });

  it('oversized: the same JSON padded to the size asked, chunked, without a length', async () => {
    const whole = (await get('/acr/v1/app/_tags')).json<unknown>();
    em.addFault({ route: 'acr.tags', kind: 'oversized', bytes: 3 * 1024 * 1024 + 7 });
    const big = await get('/acr/v1/app/_tags');
    assert.equal(big.status, 200);
    assert.equal(big.headers['content-length'], undefined);
    assert.equal(big.headers['transfer-encoding'], 'chunked');
    assert.equal(big.body.length, 3 * 1024 * 1024 + 7);
    assert.deepEqual(big.json(), whole);
  });

  it('refuses an oversized fault without a size', () => {
    assert.throws(() => em.addFault({ route: 'acr.tags', kind: 'oversized', bytes: Number.NaN }), /bytes/);
  });
});
