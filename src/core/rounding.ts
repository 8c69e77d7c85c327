/**
 * Write Parameters rounded: the parameters to N significant digits, and what that costs. Rounding
 * is a change of the network, not of its text, so before it is written the person is told by how
 * much the loss moves on the file's own data (the editor's pick and the CLI's --round say the same).
 */
import { lossSymbol } from './math';
import type { Network } from './network';
import { formatNumber } from './numbers';
import { scratchTrainer } from './train';

/** Past 17 significant digits every double reads back as itself: rounding to more changes nothing. */
export const MAX_DIGITS = 17;

export function checkDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 1 || digits > MAX_DIGITS) {
    throw new RangeError(`the number of significant digits must be a whole number from 1 to ${MAX_DIGITS}, got ${digits}`);
  }
}

/**
 * `values` each rounded to `digits` significant digits: the double nearest the rounded decimal, so
 * the shortest text that reads back as it (String) is that decimal, never longer.
 */
export function roundParameters(values: ArrayLike<number>, digits: number): Float64Array {
  checkDigits(digits);
  return Float64Array.from(values, (v) => roundParameter(v, digits));
}

function roundParameter(v: number, digits: number): number {
  // NaN and infinities stay as they are, for the writer to refuse by name.
  if (!Number.isFinite(v)) return v;
  // toPrecision rounds the double's exact decimal value, halves away from zero.
  const rounded = Number(v.toPrecision(digits));
  if (Number.isFinite(rounded)) return rounded;
  // Rounded up past the largest double (1.8e308 to one digit is 2e308): cut the digits off instead.
  const [mantissa, exponent] = v.toExponential(MAX_DIGITS - 1).split('e');
  const sign = v < 0 ? 1 : 0;
  return Number(`${mantissa.slice(0, sign + (digits > 1 ? digits + 1 : 1))}e${exponent}`);
}

/** What rounding to `digits` does to a network's parameters and to its loss. */
export interface RoundingEffect {
  digits: number;
  /** The loss on the network's data at the parameters as they are, and rounded. */
  exactLoss: number;
  roundedLoss: number;
  /** How many parameters rounding changes, of how many. */
  changed: number;
  total: number;
  /** The parameter it moves furthest, and how far (an absolute change); null when none moves. */
  largest: { name: string; change: number } | null;
}

export function roundingEffect(network: Network, values: ArrayLike<number>, digits: number): RoundingEffect {
  return roundingEffects(network, values, [digits])[0];
}

/** What rounding to each of `choices` does: the loss at the parameters as they are worked out once. */
export function roundingEffects(network: Network, values: ArrayLike<number>, choices: readonly number[]): RoundingEffect[] {
  for (const digits of choices) checkDigits(digits);
  // The scratch trainer's forward pass: the run's own trainer and its cached values stay untouched.
  const exactLoss = scratchTrainer(network, values).lossOnly();
  return choices.map((digits) => {
    const rounded = roundParameters(values, digits);
    let changed = 0;
    let largest: RoundingEffect['largest'] = null;
    for (const p of network.parameters) {
      const change = Math.abs(rounded[p.index] - values[p.index]);
      if (change === 0) continue;
      changed++;
      if (largest === null || change > largest.change) largest = { name: p.name, change };
    }
    const roundedLoss = scratchTrainer(network, rounded).lossOnly();
    return { digits, exactLoss, roundedLoss, changed, total: network.parameterCount, largest };
  });
}

/**
 * "SSR 0.0123 -> 0.0125 (+1.6%)": the loss, in the network's own convention, before and after; a
 * loss that at least doubles says by what factor ("(×16)") rather than "+1.5e+3%".
 */
export function describeLossChange(effect: RoundingEffect, network: Network, arrow = '->'): string {
  const { exactLoss: before, roundedLoss: after } = effect;
  const loss = `${lossSymbol(network.loss)} ${formatNumber(before)} ${arrow} ${formatNumber(after)}`;
  if (after === before) return `${loss} (unchanged)`;
  if (before === 0 || !Number.isFinite(before) || !Number.isFinite(after)) return loss;
  const percent = ((after - before) / Math.abs(before)) * 100;
  if (percent >= 100) return `${loss} (×${formatNumber(after / before, { digits: 2 })})`;
  return `${loss} (${percent > 0 ? '+' : ''}${formatNumber(percent, { digits: 2 })}%)`;
}

/** "6 of 7 numbers change, w3 the most (by 0.00049)", or that none does. */
export function describeParameterChange(effect: RoundingEffect): string {
  if (effect.largest === null) return `none of the ${effect.total} numbers changes`;
  return `${effect.changed} of ${effect.total} numbers change, ${effect.largest.name} the most (by ${formatNumber(effect.largest.change, { digits: 2 })})`;
}
