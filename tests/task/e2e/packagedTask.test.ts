/**
 * The packaged task, run as the agent runs it: the .vsix is built and unpacked, then
 * `node dist/index.js` starts with the INPUT_*, ENDPOINT_* and SYSTEM_* variables an agent sets,
 * against the emulator over HTTPS. Source and target live in different subscriptions and are
 * reached through different service connections: service principals with secrets in one
 * case, workload identity federation (ID tokens from System.OidcRequestUri) in the other.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pipelineFederatedCredential, startEmulator } from '../../../testkit/emulator';
import type { Emulator, Fixture, PrincipalFixture } from '../../../testkit/emulator/api';
import type { RunReport } from '../../../src/engine/report';
import { startConnectProxy, type ConnectProxy } from '../../support/connectProxy';
import { packagedTaskEntry } from '../../package/support/packaged';
import { readJson, type TaskJson } from '../../package/support/taskJson';
import { runGuarded, type ChildRun } from '../../support/runGuarded';
import { TASK_NODE_MAJORS, testNode } from '../../support/testNodes';
import { connectionEnv, pipelineEnv, secretConnection, workloadIdentityConnection, type ConnectionSpec } from '../connections/support/agentEnv';
import { agentEnv, outputVariables, summaryOf, tagsOf } from './support/taskOutput';

const TENANT = '4d3c2b1a-0000-4000-8000-00000000e2e0';
const SUB_SOURCE = '5a5a5a5a-1111-4111-8111-00000000e2e1';
const SUB_TARGET = '7b7b7b7b-2222-4222-8222-00000000e2e2';
const SOURCE = 'prodregistry';
const TARGET = 'drregistry';
const CONN_SOURCE = 'c0c0c0c0-0000-4000-8000-0000000000a1';
const CONN_TARGET = 'c0c0c0c0-0000-4000-8000-0000000000b2';
const SOURCE_APP = 'a99a0001-0000-4000-8000-0000000000a1';
const TARGET_APP = 'a99a0002-0000-4000-8000-0000000000b2';
const SECRETS = { source: 'source-sp-secret~E2E.value1', target: 'target-sp-secret~E2E.value2' };
const SOURCE_CONNECTION_NAME = 'prod (workload identity)';
const TARGET_CONNECTION_NAME = 'dr (workload identity)';

const sourceRegistryId = `/subscriptions/${SUB_SOURCE}/resourceGroups/rg-prod/providers/Microsoft.ContainerRegistry/registries/${SOURCE}`;
const image = (seed: string) => ({ content: { kind: 'image' as const, seed } });
const NOTATION = 'application/vnd.cncf.notary.signature';
const signedImage = (seed: string) => ({
  ...image(seed),
  referrers: [
    { artifactType: NOTATION, seed: `${seed}-signature` },
    { artifactType: 'application/spdx+json', seed: `${seed}-sbom`, referrers: [{ artifactType: NOTATION, seed: `${seed}-sbom-signature` }] },
  ],
});

function fixture(kind: 'secret' | 'workload'): Fixture {
  const identity = (side: 'source' | 'target'): Pick<PrincipalFixture, 'secret' | 'federated'> =>
    kind === 'secret' ? { secret: SECRETS[side] } : { federated: pipelineFederatedCredential(side === 'source' ? SOURCE_CONNECTION_NAME : TARGET_CONNECTION_NAME) };
  return {
    principals: [
      {
        tenantId: TENANT,
        clientId: SOURCE_APP,
        ...identity('source'),
        roles: [
          { role: 'Reader', scope: `/subscriptions/${SUB_SOURCE}` },
          { role: 'AcrPull', scope: `/subscriptions/${SUB_SOURCE}` },
        ],
      },
      {
        tenantId: TENANT,
        clientId: TARGET_APP,
        ...identity('target'),
        // The import runs as the target's identity, which must be able to read the source.
        roles: [
          { role: 'Contributor', scope: `/subscriptions/${SUB_TARGET}` },
          { role: 'Reader', scope: sourceRegistryId },
        ],
      },
    ],
    subscriptions: [
      {
        id: SUB_SOURCE,
        tenantId: TENANT,
        registries: [
          {
            name: SOURCE,
            resourceGroup: 'rg-prod',
            repositories: {
              api: { '1.0': image('api-1'), '1.1': image('api-2'), latest: image('api-2') },
              // Signed with Notation, with an SBOM that is itself signed: three referrers travel with it.
              'team/web': { v3: signedImage('web-3'), stable: signedImage('web-3') },
              'charts/api': { '0.1.0': { content: { kind: 'helm', seed: 'c', chart: 'api', version: '0.1.0' } } },
              'legacy/old': { v0: image('old') },
              locked: { '2.0': image('rebuilt') },
            },
          },
        ],
      },
      {
        id: SUB_TARGET,
        tenantId: TENANT,
        registries: [
          {
            name: TARGET,
            resourceGroup: 'rg-dr',
            repositories: {
              api: { '1.0': image('api-1'), latest: image('api-1') },
              locked: { '2.0': { content: { kind: 'image', seed: 'original' }, writeEnabled: false } },
            },
          },
        ],
      },
    ],
    pipeline: {
      serviceConnections: [
        { id: CONN_SOURCE, name: SOURCE_CONNECTION_NAME },
        { id: CONN_TARGET, name: TARGET_CONNECTION_NAME },
      ],
    },
  };
}

/**
 * The task.* logging commands the agent processes in restricted mode: those its
 * src/Agent.Worker/TaskCommandExtension.cs marks `[CommandRestriction(AllowedInRestrictedMode =
 * true)]` (microsoft/azure-pipelines-agent, 2026-08); `issue` is logissue's alias.
 */
