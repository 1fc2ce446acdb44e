/** The command line's exit codes (documented in --help and the README). */
export enum ExitCode {
  /** Everything planned was done (or, in a dry run, planned); locked tags are only warnings. */
  Done = 0,
  /** The run finished, but an import, a tag verification or a repository failed. */
  Failed = 1,
  /** Bad input: a flag, an option, a file or a registry name; nothing was written. */
  BadInput = 2,
  /** The run could not start or stopped unexpectedly (sign-in, network, service). */
  CouldNotRun = 3,
}
