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

  it('says which lock keeps a tag: the tag, its repository or a manifest, with the locked manifest\'s digest', async () => {
    const lockedAt = `sha256:${'9ab'.repeat(21)}f`;
    const source = new MemoryRegistry({ tagged: { t: D(1) }, frozen: { f: D(2) }, pinned: { p: D(3) } });
    const target = new MemoryRegistry({ tagged: { t: { digest: D(7), writeEnabled: false } }, frozen: { f: D(8) }, pinned: { p: lockedAt } });
    target.lockRepository('frozen');
    target.lockManifest('pinned', lockedAt);
    const report = await runSync(parseOptions({ sourceRegistry: 'sourceacr', targetRegistry: 'targetacr' }).sync, { source, target, importer: new MemoryImporter(source, target) }, { toolVersion: 't' });
    const md = renderReportMarkdown(report);
    assert.match(md, /⚠️ Succeeded with issues/);
    assert.match(md, /\| `tagged` \| `t` \| locked \| target tag is locked at sha256:000000000000; source has sha256:000000000000 \|/);
    assert.match(md, /\| `frozen` \| `f` \| locked \| target repository is locked; target has sha256:000000000000; source has sha256:000000000000 \|/);
    assert.match(md, /\| `pinned` \| `p` \| locked \| target manifest sha256:9ab9ab9ab9ab is locked; target has sha256:9ab9ab9ab9ab; source has sha256:000000000000 \|/);
  });

  it('shortens digests to 12 hex characters', () => {
    assert.equal(shortDigest(D(255)), 'sha256:000000000000');
    assert.equal(shortDigest(undefined), '—');
  });

  it('lists every tag not in sync (the per-tag plan): all of them in the file, 200 on the summary page', async () => {
    const content: Record<string, Record<string, string>> = {};
    for (let r = 0; r < 30; r++) {
      const tags: Record<string, string> = {};
      for (let t = 0; t < 10; t++) tags[`v${t}`] = D(r * 100 + t + 1);
      content[`team/app-${String(r).padStart(2, '0')}`] = tags;
    }
    const source = new MemoryRegistry(content);
    const target = new MemoryRegistry({ 'team/app-00': { v0: D(1), v1: D(9_999) } });
    const options = parseOptions({ sourceRegistry: 'sourceacr', targetRegistry: 'targetacr', dryRun: true }).sync;
    const report = await runSync(options, { source, target, importer: new MemoryImporter(source, target) }, { toolVersion: 't' });
    const rowsOf = (md: string) => md.split('\n').filter((l) => /^\| `team\/app-\d\d` \| `v\d` \|/.test(l));

    const file = renderReportMarkdown(report, { complete: true });
    assert.match(file, /### Tags not in sync \(299\)/, '300 tags, v0 of app-00 in sync');
    assert.equal(rowsOf(file).length, 299);
    assert.ok(rowsOf(file).includes(`| \`team/app-00\` | \`v1\` | retagged | would import | ${shortDigest(D(2))} | ${shortDigest(D(9_999))} |`));
    assert.ok(!rowsOf(file).some((l) => l.startsWith('| `team/app-00` | `v0` |')), 'the in-sync tag is counted, not listed');

    const page = renderReportMarkdown(report);
    assert.equal(rowsOf(page).length, 200);
    assert.match(page, /… and 99 more in the JSON report\./);
  });
});

