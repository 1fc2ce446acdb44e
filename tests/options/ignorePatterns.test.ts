import { strict as assert } from 'node:assert';
import { compileIgnorePatterns, splitPatternList } from '../../src/options/ignorePatterns';
import { OptionsError } from '../../src/options/optionsError';

describe('ignore patterns', () => {
  it('splits comma lists but keeps commas inside braces, brackets and parentheses', () => {
    assert.deepEqual(splitPatternList('a/*, b/**,re:^x{1,3}$,{api,web}/*, re:(a|b),c'), ['a/*', 'b/**', 're:^x{1,3}$', '{api,web}/*', 're:(a|b)', 'c']);
  });

  it('`*` stays in one segment and `**` crosses segments', () => {
    const m = compileIgnorePatterns(['team/*']);
    assert.equal(m.match('team/api'), 'team/*');
    assert.equal(m.match('team/api/v2'), undefined);
    const deep = compileIgnorePatterns(['team/**']);
    assert.equal(deep.match('team/api/v2'), 'team/**');
  });

  it('matches the whole name, ignoring case, and reports the first matching pattern', () => {
    const m = compileIgnorePatterns(['legacy', 're:^tmp-', 'TEAM/*']);
    assert.equal(m.match('legacy'), 'legacy');
    assert.equal(m.match('legacy-app'), undefined);
    assert.equal(m.match('tmp-build'), 're:^tmp-');
    assert.equal(m.match('team/x'), 'TEAM/*');
  });

  it('rejects an invalid regex naming the pattern', () => {
    assert.throws(
      () => compileIgnorePatterns(['ok/*', 're:(unclosed']),
      (e: unknown) => e instanceof OptionsError && e.key === 'PatternRegexInvalid' && e.message.startsWith('ignore pattern "re:(unclosed" is not a valid regular expression: '),
    );
  });

  it('rejects "re:" with nothing after it', () => {
    assert.throws(() => compileIgnorePatterns(['re:  ']), (e: unknown) => e instanceof OptionsError && e.key === 'PatternEmpty');
  });
});
