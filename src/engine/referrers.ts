import type { Clock } from './clock';
import { importWithinLimit } from './importTimeout';
import type { Pacer } from './pacer';
import { errorMessage } from './planning';
import type { Importer, Referrer, RegistryReader } from './ports';
import type { ReferrerReport, UnlistedReferrers } from './report';
import type { TimeBudget } from './timeBudget';

/**
 * Which manifests' referrers a run copies (docs/decisions/012-referrers.md):
 * - none: no referrer is listed or copied;
 * - imported: those of every digest the run imports, recursively (the signature of an SBOM);
 * - all: also those of digests already in sync (a signature added after the image was copied).
 */
export type ReferrersMode = 'none' | 'imported' | 'all';

export const REFERRERS_MODES: readonly ReferrersMode[] = ['none', 'imported', 'all'];

/** What the referrer walk of one repository needs; no `importer` in a dry run. */
export interface ReferrerContext {
  source: RegistryReader;
  target: RegistryReader;
  importer?: Importer;
  /** The run's import pacer: referrer copies share max concurrency and the delay between starts. */
  imports: Pacer;
  /**
   * The run's referrer listings, a few subjects at a time (the listing concurrency): a dry run
   * or mode `all` walks every repository at once, and unbounded it opened a connection per
   * digest — thousands, until the process ran out of file descriptors.
   */
  listings: Pacer;
  budget: TimeBudget;
  clock: Clock;
  importTimeoutMinutes: number;
  mode: ReferrersMode;
  signal?: AbortSignal;
}

/** The target's referrers of a subject the source lists none for: not asked. */
const NOTHING_PRESENT: ReadonlySet<string> = new Set();

export interface ReferrerOutcomes {
  referrers: ReferrerReport[];
  unlisted: UnlistedReferrers[];
}

/**
 * Finds the referrers of `subjects` (digests already in the target repository) in the source
 * and copies those the target does not list for the same subject, each after its subject,
 * then walks their own referrers the same way. Per subject it lists the source's referrers and,
 * when there are any, the target's: one listing of the target answers for every referrer of that subject, where a
 * check by digest costs a request per referrer, and it is as exact — the target listing names
 * exactly the manifests of that repository whose `subject` is that digest, which is what a
 * copy would create. A referrer already present is walked further only in mode `all`.
 */
export async function syncReferrers(
  sourceRepository: string,
  targetRepository: string,
  subjects: readonly string[],
  context: ReferrerContext,
): Promise<ReferrerOutcomes> {
  const outcomes: ReferrerOutcomes = { referrers: [], unlisted: [] };
  const { source, target } = context;
  if (context.mode === 'none' || source.listReferrers === undefined || target.listReferrers === undefined) return outcomes;
  const listSource = source.listReferrers.bind(source);
  const listTarget = target.listReferrers.bind(target);
  // A digest is walked once, however many subjects lead to it (a referrer of two manifests).
  const walked = new Set<string>();

  const walk = async (subject: string): Promise<void> => {
    if (walked.has(subject)) return;
    walked.add(subject);
    let found: Referrer[];
    let present: ReadonlySet<string>;
    try {
      // The target only when the source has any: most manifests have no referrers, and the
      // target's listing can only tell which of the source's are there. One round trip more for
      // a subject that has them, half the listings for the many that have none.
      [found, present] = await context.listings.run(async () => {
        const inSource = await listSource(sourceRepository, subject, context.signal);
        if (inSource.length === 0) return [inSource, NOTHING_PRESENT];
        const inTarget = await listTarget(targetRepository, subject, context.signal);
        return [inSource, new Set(inTarget.map((r) => r.digest))];
      });
    } catch (error) {
      outcomes.unlisted.push({ subject, error: errorMessage(error) });
      return;
    }
    await Promise.all(
      found.map(async (referrer) => {
        if (walked.has(referrer.digest)) return;
        const artifact = referrer.artifactType !== undefined ? { artifactType: referrer.artifactType } : {};
        if (present.has(referrer.digest)) {
          outcomes.referrers.push({ subject, digest: referrer.digest, ...artifact, outcome: 'present' });
          if (context.mode === 'all') await walk(referrer.digest);
          return;
        }
        const report = await copyReferrer(sourceRepository, targetRepository, subject, referrer, context);
        outcomes.referrers.push({ ...report, ...artifact });
        // Its own referrers only once it is there (or would be, in a dry run): subject first.
        if (report.outcome === 'copied' || report.outcome === 'planned') await walk(referrer.digest);
      }),
    );
  };
  // A few subjects at a time, as many as the listings run at once: a repository of 1,000
  // digests to import started a walk, a promise and a waiting listing per digest, and a dry run
  // walks a dozen such repositories at once (12,000 waiting tasks, more than the plan's memory).
  let next = 0;
  const walker = async (): Promise<void> => {
    while (next < subjects.length) await walk(subjects[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(context.listings.slots, subjects.length) }, walker));
  return outcomes;
}

/**
 * One untagged copy by digest, paced with the run's imports. Mode Force: an untagged copy moves
 * no tag, so Force can overwrite nothing, and it does not fail when the manifest landed meanwhile
 * (dotnet/docker-tools copies referrers the same way). Read back by digest afterwards; a failed
 * import whose manifest is in the target anyway (landed from elsewhere) counts as copied.
 */
async function copyReferrer(
  sourceRepository: string,
  targetRepository: string,
  subject: string,
  referrer: Referrer,
  context: ReferrerContext,
): Promise<ReferrerReport> {
  const digest = referrer.digest;
  const importer = context.importer;
  if (importer === undefined) return { subject, digest, outcome: 'planned' };
  return context.imports.run(async () => {
    if (!context.budget.allowsStart()) return { subject, digest, outcome: 'deferred' };
    const started = context.clock.now();
    let error: string | undefined;
    try {
      const request = { sourceRepository, sourceDigest: digest, targetRepository, targetTags: [], untaggedTargetRepository: targetRepository, mode: 'Force' as const };
      await importWithinLimit(importer, request, context.importTimeoutMinutes, context.clock, context.signal);
      const after = await inTarget(context.target, targetRepository, digest, context.signal);
      if (after instanceof Error) error = `could not read the target back to verify: ${after.message}`;
      else if (after === false) error = 'the referrer is missing in the target after the import';
    } catch (e) {
      error = errorMessage(e);
      if ((await inTarget(context.target, targetRepository, digest, context.signal)) === true) error = undefined;
    }
    context.budget.importTook(context.clock.now() - started);
    return error === undefined ? { subject, digest, outcome: 'copied' } : { subject, digest, outcome: 'failed', error };
  });
}

/** Whether the target holds the manifest: undefined when the reader cannot tell, the error when the read fails. */
async function inTarget(target: RegistryReader, repository: string, digest: string, signal: AbortSignal | undefined): Promise<boolean | undefined | Error> {
  if (target.hasManifest === undefined) return undefined;
  try {
    return await target.hasManifest(repository, digest, signal);
  } catch (error) {
    return new Error(errorMessage(error));
  }
}
