/**
 * Azure's known dead ends, caught before any import, and bad input: each through both front
 * ends, each with its exact one-line message and no write to any registry.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fixture } from '../../testkit/emulator/api';
import { figures } from './support/figures';
import { FRONT_ENDS, runFrontEnd, type SyncSettings } from './support/frontEnds';
import { assertNothingLost, assertNothingShown, snapshotTarget } from './support/invariants';
import { faultEmulators } from './support/session';
import { faultWorld, SOURCE, SOURCE_APP, SUB_SOURCE, SUB_TARGET, TARGET, TARGET_APP } from './support/world';

/** The lines task-lib and the task write for themselves. */
const TASK_COMMAND = /^##(vso\[task\.(issue|complete|setprogress|setvariable|uploadsummary|debug|setsecret)[ \]]|\[(group|endgroup)\])/;
/** Control characters but the line feed (and the carriage return Windows line ends may leave). */
// eslint-disable-next-line no-control-regex -- these are what must not be printed
const CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function withTargetRegistry(change: (r: Fixture['subscriptions'][number]['registries'][number]) => void): Fixture {
  const fixture = faultWorld();
  change(fixture.subscriptions[1].registries[0]);
  return fixture;
}

function withTargetRoles(roles: Fixture['principals'][number]['roles']): Fixture {
  const fixture = faultWorld();
  fixture.principals = fixture.principals.map((p) => (p.clientId === TARGET_APP ? { ...p, roles } : p));
  return fixture;
}

/**
 * AcrPull on the source and no Reader: the source identity of the task, and the command
 * line's one identity (which keeps Contributor on the target), can pull but cannot see the
 * source through ARM, as in Azure (AcrPull has no Microsoft.ContainerRegistry/registries/read).
 */
function pullOnlyOnSource(): Fixture {
  const fixture = faultWorld();
  const acrPull = { role: 'AcrPull' as const, scope: `/subscriptions/${SUB_SOURCE}` };
  fixture.principals = fixture.principals.map((p) =>
    p.clientId === SOURCE_APP ? { ...p, roles: [acrPull] } : { ...p, roles: [{ role: 'Contributor' as const, scope: `/subscriptions/${SUB_TARGET}` }, acrPull] },
  );
  return fixture;
}

