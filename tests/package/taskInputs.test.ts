/**
 * task.json's form comes from the option table: the inputs it declares, their names, kinds,
 * defaults and help are the table's, so the form, YAML and the code that reads the inputs
 * cannot drift apart. `npm run task-inputs` rewrites them after a change to the table.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { OPTIONS, type OptionSpec } from '../../src/options/table';
import { taskJsonInputs, withInputs } from '../../src/task/form';
import { taskJsonFile } from './support/paths';

const text = readFileSync(taskJsonFile, 'utf8');
const task = JSON.parse(text) as { inputs: Array<{ name: string; type: string; label: string; defaultValue: string; required: boolean; helpMarkDown: string; groupName?: string }> };
const withTask = (OPTIONS as readonly OptionSpec[]).filter((spec) => spec.task !== undefined);

describe('task.json and the option table', () => {
  it('holds exactly the inputs the table defines, in its order and layout (npm run task-inputs)', () => {
    assert.deepEqual(task.inputs, taskJsonInputs());
    assert.equal(withInputs(text, taskJsonInputs()), text, 'task.json is what npm run task-inputs writes');
  });

  it('declares an input for every option the task reads, and nothing the table does not know', () => {
    assert.deepEqual(
      task.inputs.map((input) => input.name),
      withTask.map((spec) => spec.task!.input),
    );
  });

  it('shows the same defaults the command line and the engine use', () => {
    for (const spec of withTask) {
      const input = task.inputs.find((i) => i.name === spec.task!.input)!;
      // A pick list's own default is its "not given" choice (Fail when out of sync: off), or its default choice.
      const expected = spec.task!.defaultValue ?? (spec.default !== undefined ? String(spec.default) : (spec.defaultChoice ?? (spec.kind === 'flag' ? 'false' : '')));
      assert.equal(input.defaultValue, expected, spec.name);
    }
    const concurrency = task.inputs.find((i) => i.name === 'maxConcurrency')!;
    assert.equal(concurrency.defaultValue, '4');
    const referrers = task.inputs.find((i) => i.name === 'referrers') as { defaultValue: string; options?: Record<string, string> };
    assert.equal(referrers.defaultValue, 'imported');
    assert.deepEqual(Object.keys(referrers.options ?? {}).sort(), ['all', 'imported', 'none']);
  });

  it('gives every input the help text and label of its option', () => {
    for (const spec of withTask) {
      const input = task.inputs.find((i) => i.name === spec.task!.input)!;
      assert.equal(input.helpMarkDown, spec.task!.help, spec.name);
      assert.equal(input.label, spec.task!.label, spec.name);
      assert.equal(input.type, spec.task!.type, spec.name);
    }
  });

  it('notices a form edited by hand', () => {
    const edited = text.replace('"defaultValue": "4"', '"defaultValue": "8"');
    assert.notEqual(edited, text);
    assert.notEqual(withInputs(edited, taskJsonInputs()), edited);
  });
});
