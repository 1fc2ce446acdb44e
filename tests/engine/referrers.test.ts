/**
 * The referrer walk (src/engine/referrers.ts) over an in-memory source and target: each
 * referrer is copied after its subject (the target holds the subject when the referrer's import
 * starts), recursively, skipping what the target lists, walking a digest once; a failed copy is
 * reported and its own referrers are left alone; a cancelled or exhausted run defers the rest.
 */
import { strict as assert } from 'node:assert';
import { systemClock } from '../../src/engine/clock';
import { Pacer } from '../../src/engine/pacer';
import { ImportFailure, type Importer, type ImportRequest, type Referrer, type RegistryReader } from '../../src/engine/ports';
import { syncReferrers, type ReferrerContext, type ReferrersMode } from '../../src/engine/referrers';
import { TimeBudget } from '../../src/engine/timeBudget';

const d = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const [IMAGE, SIG, SBOM, SBOM_SIG, LATE] = [1, 2, 3, 4, 5].map(d);

/** Manifests of one repository, by digest, with the subject each refers to. */
class Side implements RegistryReader {
  readonly manifests = new Map<string, string | undefined>();
  readonly listings: string[] = [];
  /** Listings answered at the same time, now and at most. */
  inFlight = 0;
  maxInFlight = 0;
  constructor(entries: Array<[string, string?]>) {
    for (const [digest, subject] of entries) this.manifests.set(digest, subject);
  }
  async *listRepositories(): AsyncGenerator<string> {}
  listTags(): Promise<null> {
    return Promise.resolve(null);
  }
  async listReferrers(_repository: string, digest: string): Promise<Referrer[]> {
    this.listings.push(digest);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.inFlight--;
    return [...this.manifests].filter(([, subject]) => subject === digest).map(([x]) => ({ digest: x, artifactType: 'application/vnd.cncf.notary.signature' }));
  }
  hasManifest(_repository: string, digest: string): Promise<boolean> {
    return Promise.resolve(this.manifests.has(digest));
  }
}

class Copier implements Importer {
  readonly requests: ImportRequest[] = [];
  /** Whether, when each import started, the target held its subject. */
  readonly subjectFirst: boolean[] = [];
  fail = new Set<string>();
  constructor(
    private readonly source: Side,
    private readonly target: Side,
  ) {}
  async importImage(request: ImportRequest): Promise<void> {
    this.requests.push(request);
    const subject = this.source.manifests.get(request.sourceDigest);
    this.subjectFirst.push(subject === undefined || this.target.manifests.has(subject));
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.fail.has(request.sourceDigest)) throw new ImportFailure('Error copying blobs', 'InvalidParameters');
    this.target.manifests.set(request.sourceDigest, subject);
  }
}

function world(targetEntries: Array<[string, string?]> = [[IMAGE]]) {
  const source = new Side([[IMAGE], [SIG, IMAGE], [SBOM, IMAGE], [SBOM_SIG, SBOM]]);
  const target = new Side(targetEntries);
  const importer = new Copier(source, target);
  const context = (mode: ReferrersMode, extra: Partial<ReferrerContext> = {}): ReferrerContext => ({
    source,
    target,
    importer,
    imports: new Pacer(4, 0, systemClock),
    listings: new Pacer(3, 0, systemClock),
    budget: new TimeBudget(systemClock, systemClock.now()),
    clock: systemClock,
    importTimeoutMinutes: 1,
    mode,
    ...extra,
  });
  return { source, target, importer, context };
}

