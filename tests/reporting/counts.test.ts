/**
 * Counts are printed with their words in the right number ("1 tag", "2 tags") in every output:
 * the English phrases, the task's localised ones, the task's result messages built from them,
 * and no message or printed line left that puts a bare count before a plural noun.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COUNT_PHRASES, counted, type CountPhrase } from '../../src/reporting/counts';

const repoRoot = join(__dirname, '..', '..', '..');
const messages = (JSON.parse(readFileSync(join(repoRoot, 'tasks', 'AcrTransfer', 'AcrTransferV1', 'task.json'), 'utf8')) as { messages: Record<string, string> }).messages;
const phrases = Object.keys(COUNT_PHRASES) as CountPhrase[];

/** A task.json message with its %s filled in order, as task-lib's loc does. */
function loc(key: string, ...args: string[]): string {
  let i = 0;
  return messages[key].replace(/%s/g, () => args[i++] ?? '');
}
const countText = (n: number, phrase: CountPhrase): string => loc(`Count_${phrase}_${n === 1 ? 'one' : 'other'}`, String(n));

describe('counts in what a run prints', () => {
  it('renders 0, 1 and 2 with the noun in the right number', () => {
    assert.deepEqual([0, 1, 2].map((n) => counted(n, 'tags')), ['0 tags', '1 tag', '2 tags']);
    assert.deepEqual([0, 1, 2].map((n) => counted(n, 'repositories')), ['0 repositories', '1 repository', '2 repositories']);
    assert.deepEqual([0, 1, 2].map((n) => counted(n, 'stillWork')), ['0 repositories still have work', '1 repository still has work', '2 repositories still have work']);
  });

  it("words every phrase the same in task.json's Count_ messages as on the command line", () => {
    for (const phrase of phrases) {
      for (const n of [0, 1, 2]) assert.equal(countText(n, phrase), counted(n, phrase), `${phrase} ${n}`);
    }
  });

  it("renders the task's result lines for 0, 1 and 2", () => {
    const succeeded = (n: number) => loc('Result_Succeeded', countText(n, 'tags'), countText(n, 'repositories'), countText(n, 'stillWork'));
    assert.equal(succeeded(0), '0 tags imported into 0 repositories; 0 repositories still have work.');
    assert.equal(succeeded(1), '1 tag imported into 1 repository; 1 repository still has work.');
    assert.equal(succeeded(2), '2 tags imported into 2 repositories; 2 repositories still have work.');
    assert.equal(loc('Result_Locked', countText(1, 'tags')), '1 tag left unchanged: a lock in the target (on the tag, its repository or a manifest) forbids the change.');
    assert.equal(loc('Result_Failed', countText(1, 'tags'), countText(0, 'repositories')), '1 tag and 0 repositories failed; see the errors above.');
    assert.equal(loc('Result_DryRun', countText(1, 'haveWork')), 'Dry run: 1 repository has work; nothing was written.');
    assert.equal(loc('Result_TimeBudget', countText(1, 'minutes'), countText(2, 'tags'), countText(1, 'stillWork')), 'Stopped on the time budget of 1 minute: 2 tags imported; 1 repository still has work. Run again to continue.');
    assert.equal(loc('NotListed', countText(1, 'notListed')), '1 repository was not listed: the time budget ran out while planning (deferred to the next run).');
    assert.equal(loc('RepositoryInSync', countText(1, 'repositories')), '1 repository already in sync.');
  });

  it('leaves no message in task.json that puts a bare count before a plural noun', () => {
    const bare = Object.entries(messages).filter(([key, text]) => !key.startsWith('Count_') && /%s (tags|repositories|minutes|import calls)\b/.test(text));
    assert.deepEqual(bare, []);
  });

  it('leaves no printed line in the command line, the reports or the task that puts a bare count before a plural noun', () => {
    const offenders: string[] = [];
    for (const dir of ['src/cli', 'src/reporting', 'src/task', 'src/task/publish']) {
      for (const file of readdirSync(join(repoRoot, dir)).filter((f) => f.endsWith('.ts'))) {
        readFileSync(join(repoRoot, dir, file), 'utf8').split('\n').forEach((line, i) => {
          // `${n} tags` in a template literal; image indexes always hold more than one manifest.
          if (/\$\{[^}]+\} (tags|repositories|minutes|import calls)\b/.test(line)) offenders.push(`${dir}/${file}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    assert.deepEqual(offenders, []);
  });
});
