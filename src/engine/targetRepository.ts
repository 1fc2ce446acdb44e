/**
 * The one place that says which target repository a source repository is copied into. Tag
 * imports, their read-back and referrer copies all ask here, so a mapping of names (a prefix)
 * applies to every one of them at once. Today a repository keeps its name.
 */
export function targetRepositoryOf(sourceRepository: string): string {
  return sourceRepository;
}
