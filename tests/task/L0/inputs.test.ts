/**
 * L0 tests of the task's input rules and output safety: an empty input is "not given", bad report
 * paths and patterns fail before any connection, two steps never share a default report file,
 * and names a registry supplies cannot become agent commands.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { D } from '../../engine/memoryRegistry';
import { explain, describeOnTaskNodes, runScenario as run, type Outcome } from './support/runScenario';

/** The lines task-lib writes for the task itself; anything else starting with ## is forged. */
const OWN_COMMANDS = /^##(vso\[task\.(issue|complete|setprogress|setvariable|uploadsummary|debug|setsecret) |vso\[task\.(uploadsummary|debug|setsecret)\]|\[(group|endgroup)\])/;

function forgedCommandLines(o: Outcome): string[] {
  // The fakes' FAKE_ lines are the test driver's, not the task's.
  return o.runner.stdout.split(/\r?\n/).filter((line) => !line.startsWith('FAKE_')).filter((line) => (line.startsWith('##') && !OWN_COMMANDS.test(line)) || line.indexOf('##vso[', 1) >= 0);
}

describeOnTaskNodes('AcrTransfer task (L0): input rules and output safety', function () {
  this.timeout(60_000);

  it('takes an empty input as not given: the form cannot tell empty from unset', async () => {
    const o = await run({ inputs: { repository: '', letters: '', ignorePatterns: '' }, registries: { sourceacr: { aaa: { t: D(1) }, zzz: { t: D(2) } }, targetacr: {} } });
    assert.ok(o.runner.succeeded, explain(o));
    assert.equal(o.imports.length, 2);
  });

  const scratch = mkdtempSync(join(tmpdir(), 'l0-inputs-'));
  mkdirSync(join(scratch, 'a-folder'));
  const bad: Array<[string, Record<string, string>, string]> = [
    ['a report path in a missing folder', { reportPath: join(scratch, 'missing', 'report.json') }, `JSON report "${join(scratch, 'missing', 'report.json')}": the folder "${join(scratch, 'missing')}" does not exist`],
    ['a report path that is a folder', { reportPath: join(scratch, 'a-folder') }, `JSON report "${join(scratch, 'a-folder')}" is a folder, a pipe or a device, not a file`],
    ['a registry audience that is not https', { registryAudience: 'http://containerregistry.azure.net' }, 'registry token audience "http://containerregistry.azure.net" is not a well-formed https URL (such as https://management.azure.com)'],
    ['a pattern that backtracks without end', { ignorePatterns: 're:^(a+)+$' }, 'ignore pattern "re:^(a+)+$" repeats a part that holds a quantifier, an alternation or a backreference'],
    ['an unknown referrers mode (YAML can give any text)', { referrers: 'signatures' }, 'referrers "signatures" is not known: use none, imported or all'],
    ['a repository name over 255 characters', { repository: 'a'.repeat(256) }, `repository "${'a'.repeat(256)}" is 256 characters long: ACR allows at most 255`],
  ];
  for (const [what, inputs, message] of bad) {
    it(`fails on ${what} before any connection, writing nothing`, async () => {
      const o = await run({ inputs, registries: { sourceacr: { app: { t: D(1) } }, targetacr: {} } });
      assert.equal(o.complete?.result, 'Failed', explain(o));
      assert.ok(o.complete?.message.startsWith(message), `${o.complete?.message}\n  expected: ${message}`);
      assert.equal(o.runner.errorIssues.length, 1);
      assert.ok(!o.runner.stdOutContained('FAKE_CONNECT'), 'bad values fail before any connection is used');
      assert.ok(!o.runner.stdOutContained('task.uploadsummary'), 'no summary written');
      assert.ok(!existsSync(join(scratch, 'missing')));
    });
  }

  it('gives two steps of one job their own default report and summary files', async () => {
    const registries = { sourceacr: { app: { t: D(1) } }, targetacr: {} };
    const first = await run({ registries, variables: { 'System.TaskInstanceId': '11111111-2222-4333-8444-555555555555' } });
    const second = await run({ registries: { sourceacr: { app: { t: D(1) }, web: { t: D(2) } }, targetacr: {} }, variables: { 'System.TaskInstanceId': '99999999-2222-4333-8444-555555555555' } });
    assert.ok(first.runner.succeeded && second.runner.succeeded, explain(second));
    assert.notEqual(first.outputs['reportPath'], second.outputs['reportPath']);
    assert.notEqual(first.summary, undefined);
    const summaryPath = (o: Outcome): string | undefined => /^##vso\[task\.uploadsummary\](.*)$/m.exec(o.runner.stdout)?.[1];
    assert.notEqual(summaryPath(first), summaryPath(second));
    // The first step's files still hold the first step's run.
    assert.equal(first.report().totals.repositories.scanned, 1);
    assert.equal(second.report().totals.repositories.scanned, 2);
    assert.match(readFileSync(summaryPath(first)!, 'utf8'), /\| `app` \|/);
    assert.doesNotMatch(readFileSync(summaryPath(first)!, 'utf8'), /`web`/);
  });

  it('without a step id (outside an agent) still names each run\'s files apart', async () => {
    const registries = { sourceacr: { app: { t: D(1) } }, targetacr: {} };
    const first = await run({ registries });
    const second = await run({ registries });
    assert.notEqual(first.outputs['reportPath'], second.outputs['reportPath']);
  });

  it('never lets a registry-supplied name become an agent command, and keeps it in the JSON report', async () => {
    const forged = 'evil\n##vso[task.setvariable variable=pwned]yes';
    const loud = 'app\u001b[31m\r##[error]fake';
    const o = await run({
      inputs: { ignorePatterns: 're:^evil' },
      registries: { sourceacr: { [forged]: { t: D(1) }, [loud]: { 'v1\n##vso[task.complete result=Succeeded;]done': D(2) } }, targetacr: {} },
      failImports: { [D(2)]: 'InvalidParameters: tag v1\n##vso[task.setvariable variable=pwned]yes is bad' },
    });
    assert.equal(o.complete?.result, 'Failed', explain(o));
    assert.deepEqual(forgedCommandLines(o), [], explain(o));
    assert.ok(!o.runner.stdout.includes('##vso[task.setvariable variable=pwned'), 'no setvariable of the forged name reached the agent');
    // eslint-disable-next-line no-control-regex -- no control character reaches the log
    assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(o.runner.stdout), 'no control characters');
    assert.ok(o.runner.stdOutContained('evil\\n#\\#vso[task.setvariable variable=pwned]yes'), 'the name is shown, escaped');
    const report = o.report();
    assert.deepEqual(report.selection.ignored, [{ name: forged, pattern: 're:^evil' }]);
    assert.equal(report.repositories[0].name, loud);
  });
});