describe('engine: referrers', () => {
  it('copies every referrer, recursively, each after its subject, untagged by digest into the target repository', async () => {
    const { target, importer, context } = world();
    const out = await syncReferrers('app', 'mirror/app', [IMAGE], context('imported'));
    assert.deepEqual(out.referrers.map((r) => [r.digest, r.subject, r.outcome]).sort(), [
      [SIG, IMAGE, 'copied'],
      [SBOM, IMAGE, 'copied'],
      [SBOM_SIG, SBOM, 'copied'],
    ].sort());
    assert.ok(importer.subjectFirst.every(Boolean));
    for (const r of importer.requests) assert.deepEqual([r.targetTags, r.untaggedTargetRepository, r.mode, r.sourceRepository], [[], 'mirror/app', 'Force', 'app']);
    assert.ok([SIG, SBOM, SBOM_SIG].every((x) => target.manifests.has(x)));
  });

  it('skips what the target lists; walks a present referrer further only in mode all', async () => {
    const present: Array<[string, string?]> = [[IMAGE], [SIG, IMAGE], [SBOM, IMAGE]];
    const imported = world(present);
    const a = await syncReferrers('app', 'app', [IMAGE], imported.context('imported'));
    assert.deepEqual(a.referrers.map((r) => r.outcome), ['present', 'present']);
    assert.equal(imported.importer.requests.length, 0);
    assert.deepEqual(imported.source.listings, [IMAGE], 'one listing per side for the one digest');

    const all = world(present);
    const b = await syncReferrers('app', 'app', [IMAGE], all.context('all'));
    assert.deepEqual(b.referrers.filter((r) => r.outcome === 'copied').map((r) => r.digest), [SBOM_SIG]);
    assert.deepEqual(all.source.listings.sort(), [IMAGE, SIG, SBOM, SBOM_SIG].sort());
  });

  it('lists a few subjects at a time, however many there are (the listing concurrency)', async () => {
    const subjects = Array.from({ length: 40 }, (_, i) => d(100 + i));
    const { source, context } = world(subjects.map((s): [string] => [s]));
    for (const s of subjects) source.manifests.set(s, undefined);
    const outcomes = await syncReferrers('app', 'app', subjects, context('imported'));
    assert.deepEqual(outcomes.unlisted, []);
    assert.equal(source.listings.length, 40);
    assert.ok(source.maxInFlight <= 3, `at most 3 at once: ${source.maxInFlight}`);
    assert.ok(source.maxInFlight > 1, 'several at once all the same');
  });

  it('lists the target only for subjects the source lists referrers for', async () => {
    const bare = Array.from({ length: 5 }, (_, i) => d(200 + i));
    const { source, target, context } = world([[IMAGE], ...bare.map((s): [string] => [s])]);
    for (const s of bare) source.manifests.set(s, undefined);
    const out = await syncReferrers('app', 'app', [...bare, IMAGE], context('imported'));
    assert.equal(out.referrers.filter((r) => r.outcome === 'copied').length, 3);
    assert.deepEqual(source.listings.sort(), [...bare, IMAGE, SIG, SBOM, SBOM_SIG].sort(), 'every subject and copied referrer listed in the source');
    assert.deepEqual(target.listings.sort(), [IMAGE, SBOM].sort(), 'the target only where the source has referrers');
  });

  it('none lists nothing; a dry run lists and plans but imports nothing', async () => {
    const none = world();
    assert.deepEqual(await syncReferrers('app', 'app', [IMAGE], none.context('none')), { referrers: [], unlisted: [] });
    assert.equal(none.source.listings.length + none.target.listings.length, 0);

    const dry = world();
    const { importer, ...withoutImporter } = dry.context('imported');
    assert.ok(importer);
    const out = await syncReferrers('app', 'app', [IMAGE], withoutImporter);
    assert.deepEqual(out.referrers.map((r) => r.outcome), ['planned', 'planned', 'planned']);
    assert.equal(dry.importer.requests.length, 0);
  });

  it("reports a failed copy and leaves its own referrers alone; a failed listing is reported, not read as none", async () => {
    const { importer, context, source } = world();
    importer.fail.add(SBOM);
    const out = await syncReferrers('app', 'app', [IMAGE, LATE], context('imported'));
    const sbom = out.referrers.find((r) => r.digest === SBOM)!;
    assert.equal(sbom.outcome, 'failed');
    assert.match(sbom.error ?? '', /Error copying blobs/);
    assert.ok(!out.referrers.some((r) => r.digest === SBOM_SIG));
    assert.ok(!source.listings.includes(SBOM));

    const broken = world();
    broken.source.listReferrers = () => Promise.reject(new Error('listing the referrers of app: 503'));
    const failed = await syncReferrers('app', 'app', [IMAGE], broken.context('imported'));
    assert.deepEqual(failed, { referrers: [], unlisted: [{ subject: IMAGE, error: 'listing the referrers of app: 503' }] });
  });

  it('defers the copies once the run stops starting work', async () => {
    const { importer, context } = world();
    const budget = new TimeBudget(systemClock, systemClock.now());
    budget.cancel();
    const out = await syncReferrers('app', 'app', [IMAGE], context('imported', { budget }));
    assert.deepEqual(out.referrers.map((r) => r.outcome), ['deferred', 'deferred']);
    assert.equal(importer.requests.length, 0);
  });
});
