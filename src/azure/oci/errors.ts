/**
 * What reading a registry by its address can fail with, apart from transient faults (which the
 * pipeline retries) and one-off refusals (AcrRequestError lines). Messages name hosts only,
 * never a credential or a token.
 */

/** The registry has no repository catalog the reader may list (Docker Hub has none at all). */
export class CatalogUnavailable extends Error {
  constructor(readonly host: string) {
    super(`the registry ${host} offers no repository catalog: name the repositories with --repository or --repository-list`);
    this.name = 'CatalogUnavailable';
  }
}

/** The registry's challenge names a token realm the credentials must not go to (credentialRealm.ts). */
export class RealmRefused extends Error {
  constructor(
    readonly host: string,
    readonly realmHost: string,
    why: string,
  ) {
    super(`the registry ${host} asks for credentials at ${realmHost}, which ${why}; no credentials were sent`);
    this.name = 'RealmRefused';
  }
}

/** 401 or 403 with the credentials given (or anonymously, when none were). */
export class SourceUnauthorized extends Error {
  constructor(
    readonly host: string,
    /** What was refused: `listing the tags of app`, `the token request`. */
    what: string,
    readonly status: number,
    /** Whether the reader had no credentials to give. */
    readonly anonymous: boolean,
  ) {
    super(
      `the registry ${host} refused ${what} (HTTP ${status}) ` +
        (anonymous ? 'to an anonymous client: give a user name and password or token' : 'with the credentials given'),
    );
    this.name = 'SourceUnauthorized';
  }
}

/**
 * The registry throttles and asks to wait longer than a retry may (Docker Hub's spent pull
 * allowance asks for hours): the run stops rather than sleep, and says when to come back.
 */
export class SourceRateLimited extends Error {
  constructor(
    readonly host: string,
    /** What the registry asked to wait, seconds. */
    readonly retryAfterSeconds: number,
    /** The allowance it announced with the refusal, as `0 of 100 per 21600 s`; absent when none. */
    allowance?: string,
  ) {
    super(
      `the registry ${host} refuses more pulls for now (HTTP 429) and asks to wait ${retryAfterSeconds} s` +
        `${allowance ? ` (allowance: ${allowance})` : ''}: run again later, or with credentials that have a larger allowance`,
    );
    this.name = 'SourceRateLimited';
  }
}
