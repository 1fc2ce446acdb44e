/**
 * Which repository scopes go into one registry token request
 * (docs/decisions/005-batched-registry-scopes.md). Told which repositories will be listed and
 * in what order (`expect`), a request for one of them also asks for the next few that hold no
 * token yet, in one `scope` list, and the next batch is asked for before the listings reach it.
 * A run then pays about one token round trip per `scopesPerRequest` repositories instead of one
 * per repository, and no listing waits for it.
 *
 * This class only picks scopes and remembers which expected repositories were asked for; the
 * token provider (acrTokens.ts) makes the requests and holds the tokens, and tells it which
 * scopes are covered already (a valid token held, or a request in flight).
 */

/**
 * Scopes per token request: one listing in flight asks for the next 15 repositories too, so a
 * no-op run pays a token round trip every 16 repositories instead of every repository
 * (decision 005: 10,000 repositories, 20 ms, 8 at once: 58 s with one scope per request).
 */
export const MAX_SCOPES_PER_TOKEN_REQUEST = 16;
/**
 * Characters of `scope` per request. The access token lists every granted scope and travels in
 * the Authorization header of each request; this keeps that header a few KB (under the 8 KB
 * many front ends accept) even for repository names near ACR's 256-character limit.
 */
export const MAX_SCOPE_CHARS_PER_TOKEN_REQUEST = 2048;
/** A batch looks this many repositories ahead, at most, for ones still without a token. */
const LOOKAHEAD_FACTOR = 4;

export class ScopeBatcher {
  private readonly scopesPerRequest: number;
  /** False once this registry refused a request with several scopes. */
  private batching = true;
  /** The repositories expected to be listed, in order, and where each is in that order. */
  private expected: readonly string[] = [];
  private expectedAt = new Map<string, number>();
  /** Expected repositories from here on have not been asked for yet. */
  private frontier = 0;
  /**
   * 1 for each expected repository already asked for: behind the frontier, only the ones a late
   * challenge left out may ride along (a byte per repository, not a set of scope strings).
   */
  private asked = new Uint8Array(0);
  /** No expected repository before this one is still to be asked for. */
  private unaskedFrom = 0;

  /**
   * @param scopesPerRequest most scopes in one request (default MAX_SCOPES_PER_TOKEN_REQUEST; 1 = no batching)
   * @param covered whether a scope holds a valid token or has a request in flight: it then does not ride along
   */
  constructor(
    scopesPerRequest: number | undefined,
    private readonly covered: (scope: string) => boolean,
  ) {
    this.scopesPerRequest = Math.max(1, Math.floor(scopesPerRequest ?? MAX_SCOPES_PER_TOKEN_REQUEST));
  }

  /** False once the registry refused several scopes in one request. */
  get batches(): boolean {
    return this.batching;
  }

  /** One scope per request from now on: the registry refused several in one request. */
  stopBatching(): void {
    this.batching = false;
  }

  /**
   * The repositories whose scopes will be asked for next, in that order (replaces any earlier
   * list). A request for one of them then also asks for the following ones that have no token
   * and no request yet. Only a hint: other repositories, and any order, still work.
   */
  expect(names: readonly string[]): void {
    this.expected = names;
    this.expectedAt = new Map();
    names.forEach((name, index) => {
      if (!this.expectedAt.has(name)) this.expectedAt.set(name, index);
    });
    this.frontier = 0;
    this.asked = new Uint8Array(names.length);
    this.unaskedFrom = 0;
  }

  /**
   * The scopes that ride along in a request about to be made for `scope`: the same actions on
   * the expected repositories after it that are not covered yet (none when `scope` is not an
   * expected repository's). `scope` and the riders count as asked for from now on.
   */
  ridersFor(scope: string): string[] {
    const position = this.positionOf(scope);
    if (!position) return [];
    this.asked[position.index] = 1;
    return this.takeUpcoming(position.actions, position.index + 1, this.scopesPerRequest - 1, scope.length);
  }

  /**
   * The next batch to ask for now, once the listings (one is at `scope`) come within one batch
   * of the last expected repository asked for, so that the token round trip runs while they
   * list the ones before instead of holding up every listing that reaches them (all the
   * listings in flight would otherwise wait on the same request). Empty while they are further
   * away. Each scope is still asked for once.
   */
  upcomingNear(scope: string): string[] {
    const position = this.positionOf(scope);
    if (!position || this.frontier - position.index > this.scopesPerRequest) return [];
    return this.takeUpcoming(position.actions, this.frontier, this.scopesPerRequest, -1);
  }

  /** Where a repository scope is in the expected list, while scopes are asked for together. */
  private positionOf(scope: string): { index: number; actions: string } | undefined {
    if (!this.batching || this.scopesPerRequest < 2) return undefined;
    const parsed = /^repository:(.+):([^:]+)$/.exec(scope);
    const index = parsed ? this.expectedAt.get(parsed[1]) : undefined;
    return parsed && index !== undefined ? { index, actions: parsed[2] } : undefined;
  }

  /**
   * Up to `max` scopes (`actions` on the expected repositories from about `from` on) that hold
   * no token and have no request in flight, within the size limit of one request (`chars`
   * already used); moves the frontier past them. The search starts at the first repository not
   * yet asked for (at most a few batches before `from`), not at the frontier: the first
   * listings of a registry all meet a challenge at once and ask in any order, and a late one
   * then takes the other late ones along instead of each asking alone. A repository asked for
   * once is not taken along again (a renewal asks for its own scope only).
   */
  private takeUpcoming(actions: string, from: number, max: number, chars: number): string[] {
    const scopes: string[] = [];
    while (this.unaskedFrom < this.asked.length && this.asked[this.unaskedFrom] === 1) this.unaskedFrom++;
    let next = Math.max(this.unaskedFrom, from - LOOKAHEAD_FACTOR * this.scopesPerRequest);
    const end = Math.min(this.expected.length, next + LOOKAHEAD_FACTOR * this.scopesPerRequest);
    for (; next < end && scopes.length < max; next++) {
      const candidate = `repository:${this.expected[next]}:${actions}`;
      if (this.asked[next] === 1 || this.covered(candidate)) continue;
      if (chars + 1 + candidate.length > MAX_SCOPE_CHARS_PER_TOKEN_REQUEST) break;
      scopes.push(candidate);
      this.asked[next] = 1;
      chars += 1 + candidate.length;
    }
    this.frontier = Math.max(this.frontier, next);
    return scopes;
  }
}
