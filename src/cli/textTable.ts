/**
 * Lines of a table for a terminal: every column padded to its widest cell, two spaces between
 * columns, counts aligned on the right. The widths are found with a loop, not `Math.max(...column)`: a spread passes one
 * argument per row, and past about 120,000 rows (a first sync of 7,000 repositories × 20 tags
 * printed a row per tag) V8 throws "Maximum call stack size exceeded".
 */
export function textTable(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string[] {
  return [...tableLines(() => rows, rightAligned)];
}

/**
 * The same lines, one at a time, from rows made twice — once for the widths, once for the
 * lines — so that a long table (the "Needs a person" list of a dry run with 50,000 re-tagged
 * tags) is never held whole, neither as rows nor as lines: it was the peak of such a run.
 */
export function* tableLines(rows: () => Iterable<readonly string[]>, rightAligned: ReadonlySet<number> = new Set()): Generator<string> {
  let widths: number[] | undefined;
  for (const row of rows()) {
    widths ??= row.map(() => 0);
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], row[i].length);
  }
  if (widths === undefined) return;
  const width = widths;
  for (const row of rows()) yield row.map((c, i) => (rightAligned.has(i) ? c.padStart(width[i]) : c.padEnd(width[i]))).join('  ').trimEnd();
}
