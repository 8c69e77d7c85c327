/**
 * How a number is written in text, everywhere: the debugger's views and inline values, the
 * breakpoints' messages, the CLI and the page. One rule for when an exponent is used, so the same
 * number reads the same in every place it appears. Pure, with no other import: the webview bundles
 * it as it is.
 */
export interface NumberFormat {
  /** Significant digits (6 unless said). */
  digits?: number;
  /** Keep trailing zeros, so a column of changing numbers keeps its width (the page while training). */
  keepZeros?: boolean;
  /** Typeset for reading: a true minus sign (U+2212) and ∞; plain ASCII otherwise, for copying. */
  typeset?: boolean;
}

/** Below this or at this and above (in magnitude), a number is written with an exponent. */
const SMALL = 1e-4;
const LARGE = 1e6;

export function formatNumber(v: number, { digits = 6, keepZeros = false, typeset = false }: NumberFormat = {}): string {
  // Numbers that travelled as JSON arrive as null where they were NaN or infinite.
  if (typeof v !== 'number') return 'not finite';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return typeset ? (v > 0 ? '∞' : '−∞') : String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  let s = a < SMALL || a >= LARGE ? v.toExponential(digits - 1) : v.toPrecision(digits);
  // 1.500e+6 -> 1.5e+6, 2.000 -> 2
  if (!keepZeros && s.includes('.')) s = s.replace(/0+(?=e|$)/, '').replace(/\.(?=e|$)/, '');
  return typeset ? s.replace(/-/g, '−') : s;
}

/** A whole number with thousands marked, "200,000", the same on every machine. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 step", "3 steps": a count with its noun. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : nouns}`;
}
