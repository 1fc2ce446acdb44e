/**
 * The reference script's README (shared seed) documents these filters with examples; each one
 * must behave as written there. Written before the filters themselves.
 */
import { strict as assert } from 'node:assert';
import { compileIgnorePatterns } from '../../src/options/ignorePatterns';
import { parseLetters } from '../../src/options/letters';

function ignored(patterns: string[], names: string[]): string[] {
  const matcher = compileIgnorePatterns(patterns);
  return names.filter((name) => matcher.match(name) !== undefined);
}

describe('seed README examples', () => {
  it('"myRepo/*" matches any repo directly under myRepo/', () => {
    assert.deepEqual(
      ignored(['myRepo/*'], ['myRepo/api', 'myRepo/web', 'myRepo', 'myRepo/api/v1', 'other/api', 'myRepoX/api']),
      ['myRepo/api', 'myRepo/web'],
    );
  });

  it('"myRepo/*/*" matches repos under myRepo/ with two subfolders', () => {
    assert.deepEqual(
      ignored(['myRepo/*/*'], ['myRepo/api', 'myRepo/api/v1', 'myRepo/a/b/c', 'x/myRepo/a/b']),
      ['myRepo/api/v1'],
    );
  });

  it('"*repo/*" matches any repo whose first segment ends with "repo"', () => {
    assert.deepEqual(
      ignored(['*repo/*'], ['myrepo/app', 'repo/app', 'repository/app', 'team/myrepo/app', 'myrepo']),
      ['myrepo/app', 'repo/app'],
    );
  });

  it('"re:^myRepo/([^/]+)/\\1$" matches myRepo/foo/foo (second and third segments identical)', () => {
    assert.deepEqual(
      ignored(['re:^myRepo/([^/]+)/\\1$'], ['myRepo/foo/foo', 'myRepo/foo/bar', 'myRepo/foo', 'myRepo/foo/foo/foo']),
      ['myRepo/foo/foo'],
    );
  });

  it('the ignore-config.json example excludes what its three patterns match', () => {
    const config = ['myRepo/*', 'myRepoWithSubFolders/*/*', 're:^myRepo/([^/]+)/\\1$'];
    assert.deepEqual(
      ignored(config, ['myRepo/a', 'myRepo/b/b', 'myRepo/b/c', 'myRepoWithSubFolders/a', 'myRepoWithSubFolders/a/b', 'keep/me']),
      ['myRepo/a', 'myRepo/b/b', 'myRepoWithSubFolders/a/b'],
    );
  });

  it('"a-c,e,g" selects repositories starting with a, b, c, e or g', () => {
    const letters = parseLetters('a-c,e,g');
    const names = ['alpha', 'beta', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', '9lives'];
    assert.deepEqual(names.filter((n) => letters.matches(n)), ['alpha', 'beta', 'charlie', 'echo', 'golf']);
  });
});
