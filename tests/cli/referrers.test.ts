/**
 * Signatures and SBOMs travel with their images (`--referrers`), through the command line
 * against the emulator: the target's final state (referrers listed for their subjects there),
 * the import bodies (untagged, by digest, after their subject) and the request log (referrers
 * listings within budget: at most one per imported digest and side, none for digests in sync).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../testkit/emulator';
import type { Emulator, TagFixture } from '../../testkit/emulator/api';
import type { RunReport } from '../../src/engine/report';
import { registries, runCli, snapshot, SOURCE, TARGET, twoRegistries } from './support/cliHarness';

const NOTATION = 'application/vnd.cncf.notary.signature';
const SPDX = 'application/spdx+json';

/** An image signed with Notation, with an SBOM that is itself signed: three referrers. */
const signedImage: TagFixture = {
  content: { kind: 'image', seed: 'signed-app' },
  referrers: [
    { artifactType: NOTATION, seed: 'app-signature' },
    { artifactType: SPDX, seed: 'app-sbom', referrers: [{ artifactType: NOTATION, seed: 'sbom-signature' }] },
  ],
};

interface ImportBody {
  source: { sourceImage: string };
  targetTags?: string[];
  untaggedTargetRepositories?: string[];
  mode: string;
}

function imports(e: Emulator): Array<ImportBody & { seq: number }> {
  return e.log
    .entries()
    .filter((x) => x.route === 'arm.importImage')
    .map((x) => ({ ...(x.body as ImportBody), seq: x.seq }));
}

/** Every referrer digest of `digest` in a registry's repository, recursively. */
function referrerTree(e: Emulator, registry: string, repository: string, digest: string): string[] {
  return e
    .registry(registry)
    .referrers(repository, digest)
    .flatMap((d) => [d.digest, ...referrerTree(e, registry, repository, d.digest)])
    .sort();
}

