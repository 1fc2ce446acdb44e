/**
 * task.json against the published schema (a copy in tests/fixtures/ado) and against the rules
 * tfx and the agent apply but the schema does not express.
 */
import { strict as assert } from 'node:assert';
import Ajv from 'ajv-draft-04';
import { readJson, type TaskJson } from './support/taskJson';
import { schemaFile, taskJsonFile } from './support/paths';

const task = readJson<TaskJson>(taskJsonFile);
const inputNames = new Set(task.inputs.map((input) => input.name));

describe('task.json', () => {
  it('validates against tasks.schema.json (draft-04)', () => {
    // The schema's patterns use escapes such as `\:` that are invalid in unicode mode.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(readJson<object>(schemaFile));
    const valid = validate(task);
    assert.ok(valid, `schema errors:\n${(validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n')}`);
  });

  describe("tfx's rules", () => {
    it('has a GUID id', () => {
      assert.match(task.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    });

    it('has an alphanumeric name (the stricter rule of Microsoft\'s own task build)', () => {
      assert.match(task.name, /^[A-Za-z0-9]+$/);
    });

    it('has a friendlyName of 1 to 40 characters', () => {
      assert.ok(task.friendlyName.length >= 1 && task.friendlyName.length <= 40, `${task.friendlyName.length} characters`);
    });

    it('has an instanceNameFormat whose $(…) references are inputs', () => {
      assert.ok(task.instanceNameFormat.trim().length > 0);
      for (const [, name] of task.instanceNameFormat.matchAll(/\$\(([^)]+)\)/g)) assert.ok(inputNames.has(name), `$(${name}) is not an input`);
    });

    it('runs only on the Node20_1 and Node24 handlers, both on one CommonJS target', () => {
      assert.deepEqual(Object.keys(task.execution).sort(), ['Node20_1', 'Node24']);
      const targets = new Set(Object.values(task.execution).map((handler) => handler.target));
      assert.equal(targets.size, 1, `one bundle for both handlers, found ${[...targets].join(', ')}`);
      assert.equal(task.prejobexecution, undefined);
      assert.equal(task.postjobexecution, undefined);
    });
  });

  describe('visibleRule (the agent has neither mixed && and || nor parentheses)', () => {
    const rules = [
      ...task.inputs.filter((i) => i.visibleRule).map((i) => ({ owner: `input ${i.name}`, rule: i.visibleRule ?? '' })),
      ...(task.groups ?? []).filter((g) => g.visibleRule).map((g) => ({ owner: `group ${g.name}`, rule: g.visibleRule ?? '' })),
    ];

    it('never mixes && and ||, never uses parentheses', () => {
      for (const { owner, rule } of rules) {
        assert.ok(!(rule.includes('&&') && rule.includes('||')), `${owner}: ${rule}`);
        assert.ok(!/[()]/.test(rule), `${owner}: ${rule}`);
      }
    });

    it('only names inputs that exist', () => {
      for (const { owner, rule } of rules) {
        for (const clause of rule.split(/&&|\|\|/)) {
          const name = /^\s*([A-Za-z][A-Za-z0-9]*)/.exec(clause)?.[1];
          assert.ok(name !== undefined && inputNames.has(name), `${owner}: "${clause.trim()}" names no input`);
        }
      }
    });
  });

  describe('restrictions', () => {
    it('lets the task set exactly its output variables, named plainly (the agent matches them as globs)', () => {
      const allowed = task.restrictions?.settableVariables?.allowed ?? [];
      assert.deepEqual([...allowed].sort(), (task.outputVariables ?? []).map((v) => v.name).sort());
      for (const name of allowed) assert.match(name, /^[A-Za-z][A-Za-z0-9]*$/);
    });

    it('leaves logging commands unrestricted: restricted mode drops task.uploadsummary, which attaches the summary', () => {
      // The agent (src/Agent.Worker/TaskCommandExtension.cs) lets through in restricted mode
      // only the commands marked AllowedInRestrictedMode; uploadsummary is not one of them.
      assert.equal(task.restrictions?.commands?.mode, 'any');
    });
  });

  it('gives every input help text that shows an example', () => {
    const without = task.inputs.filter((input) => !/example/i.test(input.helpMarkDown ?? '')).map((input) => input.name);
    assert.deepEqual(without, [], `inputs whose helpMarkDown has no "Example": ${without.join(', ')}`);
  });

  it('puts every grouped input in a declared group', () => {
    const groups = new Set((task.groups ?? []).map((group) => group.name));
    for (const input of task.inputs) if (input.groupName !== undefined) assert.ok(groups.has(input.groupName), `${input.name}: ${input.groupName}`);
  });
});
