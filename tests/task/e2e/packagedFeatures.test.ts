/**
 * The packaged task with issue 13's inputs, run as the agent runs it against the emulator:
 * tag filters and a target repository prefix, and "Fail when out of sync" as a drift gate —
 * a check that writes nothing and ends Failed with the drift in the summary, then a sync of
 * only the filtered tags into the mapped repositories, then a check that finds them in sync.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../../testkit/emulator';
import type { Emulator, Fixture } from '../../../testkit/emulator/api';
import { packagedTaskEntry } from '../../package/support/packaged';
import { runGuarded, type ChildRun } from '../../support/runGuarded';
import { testNode } from '../../support/testNodes';
import { connectionEnv, secretConnection } from '../connections/support/agentEnv';
import { agentEnv, outputVariables, summaryOf, tagsOf } from './support/taskOutput';

const TENANT = '4d3c2b1a-0000-4000-8000-00000000f130';
const SUB = '5a5a5a5a-1111-4111-8111-00000000f131';
const SOURCE = 'prodregistry';
const TARGET = 'drregistry';
const CONN = 'c0c0c0c0-0000-4000-8000-0000000f13a1';
const APP = 'a99a0001-0000-4000-8000-0000000f13a1';
const SECRET = 'features-sp-secret~F13.value';
const image = (seed: string) => ({ content: { kind: 'image' as const, seed } });

function fixture(): Fixture {
  return {
    principals: [{ tenantId: TENANT, clientId: APP, secret: SECRET, roles: [{ role: 'Contributor', scope: `/subscriptions/${SUB}` }] }],
    subscriptions: [
      {
        id: SUB,
        tenantId: TENANT,
        registries: [
          { name: SOURCE, resourceGroup: 'rg', repositories: { api: { '1.0': image('a1'), '1.1': image('a2'), 'pr-9': image('p9') }, web: { '2.0': image('w2') } } },
          // The unprefixed api must never be touched; pr-9 in the mapped repository neither (filtered out).
          // mirror/api:old and mirror/gone exist only in the target: listed, never deleted.
          {
            name: TARGET,
            resourceGroup: 'rg',
            repositories: { api: { '1.0': image('other') }, 'mirror/api': { 'pr-9': image('old-pr'), old: image('o') }, 'mirror/gone': { v1: image('g') } },
          },
        ],
      },
    ],
  };
}

describe('the packaged task: tag filters, a target repository prefix and the drift gate', function () {
  this.timeout(180_000);
  let entry: string;
  let emulator: Emulator;

  before(async () => {
    entry = await packagedTaskEntry();
    emulator = await startEmulator({ fixture: fixture(), importRetryAfterSeconds: 1, importDurationMs: 0 });
  });
  after(async () => {
    await emulator?.stop();
  });

  function runTask(inputs: Record<string, string>): Promise<ChildRun> {
    const agentTemp = mkdtempSync(join(tmpdir(), 'agent-temp-'));
    const connection = secretConnection(emulator, { id: CONN, tenantId: TENANT, subscriptionId: SUB, clientId: APP, secret: SECRET });
    return runGuarded(
      entry,
      [],
      {
        INPUT_SOURCECONNECTION: CONN,
        INPUT_SOURCEREGISTRY: SOURCE,
        INPUT_TARGETCONNECTION: CONN,
        INPUT_TARGETREGISTRY: TARGET,
        INPUT_REGISTRYDOMAIN: emulator.registryDomain,
        INPUT_TARGETREPOSITORYPREFIX: 'mirror/',
        INPUT_IGNORETAGPATTERNS: 'pr-*',
        ...agentEnv(emulator, agentTemp),
        ...connectionEnv(connection),
        ...inputs,
      },
      undefined,
      [],
      testNode(20).path,
    );
  }

  it('a check ends Failed with the drift in the summary and writes nothing; a sync copies the filtered tags into mirror/; a check then succeeds', async () => {
    const before = tagsOf(emulator, TARGET);
    const check = await runTask({ INPUT_FAILWHENOUTOFSYNC: 'Failed' });
    assert.match(check.stdout, /^##vso\[task\.complete result=Failed;\]Out of sync: 3 tags in 2 repositories would be imported \(listed in the summary\); nothing was written\.$/m, check.stdout);
    assert.equal(emulator.log.count('arm.importImage'), 0, 'a check makes no write');
    assert.deepEqual(tagsOf(emulator, TARGET), before);
    const summary = summaryOf(check);
    assert.match(summary, /\(check\)/);
    assert.match(summary, /\*\*Out of sync:\*\* 3 tags in 2 repositories would be imported/);
    assert.match(summary, /\| `api` → `mirror\/api` \| planned \|/);
    assert.equal(outputVariables(check.stdout).outOfSync, 'true');

    const sync = await runTask({ INPUT_LISTTARGETONLYREPOSITORIES: 'true' });
    assert.match(sync.stdout, /^##vso\[task\.complete result=Succeeded;\]/m, sync.stdout);
    const bodies = emulator.log.entries().filter((e) => e.route === 'arm.importImage').map((e) => (e.body as { targetTags: string[] }).targetTags);
    assert.deepEqual(bodies.flat().sort(), ['mirror/api:1.0', 'mirror/api:1.1', 'mirror/web:2.0']);
    const after = tagsOf(emulator, TARGET);
    assert.deepEqual(after.api, before.api, 'the unprefixed repository is untouched');
    assert.equal(after['mirror/api']['pr-9'], before['mirror/api']['pr-9'], 'the filtered tag is untouched');
    assert.deepEqual(after['mirror/web'], tagsOf(emulator, SOURCE).web);
    assert.match(sync.stdout, /^##\[group\]api → mirror\/api: done$/m);
    assert.equal(outputVariables(sync.stdout).tagsFilteredOut, '1');
    assert.equal(outputVariables(sync.stdout).outOfSync, '');
    // Only in the target: mirror/api:old (pr-9 is outside the tag patterns) and mirror/gone; api is outside the prefix.
    assert.match(sync.stdout, /^Only in the target \(listed in the summary, never deleted\): 1 tag in 1 repository, and 1 repository with no source repository\.$/m);
    const syncSummary = summaryOf(sync);
    assert.match(syncSummary, /Repositories \(1\): `mirror\/gone`/);
    assert.match(syncSummary, /\| `mirror\/api` \| `old` \|/);
    assert.deepEqual(after['mirror/gone'], before['mirror/gone']);
    assert.equal(after['mirror/api'].old, before['mirror/api'].old);

    const again = await runTask({ INPUT_FAILWHENOUTOFSYNC: 'SucceededWithIssues' });
    assert.match(again.stdout, /^##vso\[task\.complete result=Succeeded;\]In sync: nothing would be imported; nothing was written\.$/m, again.stdout);
    assert.equal(outputVariables(again.stdout).outOfSync, 'false');
    assert.equal(emulator.log.count('arm.importImage'), 3);
  });

  it('a check that finds drift with SucceededWithIssues ends SucceededWithIssues', async () => {
    emulator.registry(SOURCE).push('web', '2.1', { kind: 'image', seed: 'w21' });
    const check = await runTask({ INPUT_FAILWHENOUTOFSYNC: 'succeededwithissues' });
    assert.match(check.stdout, /^##vso\[task\.complete result=SucceededWithIssues;\]Out of sync: 1 tag in 1 repository would be imported/m, check.stdout);
    assert.equal(emulator.log.count('arm.importImage'), 3);
  });

  it('refuses Fail when out of sync with Force, and a prefix that makes an invalid name, before any request', async () => {
    const requests = emulator.log.entries().length;
    const force = await runTask({ INPUT_FAILWHENOUTOFSYNC: 'Failed', INPUT_FORCE: 'true' });
    assert.match(force.stdout, /^##vso\[task\.complete result=Failed;\]a check \(--check, Fail when out of sync\) writes nothing, so it cannot re-import with force: leave force out$/m);
    const prefix = await runTask({ INPUT_TARGETREPOSITORYPREFIX: 'Mirror/' });
    assert.match(prefix.stdout, /^##vso\[task\.complete result=Failed;\]target repository prefix "Mirror\/" is not valid: /m);
    assert.equal(emulator.log.entries().length, requests);
  });
});
