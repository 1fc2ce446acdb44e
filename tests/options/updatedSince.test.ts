import { strict as assert } from 'node:assert';
import { OptionsError } from '../../src/options/optionsError';
import { parseUpdatedSince } from '../../src/options/updatedSince';
import { applyTagFilter } from '../../src/engine/tagFilter';
import { compileTagFilter } from '../../src/options/tagPatterns';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

describe('tags updated since', () => {
  it('reads dates as UTC, offsets as given, and Nd as whole days before now', () => {
    assert.equal(parseUpdatedSince('2026-01-31', NOW).time, Date.UTC(2026, 0, 31));
    assert.equal(parseUpdatedSince('2026-01-31T08:30', NOW).time, Date.UTC(2026, 0, 31, 8, 30));
    assert.equal(parseUpdatedSince('2026-01-31T08:30:15.5Z', NOW).time, Date.UTC(2026, 0, 31, 8, 30, 15, 500));
    assert.equal(parseUpdatedSince('2026-01-31T08:30+02:00', NOW).time, Date.UTC(2026, 0, 31, 6, 30));
    assert.equal(parseUpdatedSince('2026-01-31T08:30-0130', NOW).time, Date.UTC(2026, 0, 31, 10, 0));
    assert.equal(parseUpdatedSince('30d', NOW).time, NOW - 30 * 86_400_000);
  });

  for (const bad of ['2026-02-30', '2026-13-01', '2026-01-31T24:00Z', '2026-01-31T08:60', '0d', '36501d', '-3d', '30', 'last week', '2026/01/31', '2026-01-31T08:00+25:00']) {
    it(`refuses "${bad}" with one line naming it`, () => {
      assert.throws(
        () => parseUpdatedSince(bad, NOW),
        (e: unknown) => e instanceof OptionsError && e.key === 'SinceInvalid' && e.message.startsWith(`tags updated since "${bad}" is not valid: `) && !e.message.includes('\n'),
      );
    });
  }
});

describe('the tag filter', () => {
  const tag = (name: string, lastUpdated?: number) => ({ name, digest: `sha256:${'0'.repeat(64)}`, writeEnabled: true, lastUpdated });

  it('keeps the latest N after the other filters, equal times by name, a tag without a time last', () => {
    const filter = compileTagFilter({ tagPatterns: [], ignoreTagPatterns: ['pr-*'], keepLatestTags: 3 })!;
    const { kept, filteredOut } = applyTagFilter([tag('b', 5), tag('a', 5), tag('pr-1', 9), tag('c', 4), tag('old'), tag('d', 6)], filter);
    assert.deepEqual(kept.map((t) => t.name), ['d', 'a', 'b']);
    assert.equal(filteredOut, 3);
  });

  it('leaves a tag without a time out of "updated since", and keeps the listing as it is without filters', () => {
    const since = compileTagFilter({ tagPatterns: [], ignoreTagPatterns: [], tagsUpdatedSince: { text: 'x', time: 10 } })!;
    assert.deepEqual(applyTagFilter([tag('new', 10), tag('old', 9), tag('unknown')], since).kept.map((t) => t.name), ['new']);
    const tags = [tag('a', 1)];
    assert.equal(applyTagFilter(tags, undefined).kept, tags);
    assert.equal(compileTagFilter({ tagPatterns: [], ignoreTagPatterns: [] }), undefined);
  });
});
