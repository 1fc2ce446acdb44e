/**
 * L0 tests of the pipeline task with task-lib's MockTestRunner: inputs, results, issues,
 * output variables and the summary, with real task-lib and in-memory registries.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { D } from '../../engine/memoryRegistry';
import { agentTemp as temp, explain, describeOnTaskNodes, runScenario as run, taskNodeVersion } from './support/runScenario';
import { testNode } from '../../support/testNodes';

describeOnTaskNodes('AcrTransfer task (L0, MockTestRunner)', function (major) {
  this.timeout(60_000);

  it(`runs the task on a real Node ${major}, the one task-lib's runner picks for that handler`, async () => {
    const o = await run({ registries: { sourceacr: {}, targetacr: {} } });
    const version = taskNodeVersion(o.runner.stdout);
    assert.equal(version, testNode(major).version, explain(o));
    assert.equal(version?.split('.')[0], `v${major}`);
    assert.equal(o.runner.stderr, '', 'nothing on stderr (no deprecation warning)');
  });
  /** System.TaskInstanceId, as the agent sets it for a step. */
  const STEP = 'd4997dda-70a7-5ff3-3edd-fa7524db0f8f';

  it('syncs, groups the log per repository, sets output variables and uploads a summary', async () => {
    const o = await run({
      variables: { 'System.TaskInstanceId': STEP },
      registries: {
        sourceacr: { api: { '1.0': D(1), latest: D(1) }, web: { v2: D(2) }, same: { s: D(3) } },
        targetacr: { same: { s: D(3) }, web: { v2: D(9) } },
      },
    });
    assert.ok(o.runner.succeeded, explain(o));
    assert.deepEqual(o.imports, [`api@${D(1)} NoForce 1.0,latest`, `web@${D(2)} Force v2`]);
    assert.deepEqual(o.target, { api: { '1.0': D(1), latest: D(1) }, same: { s: D(3) }, web: { v2: D(2) } });
    assert.ok(o.runner.stdOutContained('##[group]api: done'), explain(o));
    assert.ok(o.runner.stdOutContained('##[group]web: done'));
    assert.ok(!o.runner.stdOutContained('##[group]same'), 'in-sync repositories get no group');
    assert.ok(o.runner.stdOutContained('##[endgroup]'));
    assert.ok(o.runner.stdOutContained('##vso[task.setprogress value=100;]'), 'progress reaches 100');
    assert.equal(o.runner.warningIssues.length, 1, explain(o));
    assert.match(o.runner.warningIssues[0], /^web:v2 was re-tagged: the target had sha256:000000000000, the source has sha256:000000000000\.$/);
    assert.deepEqual(o.outputs, {
      tagsImported: '3',
      tagsRetagged: '1',
      tagsInSync: '1',
      tagsLocked: '0',
      tagsFailed: '0',
      repositoriesRemaining: '0',
      tagsFilteredOut: '0',
      outOfSync: '',
      referrersCopied: '0',
      reportPath: join(temp, `acr-transfer-report-${STEP}.json`),
    });
    assert.match(o.summary ?? '', /## ACR Transfer: `sourceacr` → `targetacr`/);
    assert.match(o.summary ?? '', /\| `api` \| done \|/);
    const report = JSON.parse(readFileSync(o.outputs['reportPath'], 'utf8')) as { totals: { importCalls: number } };
    assert.equal(report.totals.importCalls, 2);
    assert.ok(o.runner.stdOutContained('##vso[task.complete result=Succeeded;]3 tags imported into 2 repositories; 0 repositories still have work.'), explain(o));
  });

  it('a locked target tag is left alone and the task succeeds with issues', async () => {
    const o = await run({ registries: { sourceacr: { app: { keep: D(1), fresh: D(2) } }, targetacr: { app: { keep: { digest: D(7), writeEnabled: false } } } } });
    assert.ok(o.runner.stdOutContained('##vso[task.complete result=SucceededWithIssues;]1 tag left unchanged: a lock in the target (on the tag, its repository or a manifest) forbids the change.'), explain(o));
    assert.deepEqual(o.imports, [`app@${D(2)} NoForce fresh`]);
    assert.equal(o.target?.app.keep, D(7));
    assert.equal(o.outputs['tagsLocked'], '1');
    assert.ok(o.runner.warningIssues.some((w) => w.startsWith('app:keep is locked in the target')), explain(o));
  });

  it('a locked target repository and a locked target manifest: warned with what is locked, never imported, SucceededWithIssues', async () => {
    const o = await run({
      registries: {
        sourceacr: { frozen: { v2: D(1) }, app: { release: D(2), fresh: D(3) } },
        targetacr: { frozen: { v1: D(8) }, app: { release: D(9) } },
      },
      lockedRepositories: ['frozen'],
      lockedManifests: [`app@${D(9)}`],
    });
    assert.deepEqual(o.imports, [`app@${D(3)} NoForce fresh`]);
    assert.deepEqual(o.target, { frozen: { v1: D(8) }, app: { release: D(9), fresh: D(3) } });
    assert.ok(o.runner.warningIssues.includes('frozen:v2 was not copied: its repository is locked in the target (the target has —, the source sha256:000000000000).'), explain(o));
    assert.ok(o.runner.warningIssues.includes('app:release was not copied: the manifest sha256:000000000000 is locked in the target (the target has sha256:000000000000, the source sha256:000000000000).'), explain(o));
    assert.equal(o.outputs['tagsLocked'], '2');
    assert.ok(o.runner.stdOutContained('##vso[task.complete result=SucceededWithIssues;]2 tags left unchanged: a lock in the target (on the tag, its repository or a manifest) forbids the change.'), explain(o));
  });

  it('a failed import is an error issue with the service message; the rest is done; the task fails', async () => {
    const o = await run({
      registries: { sourceacr: { aaa: { t: D(1) }, bbb: { t: D(2) } }, targetacr: {} },
      failImports: { [D(1)]: 'InvalidParameters: Error copying blobs.' },
    });
    assert.ok(o.runner.failed, explain(o));
    assert.deepEqual(o.target, { bbb: { t: D(2) } });
    assert.ok(o.runner.errorIssues.includes('aaa:t failed: InvalidParameters: Error copying blobs.'), explain(o));
    assert.ok(o.runner.stdOutContained('##vso[task.complete result=Failed;]1 tag and 1 repository failed; see the errors above.'), explain(o));
    assert.equal(o.outputs['tagsFailed'], '1');
    assert.equal(o.outputs['repositoriesRemaining'], '1');
  });

  it('a dry run imports nothing and says so', async () => {
    const o = await run({ inputs: { dryRun: 'true' }, registries: { sourceacr: { app: { t: D(1) } }, targetacr: {} } });
    assert.ok(o.runner.succeeded, explain(o));
    assert.deepEqual(o.imports, []);
    assert.deepEqual(o.target, {});
    assert.ok(o.runner.stdOutContained('Dry run: nothing will be written.'));
    assert.ok(o.runner.stdOutContained('##[group]app: planned'));
    assert.ok(o.runner.stdOutContained('##vso[task.complete result=Succeeded;]Dry run: 1 repository has work; nothing was written.'), explain(o));
  });

  it('a dry run says what would happen: no re-tag warning, "would" for what needs a person, nothing counted as re-tagged', async () => {
    const o = await run({
      inputs: { dryRun: 'true' },
      registries: { sourceacr: { app: { keep: D(1), moved: D(3) }, big: { x: D(4) } }, targetacr: { app: { keep: { digest: D(7), writeEnabled: false }, moved: D(5) } } },
      manifestCounts: { [D(4)]: 80 },
    });
    assert.deepEqual(o.imports, []);
    assert.deepEqual(o.target, { app: { keep: D(7), moved: D(5) } });
    assert.ok(o.runner.stdOutContained('app:moved retagged sha256:000000000000 → sha256:000000000000: planned'), explain(o));
    assert.deepEqual(o.runner.warningIssues.slice(0, 2), [
      'app:keep is locked in the target and would be left at sha256:000000000000 (the source has sha256:000000000000).',
      'big:x would not be imported: image index with 80 manifests; importImage accepts at most 50.',
    ]);
    assert.ok(!o.runner.warningIssues.some((w) => /re-tagged|was left|was not/.test(w)), explain(o));
    assert.deepEqual(o.complete, {
      result: 'SucceededWithIssues',
      message: 'Dry run, nothing was written. 1 tag would be left unchanged: a lock in the target (on the tag, its repository or a manifest) forbids the change. 1 tag would not be imported: importImage accepts image indexes of at most 50 manifests.',
    });
    assert.equal(o.outputs['tagsRetagged'], '0');
    assert.equal(o.outputs['tagsImported'], '0');
  });

  it('a re-tag left for a later run by max repositories is neither warned nor counted as re-tagged', async () => {
    const o = await run({ inputs: { maxRepositories: '1' }, registries: { sourceacr: { aaa: { t: D(1) }, bbb: { t: D(2) } }, targetacr: { aaa: { t: D(8) }, bbb: { t: D(9) } } } });
    assert.ok(o.runner.succeeded, explain(o));
    assert.deepEqual(o.imports, [`aaa@${D(1)} Force t`]);
    assert.deepEqual(o.runner.warningIssues, ['aaa:t was re-tagged: the target had sha256:000000000000, the source has sha256:000000000000.']);
    assert.equal(o.outputs['tagsRetagged'], '1');
    assert.equal(o.outputs['repositoriesRemaining'], '1');
  });

  it('max repositories defers the rest and publishes how many remain, without a warning', async () => {
    const o = await run({ inputs: { maxRepositories: '1' }, registries: { sourceacr: { a1: { t: D(1) }, b1: { t: D(2) }, c1: { t: D(3) } }, targetacr: {} } });
    assert.ok(o.runner.succeeded, explain(o));
    assert.equal(o.imports.length, 1);
    assert.equal(o.outputs['repositoriesRemaining'], '2');
    assert.equal(o.runner.warningIssues.length, 0);
  });

  it('patterns from the multi-line input and an ignore config file both apply', async () => {
    const config = join(temp, 'ignore.json');
    writeFileSync(config, JSON.stringify(['legacy/*']));
    const o = await run({
      inputs: { ignorePatterns: 're:^tmp-\nteam/*,other/**', ignoreConfig: config },
      registries: { sourceacr: { 'legacy/app': { t: D(1) }, 'tmp-x': { t: D(2) }, 'team/a': { t: D(3) }, 'other/x/y': { t: D(4) }, keep: { t: D(5) } }, targetacr: {} },
    });
    assert.ok(o.runner.succeeded, explain(o));
    assert.deepEqual(Object.keys(o.target ?? {}), ['keep']);
  });

  const bad: Array<[string, Record<string, string>, string]> = [
    ['an empty source registry', { sourceRegistry: '' }, 'source registry name is required'],
    [
      'an empty target connection',
      { targetConnection: '' },
      'The target service connection is missing: set the YAML input targetAzureSubscription (or targetConnection), "Target Azure subscription" on the classic form, to an Azure Resource Manager service connection.',
    ],
    ['the same connection and registry on both sides', { targetConnection: 'conn-a', targetRegistry: 'sourceacr' }, 'source and target are the same registry ("sourceacr")'],
    ['bad letters', { letters: 'c-a' }, 'letters "c-a": range "c-a" runs backwards'],
    ['a bad regex', { ignorePatterns: 're:(x' }, 'ignore pattern "re:(x" is not a valid regular expression: Invalid regular expression: /(x/i: Unterminated group'],
    ['a missing ignore file', { ignoreConfig: '/nonexistent/ignore.json' }, 'ignore config "/nonexistent/ignore.json" does not exist'],
    ['a malformed ignore file', { ignoreConfig: 'MALFORMED' }, 'is not valid JSON: '],
    ['a registry name with a dash', { targetRegistry: 'target-acr' }, 'target registry name "target-acr" is not valid: use 5 to 50 letters and digits'],
    ['a registry that does not exist', { targetRegistry: 'nosuchacr' }, 'registry "nosuchacr" was not found in the target subscription'],
  ];
  for (const [what, inputs, message] of bad) {
    it(`fails on ${what} with one localised line and writes nothing`, async () => {
      const malformed = join(temp, 'malformed.json');
      writeFileSync(malformed, '[oops');
      const resolved = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v === 'MALFORMED' ? malformed : v]));
      const o = await run({ inputs: resolved, registries: { sourceacr: { app: { t: D(1) } }, targetacr: {} } });
      assert.ok(o.runner.failed, explain(o));
      assert.equal(o.imports.length, 0);
      const complete = o.runner.stdout.split(/\r?\n/).find((l) => l.startsWith('##vso[task.complete result=Failed;]'));
      assert.ok(complete?.includes(message), `expected "${message}" in ${complete}\n${explain(o)}`);
      assert.equal(o.runner.errorIssues.length, 1, 'exactly one error issue');
      if (what !== 'a registry that does not exist') assert.ok(!o.runner.stdOutContained('FAKE_CONNECT'), 'bad values fail before any connection is used');
    });
  }
});
