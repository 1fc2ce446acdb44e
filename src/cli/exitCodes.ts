/** The command line's exit codes (documented in --help and the README). */
export enum ExitCode {
  /**
   * Everything planned was done (or, in a dry run, planned), or the time budget stopped the run
   * cleanly with the rest left for the next one (the summary says so); locked tags and oversized
   * indexes are only warnings.
   */
  Done = 0,
  /** The run finished, but an import, a tag verification or a repository failed. */
  Failed = 1,
  /**
   * Bad input: a flag, an option, a file or a registry name, or a source without a catalog given
   * no repositories by name; nothing was written.
   */
  BadInput = 2,
  /** The run could not start (sign-in, a failed preflight check) or stopped unexpectedly. */
  CouldNotRun = 3,
  /** A check (`--check`) found drift: something would be imported; nothing was written. */
  OutOfSync = 4,
  /**
   * Cancelled by SIGINT or SIGTERM (Ctrl-C, a cancelled job): what was done is verified and
   * reported, the rest is left for the next run. 128 + SIGINT's number, as shells report it.
   */
  Cancelled = 130,
}