describe('acr-transfer command line: referrers (signatures, SBOMs)', function () {
  this.timeout(120_000);
  let emulator: Emulator | undefined;
  const work = mkdtempSync(join(tmpdir(), 'cli-referrers-'));
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  async function start(): Promise<{ e: Emulator; subject: string; cosignTag: string }> {
    emulator = await startEmulator({
      fixture: twoRegistries({ app: { '1.0': signedImage, latest: signedImage }, plain: { v1: { content: { kind: 'image', seed: 'plain' } } } }),
      importRetryAfterSeconds: 1,
      importDurationMs: 0,
    });
    const subject = emulator.registry(SOURCE).tags('app').get('1.0')!;
    // A cosign signature in the tag schema: an ordinary tag, no `subject`.
    const cosignTag = `${subject.replace(':', '-')}.sig`;
    emulator.registry(SOURCE).push('app', cosignTag, { kind: 'image', seed: 'cosign-tag-signature' });
    return { e: emulator, subject, cosignTag };
  }

  it('imported (default): an image arrives with its signature, its SBOM and the SBOM\'s signature; a second run imports nothing', async () => {
    const { e, subject, cosignTag } = await start();
    const sourceTree = referrerTree(e, SOURCE, 'app', subject);
    assert.equal(sourceTree.length, 3);
    const reportPath = join(work, 'imported.json');
    const result = await runCli(e, [...registries(), '--report-json', reportPath]);
    assert.equal(result.code, 0, result.stderr);

    assert.deepEqual(snapshot(e, TARGET), snapshot(e, SOURCE), 'every tag, the tag-schema signature included, travels as a tag');
    assert.ok(e.registry(TARGET).tags('app').has(cosignTag));
    assert.deepEqual(referrerTree(e, TARGET, 'app', subject), sourceTree, 'the target lists the same referrers for the same subjects');

    const bodies = imports(e);
    const untagged = bodies.filter((b) => b.untaggedTargetRepositories !== undefined);
    assert.equal(untagged.length, 3, 'one untagged import per referrer');
    for (const b of untagged) {
      assert.deepEqual(b.untaggedTargetRepositories, ['app']);
      assert.equal(b.targetTags, undefined, 'a referrer is copied without tags');
      assert.equal(b.mode, 'Force');
      assert.match(b.source.sourceImage, /^app@sha256:[0-9a-f]{64}$/);
    }
    // Subject first: each referrer's import is sent after its subject's.
    const seqOf = (digest: string): number => bodies.find((b) => b.source.sourceImage === `app@${digest}`)!.seq;
    for (const d of e.registry(SOURCE).referrers('app', subject)) assert.ok(seqOf(d.digest) > seqOf(subject));
    const sbom = e.registry(SOURCE).referrers('app', subject).find((d) => d.digest !== undefined && referrerTree(e, SOURCE, 'app', d.digest).length > 0)!;
    const sbomSignature = e.registry(SOURCE).referrers('app', sbom.digest)[0];
    assert.ok(seqOf(sbomSignature.digest) > seqOf(sbom.digest));

    // Budget: at most one referrers listing per imported digest and side.
    const importCalls = e.log.count('arm.importImage');
    assert.equal(importCalls, 3 + 3, 'app (two tags, one digest), its cosign tag, plain, and three referrers');
    assert.ok(e.log.count('acr.referrers') <= 2 * importCalls, `${e.log.count('acr.referrers')} referrers listings`);

    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
    assert.equal(report.selection.referrers, 'imported');
    assert.deepEqual(report.totals.referrers, { found: 3, copied: 3, present: 0, planned: 0, failed: 0 });
    assert.match(result.stdout, /referrers \(imported\): 3 found, 3 copied, 0 already present, 0 left, 0 failed/);

    const listings = e.log.count('acr.referrers');
    const again = await runCli(e, registries());
    assert.equal(again.code, 0, again.stderr);
    assert.equal(e.log.count('arm.importImage'), importCalls, 'the second run imports nothing');
    assert.equal(e.log.count('acr.referrers'), listings, 'and lists no referrers: every digest is in sync');
  });

  it('with --target-repository-prefix: the referrers land in the mapped repository, next to their image', async () => {
    const { e, subject } = await start();
    const result = await runCli(e, [...registries(), '--target-repository-prefix', 'mirror/']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(e.registry(TARGET).tags('mirror/app').get('1.0'), subject);
    assert.deepEqual(referrerTree(e, TARGET, 'mirror/app', subject), referrerTree(e, SOURCE, 'app', subject));
    assert.deepEqual(e.registry(TARGET).repositories().filter((r) => !r.startsWith('mirror/')), [], 'nothing outside the prefix');
    const untagged = imports(e).filter((b) => b.untaggedTargetRepositories !== undefined);
    assert.equal(untagged.length, 3);
    for (const b of untagged) assert.deepEqual(b.untaggedTargetRepositories, ['mirror/app']);
  });

  it('none: copies no referrer and lists none; the tag-schema signature still travels as a tag', async () => {
    const { e, subject, cosignTag } = await start();
    const result = await runCli(e, [...registries(), '--referrers', 'none']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(e.log.count('acr.referrers'), 0);
    assert.deepEqual(referrerTree(e, TARGET, 'app', subject), []);
    assert.ok(e.registry(TARGET).tags('app').has(cosignTag));
    assert.ok(imports(e).every((b) => b.untaggedTargetRepositories === undefined));
    assert.doesNotMatch(result.stdout, /referrers \(/);
  });

  it('all: picks up a signature added to an image already in sync; imported does not', async () => {
    const { e, subject } = await start();
    assert.equal((await runCli(e, registries())).code, 0);
    const late = e.registry(SOURCE).attach('app', subject, { artifactType: NOTATION, seed: 'late-signature' });
    const before = e.log.count('arm.importImage');

    assert.equal((await runCli(e, registries())).code, 0);
    assert.equal(e.log.count('arm.importImage'), before, 'imported: the image is in sync, its referrers are not looked at');
    assert.ok(!e.registry(TARGET).hasManifest('app', late));

    const reportPath = join(work, 'all.json');
    const result = await runCli(e, [...registries(), '--referrers', 'all', '--report-json', reportPath]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(e.log.count('arm.importImage'), before + 1, 'only the new signature is copied');
    assert.ok(e.registry(TARGET).referrers('app', subject).some((d) => d.digest === late));
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
    assert.equal(report.totals.referrers.copied, 1);
    assert.equal(report.totals.referrers.present, 3, 'the signature, the SBOM and its signature were there');
    assert.equal(report.result, 'succeeded');
  });

  it('a dry run lists the referrers it would copy and writes nothing', async () => {
    const { e, subject } = await start();
    const before = snapshot(e, TARGET);
    const reportPath = join(work, 'dry.json');
    const result = await runCli(e, [...registries(), '--dry-run', '--report-json', reportPath]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(e.log.count('arm.importImage'), 0);
    assert.deepEqual(snapshot(e, TARGET), before);
    assert.deepEqual(referrerTree(e, TARGET, 'app', subject), []);
    assert.ok(e.log.count('acr.referrers') > 0);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
    assert.deepEqual(report.totals.referrers, { found: 3, copied: 0, present: 0, planned: 3, failed: 0 });
    assert.match(result.stdout, /referrers \(imported\): 3 found, 0 copied, 0 already present, 3 to copy, 0 failed/);
  });
});
