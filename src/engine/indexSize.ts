import type { Pacer } from './pacer';
import type { RepositoryPlan } from './plan';
import type { RegistryReader } from './ports';

/** importImage refuses an image index that references more manifests than this. */
export const MAX_INDEX_MANIFESTS = 50;

/**
 * Asks the source, once per digest to import, how many manifests it references, and takes every
 * import of an index over the limit out of the plan: its tags become `tooManyManifests`, never
 * attempted (importImage would refuse the whole call). Part of planning, so a dry run shows it.
 * A reader that cannot count is not asked; a count that fails is not fatal — the import then
 * runs and, if the service refuses it, fails with the service's own message.
 */
export async function withIndexSizeLimit(
  plan: RepositoryPlan,
  source: RegistryReader,
  counts: Pacer,
  signal?: AbortSignal,
): Promise<RepositoryPlan> {
  const count = source.countReferencedManifests?.bind(source);
  if (count === undefined || plan.groups.length === 0) return plan;

  const digests = [...new Set(plan.groups.map((g) => g.sourceDigest))];
  const oversized = new Map<string, number>();
  await Promise.all(
    digests.map((digest) =>
      counts.run(async () => {
        try {
          const manifests = await count(plan.repository, digest, signal);
          if (manifests > MAX_INDEX_MANIFESTS) oversized.set(digest, manifests);
        } catch (error) {
          // A run that is being stopped must not pass as "checked"; anything else is not fatal.
          if (signal?.aborted === true) throw error;
        }
      }),
    ),
  );
  if (oversized.size === 0) return plan;

  const imported = new Set(plan.groups.flatMap((g) => g.tags));
  const decisions = plan.decisions.map((d) => {
    const manifests = oversized.get(d.sourceDigest);
    if (manifests === undefined || !imported.has(d.tag)) return d;
    return { ...d, kind: 'tooManyManifests' as const, manifestCount: manifests };
  });
  const groups = plan.groups.filter((g) => !oversized.has(g.sourceDigest));
  return { ...plan, decisions, groups };
}
