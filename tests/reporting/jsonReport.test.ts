import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSync } from '../../src/engine/sync';
import { writeInPieces } from '../../src/lifecycle/writeInPieces';
import { parseOptions } from '../../src/options/parse';
import { reportJsonPieces } from '../../src/reporting/jsonReport';
import { D, MemoryImporter, MemoryRegistry } from '../engine/memoryRegistry';

/** A report with every kind of repository entry: done, failed, in sync, locked, nested names. */
async function sampleReport(repositories: number) {
  const sourceRepos: Record<string, Record<string, string>> = {};
  const targetRepos: Record<string, Record<string, string>> = {};
  for (let i = 0; i < repositories; i++) {
    const name = `team-${i % 7}/app-${i}`;
    sourceRepos[name] = { '1.0': D(i * 3 + 1), latest: D(i * 3 + 2), 'quote"and\\slash': D(i * 3 + 3) };
    if (i % 2 === 0) targetRepos[name] = { '1.0': D(i * 3 + 1), latest: D(999_999) };
  }
  const source = new MemoryRegistry(sourceRepos);
  const target = new MemoryRegistry(targetRepos);
  const importer = new MemoryImporter(source, target);
  importer.failures.set(D(2), 'Error copying blobs\nsecond line');
  return runSync(parseOptions({ sourceRegistry: 'sourceacr', targetRegistry: 'targetacr' }).sync, { source, target, importer }, { toolVersion: 't' });
}

describe('JSON report written in pieces', () => {
  it('joins into exactly JSON.stringify(report, null, 2) and a newline', async () => {
    const report = await sampleReport(40);
    assert.ok(report.repositories.some((r) => r.status === 'failed') && report.repositories.some((r) => r.tagsInSync > 0));
    const pieces = [...reportJsonPieces(report)];
    assert.equal(pieces.join(''), `${JSON.stringify(report, null, 2)}\n`);
    // A piece per repository at least: the text is never built whole.
    assert.ok(pieces.length > report.repositories.length, `${pieces.length} pieces`);
  });

  it('matches for an empty selection and leaves out undefined fields as JSON.stringify does', async () => {
    const report = await sampleReport(0);
    const withUndefined = { ...report, stoppedBy: undefined };
    assert.equal([...reportJsonPieces(withUndefined)].join(''), `${JSON.stringify(report, null, 2)}\n`);
  });

  it('writes a file of several chunks that parses back to the report', async () => {
    const report = await sampleReport(600);
    const dir = mkdtempSync(join(tmpdir(), 'acr-transfer-json-'));
    try {
      const path = join(dir, 'report.json');
      writeInPieces(path, reportJsonPieces(report));
      const text = readFileSync(path, 'utf8');
      assert.ok(text.length > 3 * 64 * 1024, `${text.length} characters: more than one chunk`);
      assert.equal(text, `${JSON.stringify(report, null, 2)}\n`);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(report)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
