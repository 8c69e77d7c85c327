/** Plain-text tables for the CLI: numbers right-aligned so columns of digits line up. */

import { formatNumber } from '../core/numbers';

/** A number in the CLI's tables and sentences: six significant digits, ASCII, for copying. */
export const n = (v: number): string => formatNumber(v);

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  // A loop rather than Math.max(...rows): a large network has more rows than a call has arguments.
  const widths = headers.map((h, c) => rows.reduce((w, r) => Math.max(w, (r[c] ?? '').length), h.length));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
