/**
 * Where a source repository goes in the target: `prefix + name` (`mirror/` + `app` →
 * `mirror/app`), or the same name without a prefix. This is the one place that says it; the
 * plan records the answer once (`RepositoryPlan.targetRepository`, `ImportGroup.targetRepository`)
 * and every reader of the target side — listings, locks, imports, verification, reports — takes
 * it from there, never from the source name.
 */
export function targetRepositoryOf(sourceRepository: string, prefix: string | undefined): string {
  return prefix === undefined ? sourceRepository : `${prefix}${sourceRepository}`;
}

/** ACR's limit on a repository name, slashes included (decision 008). */
export const MAX_TARGET_REPOSITORY_LENGTH = 255;
