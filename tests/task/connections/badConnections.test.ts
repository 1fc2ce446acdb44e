/**
 * Connections the task cannot use fail with one clear line that names the side and what is
 * wrong — never the connection id, a tenant or subscription id, or a secret — and, when the
 * problem is visible in the connection itself, before any request is sent.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../testkit/emulator';
import { connectionEnv, managedIdentityConnection, pipelineEnv, secretConnection, workloadIdentityConnection, type ConnectionSpec } from './support/agentEnv';
import { runDriver, type DriverRun } from './support/runDriver';
import { APP, CLIENT_SECRET, CONN, REGISTRY, SUB_A, SUB_B, TENANT_A, TENANT_B, makeCertificate, world } from './support/world';

describe('task connections: connections that cannot be used', function () {
  this.timeout(60_000);
  let em: Emulator;

  before(async function () {
    em = await startEmulator({ fixture: world(await makeCertificate()) });
  });
  after(() => em.stop());
  beforeEach(() => em.log.clear());

  /** `secret: null` leaves the secret out of the connection. */
  const secretSpec = (overrides: Partial<ConnectionSpec> = {}, secret: string | null = CLIENT_SECRET): ConnectionSpec => ({
    ...secretConnection(em, { id: CONN.secret, tenantId: TENANT_A, subscriptionId: SUB_A, clientId: APP.secret, ...(secret !== null ? { secret } : {}) }),
    ...overrides,
  });

  async function resolveOnly(env: Record<string, string>, connectionId: string = CONN.secret, registry: string = REGISTRY.a): Promise<DriverRun> {
    return runDriver({ sides: [{ side: 'source', connectionId, registry }], durationMs: 0, intervalMs: 0 }, env, em.caFile);
  }

  /** Failed with exactly one line of error, free of ids and secrets. */
  function failedWith(run: DriverRun, pattern: RegExp): string {
    assert.equal(run.code, 1, run.stdout);
    const error = run.error ?? '';
    assert.match(error, pattern);
    assert.ok(!/[\r\n]/.test(error));
    for (const forbidden of [CONN.secret, CONN.workload, CONN.systemIdentity, TENANT_A, TENANT_B, SUB_A, SUB_B, CLIENT_SECRET, APP.secret, APP.workload]) {
      assert.ok(!error.includes(forbidden), `the message shows ${forbidden}: ${error}`);
    }
    return error;
  }

  it('an unsupported scheme names the scheme', async function () {
    const spec = secretSpec({ scheme: 'UsernamePassword', parameters: { username: 'someone', password: 'pa55word' } });
    const run = await resolveOnly(connectionEnv(spec));
    const error = failedWith(run, /The source service connection uses the authentication scheme 'UsernamePassword', which this task does not support/);
    assert.ok(!error.includes('pa55word'));
    assert.equal(em.log.entries().length, 0, 'nothing was sent');
  });

  it('a service principal without its secret says so', async function () {
    const run = await resolveOnly(connectionEnv(secretSpec({}, null)));
    failedWith(run, /^The source service connection has no client secret\./);
    assert.equal(em.log.entries().length, 0);
  });

  it('a connection the job was not given is reported as not available', async function () {
    const run = await resolveOnly({});
    failedWith(run, /^The source service connection is not available to this job\./);
  });

  it('a malformed authorization blob is never echoed (task-lib quotes it in its parse error)', async function () {
    const env = connectionEnv(secretSpec());
    env[`ENDPOINT_AUTH_${CONN.secret}`] = `{"parameters":{"serviceprincipalkey":"${CLIENT_SECRET}"`;
    const run = await resolveOnly(env);
    assert.equal(run.code, 0, run.error);
    const clear = run.lines.filter((l) => !l.startsWith('##vso[task.debug]') && !l.startsWith('##vso[task.setsecret]'));
    assert.ok(!clear.some((l) => l.includes(CLIENT_SECRET)));
  });

  it('a connection scoped to a management group is refused', async function () {
    const spec = secretSpec();
    const data = { ...spec.data, scopeLevel: 'ManagementGroup', managementGroupId: 'mg-1', managementGroupName: 'Platform' };
    delete (data as Record<string, string | undefined>)['subscriptionId'];
    const run = await resolveOnly(connectionEnv({ ...spec, data }));
    failedWith(run, /^The source service connection is not scoped to a subscription\./);
  });

  it('a wrong secret fails on first use with Entra’s reason and the side, not the secret', async function () {
    const run = await resolveOnly(connectionEnv(secretSpec({}, 'not-the-secret-4711')));
    const error = failedWith(run, /The source service connection could not get a token: .*AADSTS7000215/);
    assert.ok(!error.includes('not-the-secret-4711'));
  });

  it('workload identity federation without the job’s OIDC endpoint fails before any request', async function () {
    const env = connectionEnv(workloadIdentityConnection(em, { id: CONN.workload, tenantId: TENANT_B, subscriptionId: SUB_B, clientId: APP.workload }));
    const run = await resolveOnly(env, CONN.workload, REGISTRY.b);
    failedWith(run, /^The source service connection uses workload identity federation, but the job offers no ID token endpoint/);
    assert.equal(em.log.entries().length, 0);
  });

  it('workload identity federation with a job token the pipeline refuses reports HTTP 401 and never reaches Entra', async function () {
    const env = {
      ...connectionEnv(workloadIdentityConnection(em, { id: CONN.workload, tenantId: TENANT_B, subscriptionId: SUB_B, clientId: APP.workload })),
      ...pipelineEnv(em, 'a-stale-job-token'),
    };
    const run = await resolveOnly(env, CONN.workload, REGISTRY.b);
    const error = failedWith(run, /Azure DevOps did not issue an ID token for the source service connection: HTTP 401 TF400813/);
    assert.doesNotMatch(error, /could not get a token/, 'the pipeline’s refusal is the reason given, not a generic one');
    assert.ok(em.log.count('pipeline.oidcToken', 401) >= 1);
    assert.equal(em.log.count('entra.token'), 0);
    assert.ok(!run.stdout.includes('a-stale-job-token'));
  });

  it('workload identity federation falls back to the collection, project, plan and job when System.OidcRequestUri is missing', async function () {
    const env: Record<string, string> = {
      ...connectionEnv(workloadIdentityConnection(em, { id: CONN.workload, tenantId: TENANT_B, subscriptionId: SUB_B, clientId: APP.workload })),
      ...pipelineEnv(em),
    };
    delete env['SYSTEM_OIDCREQUESTURI'];
    const run = await resolveOnly(env, CONN.workload, REGISTRY.b);
    assert.equal(run.code, 0, run.error);
    const calls = em.log.entries().filter((e) => e.route === 'pipeline.oidcToken');
    assert.ok(calls.length >= 1 && calls.every((e) => e.status === 200));
    assert.equal(new URL(calls[0]?.url ?? '', 'https://x').pathname, new URL(em.pipeline.oidcRequestUri).pathname);
  });

  it('a managed identity on a custom authority without an identity endpoint is refused, and IMDS is never tried', async function () {
    const env = connectionEnv(managedIdentityConnection(em, { id: CONN.systemIdentity, tenantId: TENANT_A, subscriptionId: SUB_A }));
    // runDriver fails the test if the child tried any non-loopback address (169.254.169.254).
    const run = await resolveOnly(env, CONN.systemIdentity);
    failedWith(run, /^The source service connection uses a managed identity, but its authority https:\/\/127\.0\.0\.1:\d+ is not one of Azure's/);
    assert.equal(em.log.entries().length, 0);
  });
});
