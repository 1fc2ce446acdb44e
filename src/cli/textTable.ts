/**
 * Lines of a table for a terminal: every column padded to its widest cell, two spaces between
 * columns, counts aligned on the right. The widths are found with a loop, not `Math.max(...column)`: a spread passes one
 * argument per row, and past about 120,000 rows (a first sync of 7,000 repositories × 20 tags
 * printed a row per tag) V8 throws "Maximum call stack size exceeded".
 */
export function textTable(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths = rows[0].map(() => 0);
  for (const row of rows) {
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], row[i].length);
  }
  return rows.map((r) => r.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd());
}