describe('fault injection: preflight and bad input', function () {
  this.timeout(180_000);
  const start = faultEmulators();

  const deadEnds: Array<[string, () => Fixture, RegExp]> = [
    [
      'a target with public network access disabled and no trusted-services bypass',
      () => withTargetRegistry((r) => Object.assign(r, { publicNetworkAccess: 'Disabled', networkRuleBypassOptions: 'None' })),
      new RegExp(`registry ${TARGET} does not allow trusted Microsoft services; importImage needs 'Allow trusted Microsoft services'`),
    ],
    [
      'a target identity without import rights on the target',
      () =>
        withTargetRoles([
          { role: 'Reader', scope: `/subscriptions/${SUB_TARGET}` },
          { role: 'AcrPull', scope: `/subscriptions/${SUB_TARGET}` },
          { role: 'Reader', scope: `/subscriptions/${SUB_SOURCE}` },
          { role: 'AcrPull', scope: `/subscriptions/${SUB_SOURCE}` },
        ]),
      new RegExp(`the target identity cannot import into ${TARGET}: give it Contributor, or Container Registry Data Importer and Data Reader, on the registry`),
    ],
  ];

  for (const frontEnd of FRONT_ENDS) {
    for (const [what, fixture, message] of deadEnds) {
      it(`${frontEnd}: stops before any import on ${what}, in one line`, async () => {
        const e = await start({}, fixture());
        figures.faultScenarios++;
        figures.faultsInjected++;
        const before = snapshotTarget(e);
        const run = await runFrontEnd(frontEnd, e);
        // The task reports a run that never started as Failed without a report.
        assert.ok(run.outcome === 'failed' || (frontEnd === 'task' && run.outcome === 'badInput'), run.outcome);
        if (frontEnd === 'cli') {
          assert.equal(run.code, 3);
          assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
        }
        assert.match(run.reason, message);
        assert.equal(e.log.count('arm.importImage'), 0);
        assertNothingLost(e, before, []);
        assertNothingShown(run);
      });
    }

    it(`${frontEnd}: a registry address outside the registry domain gets no token, and nothing is written`, async () => {
      // The emulator's registries answer at 127.0.0.1; with the public cloud's domain they are foreign.
      const e = await start();
      figures.faultScenarios++;
      figures.faultsInjected++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e, { registryDomain: 'azurecr.io' });
      assert.ok(run.outcome === 'failed' || (frontEnd === 'task' && run.outcome === 'badInput'), run.outcome);
      if (frontEnd === 'cli') assert.equal(run.code, 3, run.stderr);
      const said = frontEnd === 'cli' ? /registry "\w+" is reached at "127\.0\.0\.1:\d+", which is not under azurecr\.io; no token is sent there/ : /registry "\w+" is reached at "127\.0\.0\.1:\d+", which is not under azurecr\.io; no token is sent there\. For Azure Stack Hub or another domain, set Registry domain\./;
      assert.match(run.reason, said);
      for (const route of ['acr.v2', 'acr.exchange', 'acr.token', 'acr.catalog', 'arm.importImage'] as const) {
        assert.equal(e.log.count(route), 0, `${route}: nothing was sent to the registry`);
      }
      assertNothingLost(e, before, []);
      assertNothingShown(run);
    });

    it(`${frontEnd}: the target identity cannot read the source: named before any import`, async () => {
      // The task's source connection can read the source; the target's identity cannot. The
      // command line signs in once, as the target identity, which cannot even find the source.
      const e = await start({}, withTargetRoles([{ role: 'Contributor', scope: `/subscriptions/${SUB_TARGET}` }]));
      figures.faultScenarios++;
      figures.faultsInjected++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      assert.ok(run.outcome === 'failed' || run.outcome === 'badInput', run.outcome);
      // ARM lists only what an identity may read: to the command line's single identity the
      // source is invisible.
      assert.match(
        run.reason,
        frontEnd === 'task'
          ? new RegExp(`cannot read the source registry ${SOURCE}.*needs Reader \\(or Container Registry Data Importer and Data Reader\\) on the source registry`)
          : new RegExp(`registry "${SOURCE}" was not found in the source subscription \\(or the source identity cannot see it: it needs Reader`),
      );
      assert.equal(e.log.count('arm.importImage'), 0);
      assertNothingLost(e, before, []);
      assertNothingShown(run);
    });

    it(`${frontEnd}: an identity with only AcrPull on the source cannot find it: the Reader line, before anything is asked of a registry`, async () => {
      const e = await start({}, pullOnlyOnSource());
      figures.faultScenarios++;
      figures.faultsInjected++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      const line = `registry "${SOURCE}" was not found in the source subscription (or the source identity cannot see it: it needs Reader on the registry)`;
      if (frontEnd === 'cli') {
        assert.equal(run.code, 2, run.stderr);
        assert.equal(run.outcome, 'badInput');
        assert.ok(run.reason.endsWith(line), run.reason);
      } else {
        assert.match(run.stdout, new RegExp(`^##vso\\[task\\.complete result=Failed;\\]`, 'm'));
        assert.equal(run.reason, line);
      }
      // ARM answered the listing without the source: AcrPull reads no registry there.
      assert.ok(e.log.count('arm.registries.list', 200) >= 1);
      for (const route of ['acr.exchange', 'acr.catalog', 'arm.permissions', 'arm.importImage'] as const) assert.equal(e.log.count(route), 0, route);
      assertNothingLost(e, before, []);
      assertNothingShown(run);
    });

    it(`${frontEnd}: an image index of more than 50 manifests is skipped with a warning, not a crash`, async () => {
      const fixture = faultWorld();
      const platforms = Array.from({ length: 51 }, (_, i) => `linux/variant${i}`);
      fixture.subscriptions[0].registries[0].repositories!['base/huge'] = { v1: { content: { kind: 'index', seed: 'huge', platforms } } };
      const e = await start({}, fixture);
      figures.faultScenarios++;
      figures.faultsInjected++;
      const before = snapshotTarget(e);
      const run = await runFrontEnd(frontEnd, e);
      assert.equal(run.outcome, 'succeededWithIssues', run.reason);
      const huge = run.report?.repositories.find((r) => r.name === 'base/huge');
      assert.equal(huge?.tags[0].decision, 'tooManyManifests');
      assert.equal(e.registry(TARGET).tags('base/huge').size, 0);
      assert.ok(!e.log.entries().some((x) => x.route === 'arm.importImage' && JSON.stringify(x.body).includes('base/huge')));
      assert.match(run.everything, /51 manifests/);
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });
  }

  const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '["a/*"');
  const missing = join(dir, 'missing.json');
  const folder = join(dir, 'folder');
  mkdirSync(folder);
  const fifo = join(dir, 'fifo.json');
  execFileSync('mkfifo', [fifo]);
  const longName = `app/${'x'.repeat(252)}`;
  const badInputs: Array<[string, SyncSettings, string]> = [
    ['letters c-a', { letters: 'c-a' }, 'letters "c-a": range "c-a" runs backwards'],
    ['letters ab', { letters: 'ab' }, 'letters "ab": "ab" is neither one letter or digit nor a range such as a-c'],
    ['letters a-', { letters: 'a-' }, 'letters "a-": range "a-" needs one letter or digit on each side, such as a-c or 0-9'],
    ['an invalid regex', { ignorePatterns: ['re:(open'] }, 'ignore pattern "re:(open" is not a valid regular expression: Invalid regular expression: /(open/i: Unterminated group'],
    ['a missing ignore config', { ignoreConfig: missing }, `ignore config "${missing}" does not exist`],
    ['an ignore config that is not JSON', { ignoreConfig: notJson }, `ignore config "${notJson}" is not valid JSON: `],
    ['max repositories 0', { maxRepositories: '0' }, 'max repositories "0" is not valid: give a whole number of at least 1'],
    ['max repositories "many"', { maxRepositories: 'many' }, 'max repositories "many" is not valid: give a whole number of at least 1'],
    ['a negative delay', { delaySeconds: '-1' }, 'delay seconds "-1" is not valid: give a number of seconds from 0 to 3600'],
    ['a registry name of 4 letters', { sourceRegistry: 'abcd' }, 'source registry name "abcd" is not valid: use 5 to 50 letters and digits'],
    ['the same registry on both sides', { targetRegistry: SOURCE.toUpperCase() }, `source and target are the same registry ("${SOURCE}")`],
    ['a registry that does not exist', { targetRegistry: 'nosuchregistry' }, 'registry "nosuchregistry" was not found in the target subscription'],
    ['a time budget of 0', { timeBudgetMinutes: '0' }, 'time budget minutes "0" is not valid'],
    ['a request timeout of 0', { requestTimeoutSeconds: '0' }, 'request timeout seconds "0" is not valid: give a number of seconds from 1 to 600'],
    ['a regex that backtracks without end', { ignorePatterns: ['re:^(a|aa)+$'] }, 'ignore pattern "re:^(a|aa)+$" repeats a part that holds a quantifier, an alternation or a backreference'],
    ['a glob of four stars in one segment', { ignorePatterns: ['app*a*b*c*'] }, 'ignore pattern "app*a*b*c*" has too many wildcards, quantifiers or alternatives to match a long name quickly'],
    ['an ignore config that is a folder', { ignoreConfig: folder }, `ignore config "${folder}" is not a file (a folder, a pipe or a device)`],
    ['an ignore config that is a FIFO', { ignoreConfig: fifo }, `ignore config "${fifo}" is not a file (a folder, a pipe or a device)`],
    ['a repository name over 255 characters', { repository: longName }, `repository "${longName}" is 256 characters long: ACR allows at most 255`],
    ['a report path in a missing folder', { reportPath: join(dir, 'gone', 'report.json') }, `JSON report "${join(dir, 'gone', 'report.json')}": the folder "${join(dir, 'gone')}" does not exist`],
    ['a report path that is a folder', { reportPath: folder }, `JSON report "${folder}" is a folder, a pipe or a device, not a file`],
    ['a registry token audience over http', { acrAudience: 'http://containerregistry.azure.net' }, 'registry token audience "http://containerregistry.azure.net" is not a well-formed https URL'],
  ];

  for (const frontEnd of FRONT_ENDS) {
    for (const [what, settings, message] of badInputs) {
      it(`${frontEnd}: bad input — ${what}: the exact message, a failed result and no write`, async () => {
        const e = await start();
        figures.badInputsTried++;
        const before = snapshotTarget(e);
        const run = await runFrontEnd(frontEnd, e, settings);
        if (frontEnd === 'cli') {
          assert.equal(run.code, 2, run.stderr);
          assert.equal(run.stderr.trim().split('\n').length, 1);
          assert.ok(run.reason.startsWith(`acr-transfer: ${message}`), `${run.reason}\n  expected: ${message}`);
        } else {
          assert.equal(run.outcome, 'badInput', run.reason);
          assert.ok(run.reason.startsWith(message), `${run.reason}\n  expected: ${message}`);
        }
        assert.equal(e.log.count('arm.importImage'), 0);
        assertNothingLost(e, before, []);
        assertNothingShown(run);
      });
    }
  }

  for (const frontEnd of FRONT_ENDS) {
    it(`${frontEnd}: names a hostile catalog serves are logged escaped, never as commands, and kept in the report`, async () => {
      const forged = 'evil\n##vso[task.setvariable variable=pwned]yes';
      const loud = 'bell\u0007esc\u001b[2Jname';
      const e = await start();
      figures.faultScenarios++;
      const before = snapshotTarget(e);
      const catalog = [...e.registry(SOURCE).repositories(), forged, loud];
      e.addFault({ route: 'acr.catalog', kind: 'status', status: 200, body: { repositories: catalog }, times: 1 });
      const run = await runFrontEnd(frontEnd, e);
      figures.faultsInjected += e.log.count('acr.catalog') > 0 ? 1 : 0;
      assert.equal(run.outcome, 'failed', run.reason);
      const lines = (run.stdout + run.stderr).split('\n');
      if (frontEnd === 'task') {
        const forgedLines = lines.filter((line) => (line.startsWith('##') && !TASK_COMMAND.test(line)) || line.indexOf('##vso[', 1) >= 0);
        assert.deepEqual(forgedLines, []);
        assert.ok(!run.stdout.includes('##vso[task.setvariable variable=pwned'), 'the forged command never reached the agent');
      } else {
        assert.ok(!lines.some((line) => line.startsWith('##')), 'no printed line starts like a pipeline command');
      }
      assert.ok(!lines.some((line) => CONTROL.test(line)), 'no control character printed');
      assert.ok(run.everything.includes('evil\\n'), 'the name is shown, escaped');
      const names = run.report?.repositories.map((r) => r.name) ?? [];
      assert.ok(names.includes(forged) && names.includes(loud), 'the JSON report keeps the real names');
      assertNothingLost(e, before, [run.report]);
      assertNothingShown(run);
    });
  }
});
