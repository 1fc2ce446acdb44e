/**
 * The JSON report as pieces of text, a repository at a time: joined, the same text as
 * `JSON.stringify(report, null, 2)` and a newline. The front ends write the pieces as they come
 * (lifecycle/writeInPieces.ts), so the whole text is never held: a run of 10,000 repositories
 * with work has a report of tens of megabytes as one string, on top of the report itself
 * (decision 016).
 */
import type { RunReport } from '../engine/report';

/** `JSON.stringify(value, null, 2)` for a value nested `depth` levels down in a 2-space document. */
function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

export function* reportJsonPieces(report: RunReport): Generator<string> {
  let first = true;
  yield '{';
  for (const [key, value] of Object.entries(report) as [string, unknown][]) {
    // As JSON.stringify: a property whose value is undefined is left out.
    if (value === undefined) continue;
    yield `${first ? '' : ','}\n  ${JSON.stringify(key)}: `;
    first = false;
    if (key !== 'repositories' || !Array.isArray(value) || value.length === 0) {
      yield nested(value, 1);
      continue;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) yield `${i === 0 ? '' : ','}\n    ${nested(value[i], 2)}`;
    yield '\n  ]';
  }
  yield first ? '}\n' : '\n}\n';
}
