import { RegExpParser, type AST } from '@eslint-community/regexpp';

/**
 * Whether an ignore pattern can be matched against every repository name of a registry in
 * reasonable time. JavaScript's regular expressions backtrack: `^(a+)+$` takes seconds on a
 * name of 25 characters and hours on one of 40, and the run hangs in the middle of selecting
 * repositories. Patterns are checked before anything is read (docs/decisions/008-input-rules.md):
 *
 * - nested: a part that may repeat (`*`, `+`, `{2,}`, …) holds a quantifier, an alternation or a
 *   backreference — `(a+)+`, `(a|aa)+`, `(\w|\d)*`. These are the shapes that take exponential
 *   time; safe-regex2's star-height check finds the first and lets the others through.
 * - tooComplex: the ways one name can be tried, the product of each quantifier's choices (at most
 *   256, a name's length bound) and each alternation's branches, times 256 start positions when
 *   the pattern is not anchored with `^`, exceed 256³. That bounds the polynomial blow-up of
 *   stacked quantifiers: `^.*a.*a.*b$` (256³) takes about 15 ms on a hostile 255-character name,
 *   `^.*a.*a.*a.*b$` (256⁴) a second, one more `.*a` minutes.
 *
 * Lookarounds are atomic in JavaScript (a match never backtracks into one), so their insides add
 * to the work instead of multiplying it: they are checked on their own and left out of the
 * enclosing counts. Backreferences themselves match one way and keep working
 * (`^myRepo/([^/]+)/\1$`). The check is conservative: some linear patterns are refused too,
 * such as `^(/[a-z]+)*$`; a glob usually says the same thing (`*`, `**`).
 */
export type PatternHazard = 'nested' | 'tooComplex';

/** The longest repository name ACR allows is 255 characters: a quantifier chooses among at most 256 counts (0 to 255). */
const CHOICES = 256;
const MAX_WAYS = CHOICES ** 3;

type Node = AST.Node;
type Branching = AST.Pattern | AST.Group | AST.CapturingGroup | AST.LookaroundAssertion;

function isLookaround(node: Node): node is AST.LookaroundAssertion {
  return node.type === 'Assertion' && (node.kind === 'lookahead' || node.kind === 'lookbehind');
}

function hasBranches(node: Node): node is Branching {
  return node.type === 'Pattern' || node.type === 'Group' || node.type === 'CapturingGroup' || isLookaround(node);
}

/** The direct children that matter here (character classes cannot backtrack). */
function childrenOf(node: Node): Node[] {
  if (hasBranches(node)) return node.alternatives;
  if (node.type === 'Alternative') return node.elements;
  if (node.type === 'Quantifier') return [node.element];
  return [];
}

/**
 * Every node under `root`, without entering lookarounds below it (they are atomic), with an
 * explicit stack: a pattern nested ten thousand groups deep must not overflow the call stack.
 */
function* within(root: Node): Generator<Node> {
  // push(...children) would pass one argument per child: past about 120,000 (an alternation
  // of that many branches) V8 throws "Maximum call stack size exceeded".
  const stack: Node[] = [];
  const pushChildren = (node: Node): void => {
    for (const child of childrenOf(node)) stack.push(child);
  };
  pushChildren(root);
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    if (!isLookaround(node)) pushChildren(node);
  }
}

function repeats(node: Node): node is AST.Quantifier {
  return node.type === 'Quantifier' && node.max > 1;
}

function varies(node: Node): boolean {
  return (node.type === 'Quantifier' && node.max > node.min) || node.type === 'Backreference' || (hasBranches(node) && !isLookaround(node) && node.alternatives.length > 1);
}

/** The ways the part under `root` (a lookaround's inside, or the whole pattern) can be tried. */
function ways(root: Branching): number {
  let product = root.alternatives.length;
  for (const node of within(root)) {
    if (node.type === 'Quantifier') product *= Math.max(1, Math.min(node.max, CHOICES - 1) - node.min + 1);
    else if (hasBranches(node) && !isLookaround(node)) product *= node.alternatives.length;
  }
  return product;
}

/** `^…` on every top-level branch: tried at the name's first position only. */
function anchored(pattern: AST.Pattern): boolean {
  return pattern.alternatives.every((alternative) => {
    const first = alternative.elements[0];
    return first !== undefined && first.type === 'Assertion' && first.kind === 'start';
  });
}

/** What is wrong with a JavaScript regular expression that already compiles, if anything. */
export function regexHazard(source: string, flags: string): PatternHazard | undefined {
  const pattern = new RegExpParser().parsePattern(source, 0, source.length, { unicode: flags.includes('u'), unicodeSets: flags.includes('v') });
  // Each lookaround is a part of its own: visited once, its inside after the rest.
  const parts: Branching[] = [pattern];
  const lookarounds: AST.LookaroundAssertion[] = [];
  for (let i = 0; i < parts.length; i++) {
    for (const node of within(parts[i])) {
      if (repeats(node) && [...within(node)].some(varies)) return 'nested';
      if (isLookaround(node)) {
        parts.push(node);
        lookarounds.push(node);
      }
    }
  }
  const starts = anchored(pattern) ? 1 : CHOICES;
  if (starts * ways(pattern) > MAX_WAYS || lookarounds.some((l) => ways(l) > MAX_WAYS)) return 'tooComplex';
  return undefined;
}

/** Wildcards that may stand for any run of characters inside one path segment of a glob. */
const MAX_STARS_PER_SEGMENT = 3;

/**
 * A glob's `*` stays inside one path segment, so segments cannot trade characters and the work
 * grows with the stars of one segment only: three (`*a*b*`) take milliseconds on a hostile name,
 * five minutes. `**` is matched segment by segment and costs nothing here. Extended globs
 * (`+(a|aa)`) become regular expressions with repeated groups: `compiled`, minimatch's regex for
 * the glob, is checked for those.
 */
export function globHazard(glob: string, compiled: RegExp | false): PatternHazard | undefined {
  if (compiled !== false && regexNested(compiled)) return 'nested';
  const segments = glob.replace(/\\./g, '').replace(/\[[^\]]*\]/g, '?').split('/');
  return segments.some((segment) => segment !== '**' && (segment.match(/\*/g)?.length ?? 0) > MAX_STARS_PER_SEGMENT) ? 'tooComplex' : undefined;
}

function regexNested(regex: RegExp): boolean {
  return regexHazard(regex.source, regex.flags.replace(/[^uv]/g, '')) === 'nested';
}
