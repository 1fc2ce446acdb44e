/**
 * Each scheme proven against the emulator over HTTPS in a run longer than every token's
 * lifetime: Entra access tokens and registry tokens live 3 s, the pipeline's ID tokens 2 s,
 * and the driver (the task's stand-in, a child process with the agent's environment) keeps
 * its ARM client and registry reader busy for 7 s. Source and target are different
 * connections in different tenants and subscriptions.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../testkit/emulator';
import {
  certificateConnection,
  connectionEnv,
  managedIdentityConnection,
  managedIdentityEnv,
  pipelineEnv,
  secretConnection,
  workloadIdentityConnection,
} from './support/agentEnv';
import type { DriverPlan } from './support/driver';
import { runDriver, type DriverRun } from './support/runDriver';
import {
  assertMasked,
  assertRanTheWholeRun,
  assertRenewed,
  assertResourceCallsSucceeded,
  identityGrants,
  tokenGrants,
} from './support/runAssertions';
import { APP, CLIENT_SECRET, CONN, REGISTRY, SUB_A, SUB_B, TENANT_A, TENANT_B, makeCertificate, world, type Certificate } from './support/world';

const TOKEN_LIFETIME_S = 3;
const ID_TOKEN_LIFETIME_S = 2;
const RUN_MS = 7000;
const INTERVAL_MS = 400;

interface Scenario {
  em: Emulator;
  run: DriverRun;
}

/** One emulator and one driver run of RUN_MS over the sides (and, optionally, the CA) `build` gives. */
async function scenario(certificate: Certificate, build: (em: Emulator) => { env: Record<string, string>; plan: Pick<DriverPlan, 'sides' | 'caFile'> }): Promise<Scenario> {
  const em = await startEmulator({ fixture: world(certificate), tokenLifetimeSeconds: TOKEN_LIFETIME_S, idTokenLifetimeSeconds: ID_TOKEN_LIFETIME_S });
  try {
    const { env, plan } = build(em);
    return { em, run: await runDriver({ ...plan, durationMs: RUN_MS, intervalMs: INTERVAL_MS }, env, em.caFile) };
  } catch (error) {
    await em.stop();
    throw error;
  }
}

