import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPTIONS_ERROR_KEYS } from '../../src/options/optionsError';
import { CONNECTION_MESSAGES } from '../../src/task/connections/connectionError';
import { preflightMessage, type PreflightErrorKey } from '../../src/azure/arm/preflight';

const taskJson = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'tasks', 'AcrTransfer', 'AcrTransferV1', 'task.json'), 'utf8')) as {
  messages: Record<string, string>;
};

describe('task messages', () => {
  it('has a localisable message for every kind of bad input the engine reports', () => {
    const missing = OPTIONS_ERROR_KEYS.filter((key) => taskJson.messages[`Options_${key}`] === undefined);
    assert.deepEqual(missing, []);
  });

  it('has an AuthKind_ message for every kind of connection', () => {
    for (const kind of ['secret', 'certificate', 'managedIdentity', 'workloadIdentity']) assert.ok(taskJson.messages[`AuthKind_${kind}`], kind);
  });
});

describe('connection messages', () => {
  it('are the same in task.json and in the code that raises them', () => {
    for (const [key, text] of Object.entries(CONNECTION_MESSAGES)) assert.equal(taskJson.messages[key], text, key);
  });
});

describe('preflight messages', () => {
  it('are the same in task.json and in the adapters, with the arguments in place', () => {
    const keys: PreflightErrorKey[] = ['PreflightNetworkClosed', 'PreflightCannotImport', 'PreflightCannotReadSource', 'PreflightCannotListSource', 'PreflightCannotListSourceAbac', 'PreflightCrossTenantClosed'];
    for (const key of keys) {
      const args = ['first', 'second'];
      const english = preflightMessage(key, args);
      let i = 0;
      const fromTaskJson = taskJson.messages[key].replace(/%s/g, () => args[i++] ?? '');
      assert.equal(fromTaskJson, english, key);
    }
  });
});
