import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OptionsError } from '../../src/options/optionsError';
import { parseOptions } from '../../src/options/parse';
import type { RawOptions } from '../../src/options/table';
import { createTlsMaterial } from '../../testkit/emulator/ca';

/** The engine's part of the checked options. */
const validateOptions = (raw: RawOptions) => parseOptions(raw).sync;

const base: RawOptions = { sourceRegistry: 'sourceacr', targetRegistry: 'targetacr' };
const SUB = '11111111-2222-3333-4444-555555555555';

describe('options: parsing and validation', () => {
  it('fills defaults and lets the target subscription default to the source', () => {
    const all = parseOptions({ ...base, sourceSubscriptionId: SUB });
    assert.equal(all.connection.targetSubscriptionId, SUB);
    const o = all.sync;
    assert.equal(o.delaySeconds, 0);
    assert.equal(o.maxConcurrency, 4);
    assert.equal(o.maxRepositories, undefined);
    assert.equal(o.dryRun, false);
    assert.equal(o.force, false);
    assert.equal(o.timeBudgetMinutes, undefined);
    assert.equal(o.importTimeoutMinutes, 30);
    assert.equal(o.shard, undefined);
  });

  it('copies the referrers of imported manifests unless told otherwise, and refuses an unknown mode', () => {
    assert.equal(validateOptions(base).referrers, 'imported');
    for (const mode of ['none', 'imported', 'all'] as const) assert.equal(validateOptions({ ...base, referrers: ` ${mode} ` }).referrers, mode);
    assert.throws(
      () => validateOptions({ ...base, referrers: 'All' }),
      (e: unknown) => e instanceof OptionsError && e.key === 'ChoiceUnknown' && e.message === 'referrers "All" is not known: use none, imported or all',
    );
  });

  it('takes time limits in minutes, fractions included, and a 1-based shard', () => {
    const o = validateOptions({ ...base, timeBudgetMinutes: ' 50 ', importTimeoutMinutes: '0.5', shardIndex: '4', shardCount: '4' });
    assert.equal(o.timeBudgetMinutes, 50);
    assert.equal(o.importTimeoutMinutes, 0.5);
    assert.deepEqual(o.shard, { index: 4, count: 4 });
    assert.deepEqual(validateOptions({ ...base, shardIndex: '1', shardCount: '1' }).shard, { index: 1, count: 1 });
  });

  it('names the shard option keys the task localises', () => {
    assert.throws(() => validateOptions({ ...base, shardIndex: '3' }), (e: unknown) => e instanceof OptionsError && e.key === 'ShardIncomplete' && e.args.join('|') === 'shard index|3|shard count');
    assert.throws(() => validateOptions({ ...base, shardIndex: '9', shardCount: '2' }), (e: unknown) => e instanceof OptionsError && e.key === 'ShardIndexOutOfRange' && e.args.join('|') === '9|2');
  });

  it('lets repository override letters', () => {
    const o = validateOptions({ ...base, repository: 'team/api', letters: 'x' });
    assert.deepEqual(o.repositories, ['team/api']);
    assert.equal(o.letters, undefined);
  });

  it('merges repeated and comma-separated patterns', () => {
    const o = validateOptions({ ...base, ignorePatterns: ['a/*,b/*', 're:^c'] });
    assert.deepEqual(o.ignore.patterns, ['a/*', 'b/*', 're:^c']);
  });

  const bad: Array<[string, RawOptions, string]> = [
    ['missing source', { targetRegistry: 'targetacr' }, 'source registry name is required'],
    ['short name', { ...base, sourceRegistry: 'abc' }, 'source registry name "abc" is not valid: use 5 to 50 letters and digits'],
    ['name with a dash', { ...base, targetRegistry: 'my-registry' }, 'target registry name "my-registry" is not valid: use 5 to 50 letters and digits'],
    ['51 characters', { ...base, targetRegistry: 'a'.repeat(51) }, `target registry name "${'a'.repeat(51)}" is not valid: use 5 to 50 letters and digits`],
    ['same registry', { ...base, targetRegistry: 'SourceAcr' }, 'source and target are the same registry ("sourceacr")'],
    ['bad subscription', { ...base, sourceSubscriptionId: 'not-a-guid' }, 'source subscription id is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)'],
    ['max repositories 0', { ...base, maxRepositories: '0' }, 'max repositories "0" is not valid: give a whole number of at least 1'],
    ['max repositories text', { ...base, maxRepositories: 'ten' }, 'max repositories "ten" is not valid: give a whole number of at least 1'],
    ['max repositories fraction', { ...base, maxRepositories: '2.5' }, 'max repositories "2.5" is not valid: give a whole number of at least 1'],
    ['negative delay', { ...base, delaySeconds: '-1' }, 'delay seconds "-1" is not valid: give a number of seconds from 0 to 3600'],
    ['text delay', { ...base, delaySeconds: 'soon' }, 'delay seconds "soon" is not valid: give a number of seconds from 0 to 3600'],
    ['concurrency 0', { ...base, maxConcurrency: '0' }, 'max concurrency "0" is not valid: give a whole number from 1 to 32'],
    ['time budget 0', { ...base, timeBudgetMinutes: '0' }, 'time budget minutes "0" is not valid: give a number of minutes above 0 and at most 10080, such as 50'],
    ['time budget text', { ...base, timeBudgetMinutes: 'an hour' }, 'time budget minutes "an hour" is not valid: give a number of minutes above 0 and at most 10080, such as 50'],
    ['time budget over a week', { ...base, timeBudgetMinutes: '10081' }, 'time budget minutes "10081" is not valid: give a number of minutes above 0 and at most 10080, such as 50'],
    ['import timeout negative', { ...base, importTimeoutMinutes: '-5' }, 'import timeout minutes "-5" is not valid: give a number of minutes above 0 and at most 1440, such as 30'],
    ['import timeout 0', { ...base, importTimeoutMinutes: '0' }, 'import timeout minutes "0" is not valid: give a number of minutes above 0 and at most 1440, such as 30'],
    ['shard count 0', { ...base, shardIndex: '1', shardCount: '0' }, 'shard count "0" is not valid: give a whole number of at least 1'],
    ['shard index 0', { ...base, shardIndex: '0', shardCount: '4' }, 'shard index "0" is not valid: give a whole number from 1 to the shard count'],
    ['shard index past the count', { ...base, shardIndex: '5', shardCount: '4' }, 'shard index "5" is not valid: shards are numbered from 1 to the shard count (4)'],
    ['shard index fraction', { ...base, shardIndex: '1.5', shardCount: '4' }, 'shard index "1.5" is not valid: give a whole number from 1 to the shard count'],
    ['shard index without a count', { ...base, shardIndex: '2' }, 'shard index "2" needs a shard count too'],
    ['shard count without an index', { ...base, shardCount: '3' }, 'shard count "3" needs a shard index too'],
    ['bad repository', { ...base, repository: 'Team/API' }, 'repository "Team/API" is not a valid repository name (lower-case letters, digits, separators . _ - and /)'],
    ['bad letters', { ...base, letters: 'c-a' }, 'letters "c-a": range "c-a" runs backwards; write a-c'],
    ['bad regex', { ...base, ignorePatterns: ['re:[a-'] }, 'ignore pattern "re:[a-" is not a valid regular expression: Invalid regular expression: /[a-/i: Unterminated character class'],
  ];
  for (const [what, raw, message] of bad) {
    it(`rejects ${what} with one line naming the value`, () => {
      assert.throws(
        () => validateOptions(raw),
        (e: unknown) => e instanceof OptionsError && e.message === message && !e.message.includes('\n'),
      );
    });
  }

  it('never echoes a subscription id', () => {
    assert.throws(
      () => validateOptions({ ...base, targetSubscriptionId: '11111111-2222-3333-4444-55555555555Z' }),
      (e: unknown) => e instanceof Error && !e.message.includes('5555555555Z'),
    );
  });
});

