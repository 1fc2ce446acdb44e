/**
 * Messages: every key the task's code passes to task-lib's `loc` exists in task.json, and the
 * generated en-US resource file matches task.json (regenerate with `npm run strings`).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { locCalls, type LocCall } from './support/locKeys';
import { repoRoot, resjsonFile, taskJsonFile } from './support/paths';
import { readJson, type TaskJson } from './support/taskJson';

const task = readJson<TaskJson>(taskJsonFile);

describe('task messages and strings', () => {
  describe('loc keys used under src/task', () => {
    let calls: LocCall[] = [];
    before(function () {
      this.timeout(60000); // a type-checked program over the task's sources
      calls = locCalls(join(repoRoot, 'tsconfig.json'), join(repoRoot, 'src', 'task'));
    });

    it('finds the calls', () => {
      assert.ok(calls.length > 0, 'no tl.loc call found under src/task');
    });

    it('can tell which keys each call asks for (literals, or templates over string-literal unions)', () => {
      const unknown = calls.filter((call) => call.keys === undefined).map((call) => `${call.where}: ${call.text}`);
      assert.deepEqual(unknown, []);
    });

    it('finds every key in task.json messages', () => {
      const messages = task.messages ?? {};
      const missing = calls.flatMap((call) => (call.keys ?? []).filter((key) => !(key in messages)).map((key) => `${call.where}: ${key}`));
      assert.deepEqual(missing, []);
    });
  });

  it('Strings/resources.resjson/en-US is generated from the current task.json', async () => {
    const { resjsonText } = (await import(join(repoRoot, 'scripts', 'lib', 'taskStrings.mjs'))) as { resjsonText: (t: TaskJson) => string };
    assert.equal(readFileSync(resjsonFile, 'utf8'), resjsonText(task), 'out of date: run npm run strings');
  });

  it('uses the make-util key scheme for every label, help text, group and message', () => {
    const resjson = readJson<Record<string, string>>(resjsonFile);
    assert.equal(resjson['loc.friendlyName'], task.friendlyName);
    assert.equal(resjson['loc.instanceNameFormat'], task.instanceNameFormat);
    for (const group of task.groups ?? []) assert.equal(resjson[`loc.group.displayName.${group.name}`], group.displayName);
    for (const input of task.inputs) {
      assert.equal(resjson[`loc.input.label.${input.name}`], input.label);
      assert.equal(resjson[`loc.input.help.${input.name}`], input.helpMarkDown);
    }
    for (const [key, text] of Object.entries(task.messages ?? {})) assert.equal(resjson[`loc.messages.${key}`], text);
  });
});
