/**
 * What a report asks a person to look at: the warnings and errors of each repository, in one
 * order (the repository's own error, then per tag: re-tagged, locked, too many manifests,
 * failed; then its referrers that failed). The command line prints them, the task raises them as pipeline issues and the
 * Markdown report lists the problems among them; each only words them for its medium.
 */
import type { LockScope } from '../engine/plan';
import type { RepositoryReport, RunReport } from '../engine/report';

interface TagFinding {
  repository: string;
  tag: string;
  sourceDigest?: string;
  targetDigest?: string;
}

export type Finding =
  | { kind: 'repositoryFailed'; repository: string; error: string }
  | ({ kind: 'retagged' } & TagFinding)
  /** `lockedBy`: what is locked in the target; `lockedManifest` names a locked manifest. */
  | ({ kind: 'locked'; lockedBy: LockScope; lockedManifest?: string } & TagFinding)
  | ({ kind: 'tooManyManifests'; manifestCount?: number } & TagFinding)
  | ({ kind: 'tagFailed'; error?: string } & TagFinding)
  /** A referrer (signature, SBOM…) not copied, or a subject whose referrers could not be listed (no `digest`). */
  | { kind: 'referrerFailed'; repository: string; subject: string; digest?: string; error: string };

export type FindingKind = Finding['kind'];

/**
 * Re-tagged tags were overwritten as planned and the others never copied: warnings; failures
 * are errors. A warning is for what happened or what needs a person: a re-tag is one only once
 * it was written (not in a dry run, not in a repository left for a later run), while a lock or
 * an oversized index needs a person in a dry run too (the front ends word those as "would").
 */
export const SEVERITY: Record<FindingKind, 'warning' | 'error'> = {
  repositoryFailed: 'error',
  retagged: 'warning',
  locked: 'warning',
  tooManyManifests: 'warning',
  tagFailed: 'error',
  referrerFailed: 'error',
};

export function repositoryFindings(repository: RepositoryReport): Finding[] {
  const findings: Finding[] = [];
  if (repository.error !== undefined) findings.push({ kind: 'repositoryFailed', repository: repository.name, error: repository.error });
  for (const t of repository.tags) {
    const about: TagFinding = { repository: repository.name, tag: t.tag, sourceDigest: t.sourceDigest, targetDigest: t.targetDigest };
    if (t.decision === 'retagged' && t.outcome === 'imported') findings.push({ kind: 'retagged', ...about });
    // A report without `lockedBy` predates locks above the tag: its locks were tag locks.
    if (t.decision === 'locked') findings.push({ kind: 'locked', lockedBy: t.lockedBy ?? 'tag', ...(t.lockedManifest !== undefined ? { lockedManifest: t.lockedManifest } : {}), ...about });
    if (t.decision === 'tooManyManifests') findings.push({ kind: 'tooManyManifests', ...about, ...(t.manifestCount !== undefined ? { manifestCount: t.manifestCount } : {}) });
    if (t.outcome === 'failed') findings.push({ kind: 'tagFailed', ...about, ...(t.error !== undefined ? { error: t.error } : {}) });
  }
  for (const x of repository.referrers ?? []) {
    if (x.outcome === 'failed') findings.push({ kind: 'referrerFailed', repository: repository.name, subject: x.subject, digest: x.digest, error: x.error ?? 'failed' });
  }
  for (const u of repository.referrersUnlisted ?? []) findings.push({ kind: 'referrerFailed', repository: repository.name, subject: u.subject, error: u.error });
  return findings;
}

export function reportFindings(report: RunReport): Finding[] {
  return report.repositories.flatMap(repositoryFindings);
}