describe('transport options', () => {
  it('default to a 60-second request time limit and no read cap', () => {
    const o = parseOptions(base).http;
    assert.equal(o.requestTimeoutMs, 60_000);
    assert.equal(o.maxReadsPerSecond, undefined);
  });

  it('reject values out of range with one line naming them', () => {
    assert.throws(() => validateOptions({ ...base, requestTimeoutSeconds: '0' }), /^OptionsError: request timeout seconds "0" is not valid/);
    assert.throws(() => validateOptions({ ...base, maxReadsPerSecond: '-5' }), /max reads per second "-5" is not valid/);
  });
});

describe('options read from files and URLs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parse-files-'));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const errorOf = (raw: RawOptions): OptionsError | undefined => {
    try {
      parseOptions({ ...base, ...raw });
      return undefined;
    } catch (error) {
      if (error instanceof OptionsError) return error;
      throw error;
    }
  };

  it('takes a CA file of PEM certificates as its text', async () => {
    const { caPem, certPem } = await createTlsMaterial();
    const path = write('ca.pem', `# a comment line, as bundles have\n${caPem}${certPem}`);
    assert.equal(parseOptions({ ...base, caFile: path }).http.caPem, readFileSync(path, 'utf8'));
  });

  it('refuses a CA file that is not PEM, or holds a broken certificate', () => {
    assert.equal(errorOf({ caFile: write('der.crt', '0\x82\x01\x0a') })?.key, 'PemNoCertificate');
    assert.equal(errorOf({ caFile: write('cut.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n') })?.key, 'PemCertificateInvalid');
    assert.equal(errorOf({ caFile: dir })?.key, 'FileNotRegular');
    assert.equal(errorOf({ caFile: join(dir, 'none.pem') })?.key, 'FileUnreadable');
  });

  const urls: Array<[string, string | undefined]> = [
    ['https://management.azure.com', undefined],
    ['https://management.local.azurestack.external:443/', undefined],
    ['https://login.microsoftonline.com/', undefined],
    ['http://management.azure.com', 'UrlInvalid'],
    ['https://', 'UrlInvalid'],
    ['https//management.azure.com', 'UrlInvalid'],
    ['https://management azure.com', 'UrlInvalid'],
    ['https://management.azure.com/?api-version=1', 'UrlInvalid'],
    ['https://management.azure.com/#x', 'UrlInvalid'],
    ['https://user:secret@management.azure.com', 'UrlInvalid'],
    ['management.azure.com', 'UrlInvalid'],
  ];
  for (const [url, key] of urls) {
    it(`${key === undefined ? 'takes' : 'refuses'} the endpoint ${url}`, () => {
      assert.equal(errorOf({ armEndpoint: url })?.key, key);
      assert.equal(errorOf({ acrAudience: url })?.key, key);
    });
  }

  it('never echoes a password given in an endpoint URL', () => {
    const error = errorOf({ authorityHost: 'https://user:hunter22@login.example' });
    assert.equal(error?.message, 'authority host "https://…@login.example" is not a well-formed https URL (such as https://management.azure.com)');
  });

  it('takes a repository name of 255 characters and refuses one of 256', () => {
    const name = (length: number): string => `team/${'a'.repeat(length - 5)}`;
    assert.deepEqual(parseOptions({ ...base, repository: name(255) }).sync.repositories, [name(255)]);
    assert.equal(errorOf({ repository: name(256) })?.key, 'RepositoryNameTooLong');
  });

  it('checks report paths before the run and creates nothing', () => {
    const missingFolder = join(dir, 'reports', 'run.json');
    assert.equal(errorOf({ reportJson: missingFolder })?.message, `JSON report "${missingFolder}": the folder "${join(dir, 'reports')}" does not exist`);
    assert.ok(!existsSync(join(dir, 'reports')));
    assert.equal(errorOf({ reportMarkdown: dir })?.key, 'ReportPathNotFile');
    const existing = write('old-report.json', '{}');
    assert.deepEqual(parseOptions({ ...base, reportJson: existing, reportMarkdown: join(dir, 'new.md') }).reports, { json: existing, markdown: join(dir, 'new.md') });
  });
});