describe('task connections: long runs renew every token', function () {
  this.timeout(60_000);
  let certificate: Certificate;
  let secretAndWorkload: Scenario;
  let certificateAndUserIdentity: Scenario;
  let systemIdentityBothSides: Scenario;

  before(async function () {
    certificate = await makeCertificate();
    // The three runs are independent (one emulator each) and mostly wait: run them together.
    [secretAndWorkload, certificateAndUserIdentity, systemIdentityBothSides] = await Promise.all([
      scenario(certificate, (em) => ({
        env: {
          ...connectionEnv(secretConnection(em, { id: CONN.secret, tenantId: TENANT_A, subscriptionId: SUB_A, clientId: APP.secret, secret: CLIENT_SECRET })),
          ...connectionEnv(workloadIdentityConnection(em, { id: CONN.workload, tenantId: TENANT_B, subscriptionId: SUB_B, clientId: APP.workload })),
          ...pipelineEnv(em),
        },
        plan: {
          sides: [
            { side: 'source', connectionId: CONN.secret, registry: REGISTRY.a },
            { side: 'target', connectionId: CONN.workload, registry: REGISTRY.b },
          ],
        },
      })),
      scenario(certificate, (em) => ({
        env: {
          ...connectionEnv(certificateConnection(em, { id: CONN.certificate, tenantId: TENANT_A, subscriptionId: SUB_A, clientId: APP.certificate, pem: certificate.pem })),
          ...connectionEnv(managedIdentityConnection(em, { id: CONN.userIdentity, tenantId: TENANT_B, subscriptionId: SUB_B, msiClientId: APP.userIdentity })),
          ...managedIdentityEnv(em),
        },
        plan: {
          sides: [
            { side: 'source', connectionId: CONN.certificate, registry: REGISTRY.a },
            { side: 'target', connectionId: CONN.userIdentity, registry: REGISTRY.b },
          ],
        },
      })),
      scenario(certificate, (em) => ({
        env: {
          ...connectionEnv(managedIdentityConnection(em, { id: CONN.systemIdentity, tenantId: TENANT_A, subscriptionId: SUB_A })),
          ...managedIdentityEnv(em),
        },
        plan: {
          sides: [
            { side: 'source', connectionId: CONN.systemIdentity, registry: REGISTRY.a },
            { side: 'target', connectionId: CONN.systemIdentity, registry: REGISTRY.a2 },
          ],
          // This run trusts the emulator through the transport, not NODE_EXTRA_CA_CERTS.
          caFile: em.caFile,
        },
      })),
    ]);
  });

  after(async function () {
    await Promise.all([secretAndWorkload, certificateAndUserIdentity, systemIdentityBothSides].filter((s) => s).map((s) => s.em.stop()));
  });

  describe('service principal with a secret (source) and workload identity federation (target)', function () {
    it('resolves each connection to its own tenant, subscription and kind', function () {
      const { run, em } = secretAndWorkload;
      assertRanTheWholeRun(run, RUN_MS);
      assert.deepEqual(
        run.resolved.map((r) => [r.side, r.displayName, r.authKind, r.tenantId, r.subscriptionId]),
        [
          ['source', 'source', 'secret', TENANT_A, SUB_A],
          ['target', 'target', 'workloadIdentity', TENANT_B, SUB_B],
        ],
      );
      for (const r of run.resolved) {
        assert.equal(r.cloud.armEndpoint, em.armEndpoint);
        assert.equal(r.cloud.authorityHost, em.authorityHost);
        assert.equal(r.cloud.acrAudience, 'https://containerregistry.azure.net');
      }
      assert.deepEqual(run.result?.repositories, { source: ['app', 'team/tool'], target: ['mirror'] });
    });

    it('renews Entra tokens for ARM and for the registry, per connection and tenant', function () {
      const { run, em } = secretAndWorkload;
      assertResourceCallsSucceeded(em, run);
      for (const [clientId, tenantId] of [
        [APP.secret, TENANT_A],
        [APP.workload, TENANT_B],
      ] as const) {
        const grants = tokenGrants(em, clientId);
        assertRenewed(grants, TOKEN_LIFETIME_S, `${clientId}`);
        assert.ok(grants.every((g) => g.record.tenantId === tenantId), 'each connection signs in to its own tenant');
        const scopes = new Set(grants.map((g) => g.record.scope));
        assert.deepEqual([...scopes].sort(), [`${em.armEndpoint}/.default`, 'https://containerregistry.azure.net/.default'].sort());
      }
      assert.ok(tokenGrants(em, APP.secret).every((g) => g.record.credential === 'secret'));
    });

    it('asks the pipeline for a new ID token for every token request and never sends an expired one', function () {
      const { em } = secretAndWorkload;
      const idTokens = em.log.entries().filter((e) => e.route === 'pipeline.oidcToken');
      assert.ok(idTokens.length > 0 && idTokens.every((e) => e.status === 200), 'every ID token request was granted');
      const issued = new Map(idTokens.map((e) => [(e.body as { jti: string }).jti, e]));
      const grants = tokenGrants(em, APP.workload);
      assert.ok(idTokens.length >= grants.length, `${idTokens.length} ID tokens for ${grants.length} token requests`);
      const sent = grants.map((g) => g.record.assertion);
      assert.ok(sent.every((a) => a?.jti !== undefined && issued.has(a.jti)), 'each assertion is an ID token the pipeline issued');
      assert.equal(new Set(sent.map((a) => a?.jti)).size, sent.length, 'no ID token was sent twice');
      for (const g of grants) {
        assert.ok((g.record.assertion?.exp ?? 0) * 1000 > g.entry.startedAt, 'the assertion was still valid when sent');
        const fetched = issued.get(g.record.assertion?.jti ?? '');
        assert.ok(fetched && fetched.finishedAt <= g.entry.startedAt, 'fetched from the pipeline just before');
      }
    });

    it('masks every token it handed out and every ID token, and prints no secret', function () {
      const { run, em } = secretAndWorkload;
      assertMasked(run, em, { secrets: [CLIENT_SECRET], debugOnlySecrets: [CLIENT_SECRET] });
    });
  });

  describe('service principal with a certificate (source) and a user-assigned managed identity (target)', function () {
    it('resolves both and lists each registry for the whole run', function () {
      const { run } = certificateAndUserIdentity;
      assertRanTheWholeRun(run, RUN_MS);
      assert.deepEqual(
        run.resolved.map((r) => [r.side, r.authKind, r.tenantId, r.subscriptionId]),
        [
          ['source', 'certificate', TENANT_A, SUB_A],
          ['target', 'managedIdentity', TENANT_B, SUB_B],
        ],
      );
      assert.deepEqual(run.result?.repositories, { source: ['app', 'team/tool'], target: ['mirror'] });
    });

    it('signs certificate assertions and renews its tokens', function () {
      const { em, run } = certificateAndUserIdentity;
      assertResourceCallsSucceeded(em, run);
      const grants = tokenGrants(em, APP.certificate);
      assertRenewed(grants, TOKEN_LIFETIME_S, 'certificate');
      assert.ok(grants.every((g) => g.record.credential === 'assertion' && g.record.assertion?.iss === APP.certificate));
    });

    it('removes the certificate PEM azure-arm-rest wrote as soon as it is read', function () {
      const { run } = certificateAndUserIdentity;
      assert.equal(run.result?.certFileAfterResolve, false);
      assert.equal(run.result?.certFileAtEnd, false);
    });

    it('gets the managed identity tokens from the machine endpoint with its client id, renewed, never from Entra', function () {
      const { em } = certificateAndUserIdentity;
      const grants = identityGrants(em);
      assertRenewed(grants, TOKEN_LIFETIME_S, 'user-assigned identity');
      assert.ok(grants.every((g) => g.record.clientId === APP.userIdentity));
      assert.deepEqual(
        [...new Set(grants.map((g) => g.record.resource?.replace(/\/+$/, '')))].sort(),
        [em.armEndpoint, 'https://containerregistry.azure.net'].sort(),
      );
      assert.equal(tokenGrants(em, APP.userIdentity).length, 0);
    });

    it('masks every token and prints neither the private key nor the identity header', function () {
      const { run, em } = certificateAndUserIdentity;
      const keyLine = certificate.keyPem.split('\n')[3] ?? '';
      assert.ok(keyLine.length > 40);
      assertMasked(run, em, { secrets: [keyLine], debugOnlySecrets: [keyLine] });
    });
  });

  describe('one system-assigned managed identity for both sides, CA through the transport', function () {
    it('reads both registries for the whole run with renewed machine-identity tokens', function () {
      const { run, em } = systemIdentityBothSides;
      assertRanTheWholeRun(run, RUN_MS);
      assert.deepEqual(run.resolved.map((r) => [r.side, r.authKind, r.subscriptionId]), [
        ['source', 'managedIdentity', SUB_A],
        ['target', 'managedIdentity', SUB_A],
      ]);
      assert.deepEqual(run.result?.repositories, { source: ['app', 'team/tool'], target: ['aux'] });
      assertResourceCallsSucceeded(em, run);
      const grants = identityGrants(em);
      assertRenewed(grants, TOKEN_LIFETIME_S, 'system-assigned identity');
      assert.ok(grants.every((g) => g.record.clientId === undefined), 'no client id: the system-assigned identity');
      assertMasked(run, em, { secrets: [], debugOnlySecrets: [] });
    });
  });
});
