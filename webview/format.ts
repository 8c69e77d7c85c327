import { formatNumber } from '../src/core/numbers';

/** Numbers as the editor shows them: 4 significant digits, zeros kept, so columns do not jump while running. */
export function fmt(v: number, digits = 4): string {
  return formatNumber(v, { digits, keepZeros: true, typeset: true });
}

/** With an explicit sign, so colour is never the only carrier of it. */
export function signed(v: number, digits = 4): string {
  return v > 0 ? `+${fmt(v, digits)}` : fmt(v, digits);
}

/** 4 significant digits, trailing zeros dropped (0 and 1, 0.2501): the ends of a scale. */
export function short(v: number): string {
  return formatNumber(v, { digits: 4, typeset: true });
}

/** Data as written: no trailing zeros (0.5, not 0.5000), since data never changes while running. */
export function compact(v: number): string {
  return formatNumber(v, { typeset: true });
}

/**
 * A number for KaTeX, 4 significant digits: 1.861 \times 10^{-5} rather than 1.861e-5, which
 * KaTeX would set as "1.861e − 5".
 */
export function texNum(v: number, digits = 4): string {
  if (typeof v !== 'number' || Number.isNaN(v)) return '\\text{NaN}';
  if (!Number.isFinite(v)) return v > 0 ? '\\infty' : '-\\infty';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e6) {
    const [mantissa, exponent] = v.toExponential(digits - 1).split('e');
    return `${mantissa} \\times 10^{${Number(exponent)}}`;
  }
  return v.toPrecision(digits);
}
