/**
 * L0 tests of a source reached through a Docker Registry service connection (any registry):
 * the connection's URL names the host, its user and password reach the connection to the
 * source and nowhere else in the log (the password is registered as a secret first), the
 * Azure Resource Manager inputs of the source are hidden and neither required nor read, and
 * a connection that is missing or half filled in fails with one line before any connection
 * is used.
 */
import { strict as assert } from 'node:assert';
import { D } from '../../engine/memoryRegistry';
import { describeOnTaskNodes, explain, runScenario as run, type Outcome } from './support/runScenario';

const PASSWORD = 'reg-PASSWORD-5f0e2a';

function dockerRegistryConnection(registry: string, parameters: Record<string, string> = { username: 'mirror-bot', password: PASSWORD }) {
  return { REGCONN: { url: registry, scheme: 'UsernamePassword', parameters: { registry, email: '', ...parameters }, data: { registrytype: 'Others' } } };
}

const registryInputs = { sourceType: 'registry', sourceRegistryConnection: 'REGCONN' };

/** Every line of the log but the one that registers the secret with the agent. */
function logWithoutSetSecret(o: Outcome): string {
  return `${o.runner.stdout}\n${o.runner.stderr}`
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('##vso[task.setsecret]'))
    .join('\n');
}

describeOnTaskNodes('AcrTransfer task (L0): any registry as the source (Docker Registry connection)', function () {
  this.timeout(60_000);

  it('syncs from the registry the connection names, with its user, masking its password', async () => {
    const o = await run({
      inputs: registryInputs,
      endpoints: dockerRegistryConnection('https://registry.example.com'),
      registries: { 'registry.example.com': { app: { v1: D(1), v2: D(2) } }, targetacr: { app: { v1: D(1) } } },
    });
    assert.ok(o.runner.succeeded, explain(o));
    assert.ok(o.runner.stdOutContained(`FAKE_CONNECT_ADDRESS registry.example.com targetacr user=mirror-bot password-length=${PASSWORD.length}`), explain(o));
    assert.ok(!o.runner.stdOutContained('FAKE_CONNECT '), 'no Azure Resource Manager source is connected');
    assert.deepEqual(o.target, { app: { v1: D(1), v2: D(2) } });
    assert.equal(o.imports.length, 1);
    assert.ok(o.runner.stdOutContained(`##vso[task.setsecret]${PASSWORD}`), 'the password is registered as a secret');
    assert.ok(!logWithoutSetSecret(o).includes(PASSWORD), 'the password appears nowhere else');
    assert.equal(o.report().source.registry, 'registry.example.com');
  });

  it('takes Docker Hub\'s connection URL (its v1 index) as docker.io and reports the pulls left', async () => {
    const o = await run({
      inputs: { ...registryInputs, repository: 'library/nginx' },
      endpoints: dockerRegistryConnection('https://index.docker.io/v1/'),
      registries: { 'docker.io': { 'library/nginx': { '1.27': D(3) } }, targetacr: {} },
      sourceAllowance: { remaining: 76, limit: 100, windowSeconds: 21_600 },
    });
    assert.ok(o.runner.succeeded, explain(o));
    assert.ok(o.runner.stdOutContained('FAKE_CONNECT_ADDRESS docker.io targetacr user=mirror-bot'), explain(o));
    assert.deepEqual(o.target, { 'library/nginx': { '1.27': D(3) } });
    assert.ok(o.runner.stdOutContained('Source rate limit: 76 of 100 pulls left in a 6 h window.'), explain(o));
    assert.deepEqual(o.report().source.rateLimit, { remaining: 76, limit: 100, windowSeconds: 21_600 });
  });

  it('fails with one line naming the Repository inputs when the registry lists no catalog, importing nothing', async () => {
    const o = await run({
      inputs: registryInputs,
      endpoints: dockerRegistryConnection('https://index.docker.io/v1/'),
      registries: { 'docker.io': { 'library/nginx': { '1.27': D(3) } }, targetacr: {} },
      noCatalog: true,
    });
    assert.equal(o.complete?.result, 'Failed', explain(o));
    assert.equal(
      o.complete?.message,
      'The source registry docker.io offers no repository catalog to this connection (Docker Hub has none; an ACR repository-scoped token may not list it): name the repositories in Repository (repository) or Repository list file (repositoryList). Nothing was written.',
    );
    assert.equal(o.runner.errorIssues.length, 1);
    assert.equal(o.imports.length, 0);
    assert.deepEqual(o.target, {});
  });

  it('pulls anonymously when the connection has no user and no password', async () => {
    const o = await run({
      inputs: registryInputs,
      endpoints: dockerRegistryConnection('https://ghcr.io', { username: '', password: '' }),
      registries: { 'ghcr.io': { 'org/tool': { v1: D(4) } }, targetacr: {} },
    });
    assert.ok(o.runner.succeeded, explain(o));
    assert.ok(o.runner.stdOutContained('FAKE_CONNECT_ADDRESS ghcr.io targetacr anonymous'), explain(o));
  });

  it('reads an ACR source of another tenant with its own identity\'s token when the two connections are in different tenants', async () => {
    const registries = { sourceacr: { app: { v1: D(1) } }, targetacr: {} };
    const other = await run({ inputs: { sourceConnection: 'conn-a-other-tenant' }, registries });
    assert.ok(other.runner.succeeded, explain(other));
    assert.ok(other.runner.stdOutContained('FAKE_CONNECT sourceacr targetacr cross-tenant'), explain(other));
    assert.ok(other.runner.stdOutContained('The source connection is in another Microsoft Entra tenant than the target connection'), explain(other));
    const same = await run({ registries });
    assert.ok(same.runner.stdOutContained('FAKE_CONNECT sourceacr targetacr\n') || /FAKE_CONNECT sourceacr targetacr$/m.test(same.runner.stdout), explain(same));
    assert.ok(!same.runner.stdOutContained('another Microsoft Entra tenant'));
  });

  const bad: Array<[string, Parameters<typeof run>[0], string]> = [
    [
      'no source registry connection',
      { inputs: { sourceType: 'registry' } },
      'The source registry service connection is missing: set the YAML input sourceDockerRegistryServiceConnection (or sourceRegistryConnection), "Source registry connection" on the classic form, to a Docker Registry service connection.',
    ],
    [
      'a user without a password',
      { inputs: registryInputs, endpoints: dockerRegistryConnection('https://registry.example.com', { username: 'mirror-bot', password: '' }) },
      'source user "mirror-bot" has no password: set the password (or token) of the source registry connection',
    ],
    [
      'a password without a user',
      { inputs: registryInputs, endpoints: dockerRegistryConnection('https://registry.example.com', { username: '', password: PASSWORD }) },
      'the source registry connection has a password but no user name: set its Docker ID / user name (for a token, the token name)',
    ],
    [
      'a registry URL that is not one',
      { inputs: registryInputs, endpoints: dockerRegistryConnection('https://registry example.com') },
      'The source registry service connection\'s registry URL "https://registry example.com" names no registry host: it is not a URL',
    ],
  ];
  for (const [what, scenario, message] of bad) {
    it(`fails on ${what} with one line, before any connection`, async () => {
      const o = await run({ registries: { 'registry.example.com': { app: { v1: D(1) } }, targetacr: {} }, ...scenario });
      assert.equal(o.complete?.result, 'Failed', explain(o));
      assert.ok(o.complete?.message.startsWith(message), `${o.complete?.message}\n  expected: ${message}`);
      assert.equal(o.runner.errorIssues.length, 1);
      assert.ok(!o.runner.stdOutContained('FAKE_CONNECT'), 'no connection is used');
      assert.ok(!logWithoutSetSecret(o).includes(PASSWORD), 'the password appears nowhere');
    });
  }
});
