/**
 * Verification: after a run the target holds every source tag at the source digest, tags only
 * in the target are untouched, the source is unchanged and the imports are the expected ones,
 * so that a fast wrong run cannot look good.
 */
import type { Expected, Measured, ScenarioName, TagMap, Verification } from './scenario';

function sameRegistry(a: Map<string, TagMap>, b: Map<string, TagMap>): boolean {
  if (a.size !== b.size) return false;
  for (const [repo, tags] of a) {
    const other = b.get(repo);
    if (other === undefined || other.size !== tags.size) return false;
    for (const [tag, digest] of tags) if (other.get(tag) !== digest) return false;
  }
  return true;
}

export function verify(
  scenario: ScenarioName,
  dryRun: boolean,
  exitCode: number,
  sourceBefore: Map<string, TagMap>,
  targetBefore: Map<string, TagMap>,
  targetAfter: Map<string, TagMap>,
  sourceAfter: Map<string, TagMap>,
  measured: Measured,
  expected: Expected,
): Verification {
  const problems: string[] = [];
  const note = (p: string): void => {
    if (problems.length < 20) problems.push(p);
  };
  if (exitCode !== 0) note(`the command line exited ${exitCode}`);
  // The source is never written.
  for (const [repo, tags] of sourceBefore) {
    const after = sourceAfter.get(repo);
    for (const [tag, digest] of tags) if (after?.get(tag) !== digest) note(`source ${repo}:${tag} changed`);
  }
  if (dryRun) {
    if (measured.importPosts !== 0) note(`a dry run sent ${measured.importPosts} importImage calls`);
    if (!sameRegistry(targetBefore, targetAfter)) note('the dry run changed the target');
  } else {
    // Every selected (= every) source repository: the target holds each source tag at the source digest.
    for (const [repo, tags] of sourceBefore) {
      const after = targetAfter.get(repo);
      for (const [tag, digest] of tags) {
        const got = after?.get(tag);
        if (got !== digest) note(`target ${repo}:${tag} is ${got ?? 'missing'}, source ${digest}`);
      }
    }
    // Tags only in the target are left alone.
    for (const [repo, tags] of targetBefore) {
      const src = sourceBefore.get(repo);
      for (const [tag, digest] of tags) {
        if (src?.has(tag)) continue;
        if (targetAfter.get(repo)?.get(tag) !== digest) note(`target-only tag ${repo}:${tag} was changed`);
      }
    }
    if (measured.importAccepted !== expected.groups) note(`${measured.importAccepted} imports accepted, ${expected.groups} expected (distinct repository, digest, mode)`);
  }
  if (scenario === 'noop' && measured.importPosts !== 0) note(`a no-op sync sent ${measured.importPosts} importImage calls`);
  if (scenario === 'noop' && !sameRegistry(targetBefore, targetAfter)) note('the no-op sync changed the target');
  return { ok: problems.length === 0, exitCode, problems };
}
