/**
 * The agent's proxy per request URL: the same decision as task-lib's own
 * getHttpProxyConfiguration(url) for the agent's variables (Agent.ProxyUrl, Agent.ProxyBypassList
 * as the agent writes it: a JSON list of regular expressions), read once; and HTTPS_PROXY /
 * NO_PROXY when the agent has no proxy. Run in a child process, as task-lib must be.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGuarded } from '../support/runGuarded';

const SCRIPT = join(__dirname, 'support', 'proxyDecisions.js');

interface Decision {
  url: string;
  proxy: { host: string; username: string; password: string } | null;
  taskLib: string | null;
}

describe('task/agentNetwork: the agent proxy per request URL', function () {
  this.timeout(60_000);
  let temp: string;
  before(() => {
    temp = mkdtempSync(join(tmpdir(), 'agent-temp-'));
  });
  after(() => rmSync(temp, { recursive: true, force: true }));

  async function decide(urls: string[], env: Record<string, string>): Promise<Decision[]> {
    const run = await runGuarded(SCRIPT, [JSON.stringify(urls)], { AGENT_TEMPDIRECTORY: temp, ...env });
    assert.equal(run.code, 0, run.stderr);
    // The answer is the one line that is JSON; the others are the task's own log lines.
    return JSON.parse(run.stdout.split('\n').find((line) => line.startsWith('[')) ?? '[]') as Decision[];
  }

  it("decides as task-lib's getHttpProxyConfiguration(url) does, bypass list included", async () => {
    const urls = [
      'https://login.microsoftonline.com/tenant/oauth2/v2.0/token',
      'https://management.azure.com/subscriptions?api-version=2022-12-01',
      'https://contosoprod.azurecr.io/v2/',
      'https://CONTOSOPROD.AZURECR.IO/acr/v1/_catalog',
      'https://contosodr.azurecr.io/v2/',
      'https://reg.privatelink.azurecr.io/v2/',
      'https://127.0.0.1:41234/v2/',
      'https://127.0.0.1:51234/v2/',
    ];
    const decisions = await decide(urls, {
      AGENT_PROXYURL: 'http://proxy.corp.example:8080',
      AGENT_PROXYUSERNAME: 'agent@corp',
      AGENT_PROXYPASSWORD: 'p@ss:word',
      AGENT_PROXYBYPASSLIST: JSON.stringify(['contosoprod\\.azurecr\\.io', '^https://[^/]*\\.privatelink\\.', '127\\.0\\.0\\.1:4\\d+']),
    });
    for (const d of decisions) assert.equal(d.proxy === null, d.taskLib === null, `${d.url}: ${d.proxy ? 'proxied' : 'direct'} here, ${d.taskLib ? 'proxied' : 'direct'} by task-lib`);
    assert.deepEqual(
      decisions.map((d) => (d.proxy ? 'proxy' : 'direct')),
      ['proxy', 'proxy', 'direct', 'direct', 'proxy', 'direct', 'direct', 'proxy'],
    );
    assert.deepEqual(decisions[0].proxy, { host: 'proxy.corp.example:8080', username: 'agent@corp', password: 'p@ss:word' });
  });

  it('leaves out a bypass entry that is not a regular expression, with a warning, where task-lib throws on every request', async () => {
    const urls = ['https://management.azure.com/', 'https://contosoprod.azurecr.io/v2/'];
    const env = { AGENT_PROXYURL: 'http://127.0.0.1:3128', AGENT_PROXYBYPASSLIST: JSON.stringify(['(unclosed', 'contosoprod\\.azurecr\\.io']) };
    const run = await runGuarded(SCRIPT, [JSON.stringify(urls)], { AGENT_TEMPDIRECTORY: temp, ...env });
    assert.match(run.stdout, /^##vso\[task\.issue type=warning;[^\]]*\]The agent's proxy bypass entry '\(unclosed' is not a valid regular expression; it is left out\.$/m);
    const decisions = JSON.parse(run.stdout.split('\n').find((line) => line.startsWith('[')) ?? '[]') as Decision[];
    assert.deepEqual(decisions.map((d) => [d.proxy?.host ?? 'direct', d.taskLib]), [
      ['127.0.0.1:3128', 'throws'],
      ['direct', 'throws'],
    ]);
  });

  it('without an agent proxy, HTTPS_PROXY and NO_PROXY decide; without either, everything goes direct', async () => {
    const urls = ['https://management.azure.com/', 'https://contosoprod.azurecr.io/v2/'];
    const decisions = await decide(urls, { HTTPS_PROXY: 'http://127.0.0.1:3128', NO_PROXY: '.azurecr.io' });
    assert.deepEqual(decisions.map((d) => d.proxy?.host ?? 'direct'), ['127.0.0.1:3128', 'direct']);
    assert.deepEqual((await decide(urls, {})).map((d) => d.proxy?.host ?? 'direct'), ['direct', 'direct']);
  });
});
