/** Plain-text tables for the CLI: numbers right-aligned so columns of digits line up. */

/** Six significant digits, no trailing zeros, exponent only for the very small or large. */
export function formatNumber(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e9) return v.toExponential(4).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  // A loop rather than Math.max(...rows): a large network has more rows than a call has arguments.
  const widths = headers.map((h, c) => rows.reduce((w, r) => Math.max(w, (r[c] ?? '').length), h.length));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
