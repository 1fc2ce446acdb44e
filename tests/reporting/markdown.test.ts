import { strict as assert } from 'node:assert';
import { parseOptions } from '../../src/options/parse';
import { renderReportMarkdown } from '../../src/reporting/markdown';
import { shortDigest } from '../../src/reporting/texts';
import { runSync } from '../../src/engine/sync';
import { D, MemoryImporter, MemoryRegistry } from '../engine/memoryRegistry';

describe('report Markdown', () => {
  it('shows totals, lists repositories with changes, counts the in-sync ones, and lists problems', async () => {
    const source = new MemoryRegistry({ app: { '1.0': D(1), 'a|b': D(2) }, locked: { x: D(3) }, same: { s: D(4) }, broken: { b: D(5) } });
    const lockedAt = `sha256:${'9ab'.repeat(21)}f`;
    const target = new MemoryRegistry({ locked: { x: { digest: lockedAt, writeEnabled: false } }, same: { s: D(4) } });
    const importer = new MemoryImporter(source, target);
    importer.failures.set(D(5), 'Error copying blobs');
    const report = await runSync(parseOptions({ sourceRegistry: 'sourceacr', targetRegistry: 'targetacr' }).sync, { source, target, importer }, { toolVersion: 't' });
    const md = renderReportMarkdown(report);
    assert.match(md, /^## ACR Transfer: `sourceacr` → `targetacr`/);
    assert.match(md, /\*\*❌ Failed\*\*/);
    assert.match(md, /\| \| 4 \| 4 \| 0 \| 2 \| 1 \| 1 \| 0 \| 1 \|/, 'repository totals row');
    assert.match(md, /### Repositories \(3 with changes; 1 already in sync\)/);
    assert.match(md, /\| `app` \| done \| 2 \| 0 \| 0 \| 0 \| 2 \| 2 \| 0 \|/);
    assert.ok(!md.includes('| `same` |'), 'in-sync repositories are counted, not listed');
    assert.match(md, /\| `broken` \| `b` \| failed \| Error copying blobs \|/);
    assert.match(md, new RegExp(`\\| \`locked\` \\| \`x\` \\| locked \\| target tag is locked at sha256:9ab9ab9ab9ab;`));
  });

  it('shortens digests to 12 hex characters', () => {
    assert.equal(shortDigest(D(255)), 'sha256:000000000000');
    assert.equal(shortDigest(undefined), '—');
  });
});