const RESTRICTED_MODE_COMMANDS = new Set(['logdetail', 'logissue', 'issue', 'complete', 'setprogress', 'setsecret', 'setvariable', 'debug', 'settaskvariable', 'prependpath']);

describe('the packaged task, run as the agent runs it', function () {
  this.timeout(180_000);
  let entry: string;

  before(async () => {
    entry = await packagedTaskEntry();
    assert.ok(existsSync(entry), entry);
  });

  for (const major of TASK_NODE_MAJORS)
  for (const kind of ['secret', 'workload'] as const) {
    describe(`${kind === 'secret' ? 'service principals with secrets' : 'workload identity federation'}, on Node ${major}`, () => {
      let emulator: Emulator;
      let run: ChildRun;
      let agentTemp: string;
      // The service-principal case runs behind the agent's proxy, as self-hosted agents often do,
      // with the source registry in its bypass list (a registry on a private endpoint).
      let proxy: ConnectProxy | undefined;

      before(async () => {
        emulator = await startEmulator({ fixture: fixture(kind), importRetryAfterSeconds: 1, importDurationMs: 1000, tokenLifetimeSeconds: 3600 });
        agentTemp = mkdtempSync(join(tmpdir(), 'agent-temp-'));
        if (kind === 'secret') proxy = await startConnectProxy();
        const basics = (id: string, subscriptionId: string) => ({ id, tenantId: TENANT, subscriptionId });
        const connections: ConnectionSpec[] =
          kind === 'secret'
            ? [
                secretConnection(emulator, { ...basics(CONN_SOURCE, SUB_SOURCE), clientId: SOURCE_APP, secret: SECRETS.source }),
                secretConnection(emulator, { ...basics(CONN_TARGET, SUB_TARGET), clientId: TARGET_APP, secret: SECRETS.target }),
              ]
            : [
                workloadIdentityConnection(emulator, { ...basics(CONN_SOURCE, SUB_SOURCE), clientId: SOURCE_APP }),
                workloadIdentityConnection(emulator, { ...basics(CONN_TARGET, SUB_TARGET), clientId: TARGET_APP }),
              ];
        run = await runGuarded(entry, [], {
          INPUT_SOURCECONNECTION: CONN_SOURCE,
          INPUT_SOURCEREGISTRY: SOURCE,
          INPUT_TARGETCONNECTION: CONN_TARGET,
          INPUT_TARGETREGISTRY: `${TARGET}.azurecr.io`,
          INPUT_REGISTRYDOMAIN: emulator.registryDomain,
          INPUT_IGNOREPATTERNS: 'legacy/*',
          INPUT_MAXCONCURRENCY: '2',
          INPUT_DRYRUN: 'false',
          INPUT_FORCE: 'false',
          // The CA to trust, as for an agent behind a TLS-inspecting proxy.
          ...agentEnv(emulator, agentTemp),
          // As the agent sets them (config --proxyurl, .proxybypass): task-lib reads Agent.ProxyUrl
          // and Agent.ProxyBypassList, a JSON list of regular expressions matched against the URL.
          ...(proxy
            ? {
                AGENT_PROXYURL: proxy.url,
                AGENT_PROXYBYPASSLIST: JSON.stringify([`^https://${emulator.registry(SOURCE).loginServer.replace(/\./g, '\\.')}/`]),
              }
            : {}),
          ...(kind === 'workload' ? pipelineEnv(emulator) : {}),
          ...Object.fromEntries(connections.flatMap((c) => Object.entries(connectionEnv(c)))),
        }, undefined, [], testNode(major).path);
      });

      after(async () => {
        await emulator.stop();
        await proxy?.stop();
      });

      it(`runs on a real Node ${major} and prints nothing on stderr (no deprecation warning)`, () => {
        assert.match(run.stdout, new RegExp(`^##vso\\[task\\.debug\\]ACR Transfer \\S+ on Node ${testNode(major).version.replace(/\./g, '\\.')}$`, 'm'));
        assert.equal(run.stderr, '', run.stderr);
      });

      it("emits only what task.json's restrictions let through: its output variables; commands restricted mode would drop only if the mode were restricted", () => {
        const task = readJson<TaskJson>(join(dirname(entry), '..', 'task.json'));
        const set = [...run.stdout.matchAll(/^##vso\[task\.setvariable variable=([^;\]]+)/gm)].map((m) => m[1]);
        assert.deepEqual([...new Set(set)].sort(), [...(task.restrictions?.settableVariables?.allowed ?? [])].sort());
        const commands = new Set([...run.stdout.matchAll(/^##vso\[task\.(\w+)[ \]]/gm)].map((m) => m[1]));
        const dropped = [...commands].filter((command) => !RESTRICTED_MODE_COMMANDS.has(command));
        // The summary upload is one of them, so the mode must stay "any".
        assert.deepEqual(dropped, ['uploadsummary']);
        assert.equal(task.restrictions?.commands?.mode, 'any');
      });

      it('ends SucceededWithIssues because of the locked tag, with a one-line reason', () => {
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.match(run.stdout, /^##vso\[task\.complete result=SucceededWithIssues;\]1 tag left unchanged: a lock in the target \(on the tag, its repository or a manifest\) forbids the change\.$/m, run.stdout);
      });

      it('leaves the target holding exactly what the plan said', () => {
        const source = tagsOf(emulator, SOURCE);
        assert.deepEqual(tagsOf(emulator, TARGET), {
          api: source['api'],
          'charts/api': source['charts/api'],
          locked: { '2.0': emulator.registry(TARGET).tags('locked').get('2.0')! },
          'team/web': source['team/web'],
        });
        assert.notEqual(emulator.registry(TARGET).tags('locked').get('2.0'), source['locked']['2.0'], 'the locked tag kept its digest');
      });

      it('imports by digest, one call per digest, as the target identity', () => {
        const imports = emulator.log.entries().filter((e) => e.route === 'arm.importImage');
        const all = imports.map((e) => e.body as { source: { resourceId: string; sourceImage: string }; targetTags: string[]; untaggedTargetRepositories?: string[]; mode: string });
        // The referrers of team/web's image: untagged copies by digest into the same repository.
        const untagged = all.filter((b) => b.untaggedTargetRepositories !== undefined);
        assert.equal(untagged.length, 3);
        for (const b of untagged) assert.deepEqual([b.mode, b.targetTags, b.untaggedTargetRepositories], ['Force', undefined, ['team/web']]);
        const bodies = all.filter((b) => b.untaggedTargetRepositories === undefined);
        assert.equal(bodies.length, 4);
        for (const b of bodies) {
          assert.match(b.source.sourceImage, /@sha256:[0-9a-f]{64}$/);
          assert.equal(b.source.resourceId, emulator.registry(SOURCE).resourceId);
        }
        assert.deepEqual(bodies.map((b) => [b.mode, [...b.targetTags].sort()]).sort(), [
          ['Force', ['api:latest']],
          ['NoForce', ['api:1.1']],
          ['NoForce', ['charts/api:0.1.0']],
          ['NoForce', ['team/web:stable', 'team/web:v3']],
        ]);
        assert.ok(imports.every((e) => e.url.includes(`/subscriptions/${SUB_TARGET}/`)));
      });

      it('copies the signature, the SBOM and its signature with the image, and says so in the log', () => {
        assert.match(run.stdout, /^Referrers \(imported\): 3 found, 3 copied, 0 already present, 0 left for a later run, 0 failed\.$/m);
        const tree = (registry: string, digest: string): string[] =>
          emulator.registry(registry).referrers('team/web', digest).flatMap((d) => [d.digest, ...tree(registry, d.digest)]).sort();
        const subject = emulator.registry(SOURCE).tags('team/web').get('v3')!;
        assert.equal(tree(SOURCE, subject).length, 3);
        assert.deepEqual(tree(TARGET, subject), tree(SOURCE, subject));
      });

      if (kind === 'secret') {
        it("goes through the agent's proxy to Entra ID, ARM and the target registry, and straight to the source registry its bypass list names", () => {
          const hosts = (url: string) => new URL(url).host;
          const through = [...(proxy?.tunnels.keys() ?? [])];
          for (const host of [hosts(emulator.authorityHost), hosts(emulator.armEndpoint), emulator.registry(TARGET).loginServer]) {
            assert.ok(through.includes(host), `no tunnel to ${host}; tunnels: ${through.join(', ')}`);
          }
          assert.ok(!through.includes(emulator.registry(SOURCE).loginServer), `a tunnel to the bypassed source registry; tunnels: ${through.join(', ')}`);
          const sourceReads = emulator.log.entries().filter((e) => e.service === `acr:${SOURCE}` && e.status === 200);
          assert.ok(sourceReads.length > 0, 'the source registry was read, directly');
        });
      }

      it('signs each side in with its own connection', () => {
        const tokenRequests = emulator.log.entries().filter((e) => e.route === 'entra.token').map((e) => e.body as { clientId?: string; credential: string });
        const clients = new Set(tokenRequests.map((r) => r.clientId));
        assert.deepEqual([...clients].sort(), [SOURCE_APP, TARGET_APP].sort());
        const expected = kind === 'secret' ? 'secret' : 'assertion';
        assert.ok(tokenRequests.every((r) => r.credential === expected), JSON.stringify(tokenRequests));
        if (kind === 'workload') assert.ok(emulator.log.count('pipeline.oidcToken', 200) >= 2, 'an ID token per connection');
      });

      it('prints a log group per repository with work, warnings for re-tagged and locked tags', () => {
        assert.match(run.stdout, /^##\[group\]api: done$/m);
        assert.match(run.stdout, /^##\[group\]team\/web: done$/m);
        assert.match(run.stdout, /^##\[group\]locked: blocked$/m);
        assert.match(run.stdout, /^##vso\[task\.issue type=warning;source=TaskInternal;\]api:latest was re-tagged: /m);
        assert.match(run.stdout, /^##vso\[task\.issue type=warning;source=TaskInternal;\]locked:2\.0 is locked in the target /m);
        assert.match(run.stdout, /^##vso\[task\.setprogress value=100;\]/m);
      });

      it('publishes the output variables, the summary and the JSON report', () => {
        const vars = outputVariables(run.stdout);
        // Named after the step, so that two steps of a job never write the same file.
        const reportPath = vars['reportPath'];
        assert.equal(dirname(reportPath), agentTemp);
        assert.match(basename(reportPath), /^acr-transfer-report-[\w-]+\.json$/);
        assert.deepEqual(vars, {
          tagsImported: '5',
          tagsRetagged: '1',
          tagsInSync: '1',
          tagsLocked: '1',
          tagsFailed: '0',
          repositoriesRemaining: '0',
          tagsFilteredOut: '0',
          outOfSync: '',
          referrersCopied: '3',
          reportPath,
        });
        const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
        assert.equal(report.result, 'succeededWithIssues');
        assert.deepEqual(report.totals.referrers, { found: 3, copied: 3, present: 0, planned: 0, failed: 0 });
        assert.deepEqual(report.selection.ignored, [{ name: 'legacy/old', pattern: 'legacy/*' }]);
        const summary = summaryOf(run);
        assert.match(summary, /## ACR Transfer: `prodregistry` → `drregistry`/);
        assert.match(summary, /^\| Referrers \(imported\) \| found \| copied \| already present \| left \| failed \|\n\|[-|]+\|\n\| \| 3 \| 3 \| 0 \| 0 \| 0 \|$/m);
      });

      it('masks every token and never prints a secret or an id in clear', () => {
        assert.match(run.stdout, /^##vso\[task\.setsecret\]/m, 'tokens are registered as secrets');
        const unmasked = run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.setsecret]')).join('\n') + run.stderr;
        for (const value of [SECRETS.source, SECRETS.target, SUB_SOURCE, SUB_TARGET, TENANT]) {
          assert.ok(!unmasked.includes(value), `printed ${value.slice(0, 10)}…`);
        }
        assert.ok(!/eyJ[\w-]{10,}\.[\w-]{10,}/.test(unmasked), 'no JWT in the log');
      });
    });
  }
});
