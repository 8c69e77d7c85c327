/**
 * What a unit or a layer looks like right now, for the built-in conditions (which run in the
 * training loop, so nothing here allocates per unit) and for the debugger's Layers view.
 */
import type { Network } from '../core';

/** A ReLU unit that outputs 0 for every sample: its gradient is 0, it cannot learn. */
export function isDead(network: Network, y: readonly Float64Array[], layer: number, unit: number): boolean {
  const l = network.layers[layer];
  if (l.activation !== 'relu') return false;
  const v = y[layer];
  for (let i = 0; i < network.data.samples; i++) if (v[i * l.units + unit] > 0) return false;
  return true;
}

/** A sigmoid or tanh unit whose slope is below `slope` for more than `share` of the samples. */
export function isSaturated(network: Network, y: readonly Float64Array[], layer: number, unit: number, slope: number, share: number): boolean {
  const l = network.layers[layer];
  const sigmoid = l.activation === 'sigmoid';
  if (!sigmoid && l.activation !== 'tanh') return false;
  const v = y[layer];
  const samples = network.data.samples;
  let flat = 0;
  for (let i = 0; i < samples; i++) {
    const a = v[i * l.units + unit];
    if ((sigmoid ? a * (1 - a) : 1 - a * a) < slope) flat++;
  }
  return flat > share * samples;
}

/** One layer's health, as the debugger's Layers scope shows it. */
export interface LayerStats {
  layer: number;
  activation: string;
  /** ‖dW‖ over the layer's weights and biases. */
  gradientNorm: number;
  meanAbsGradient: number;
  /** Shares of the layer's units: dead (ReLU) and saturated (sigmoid, tanh; slope below 1e-7 for most samples). */
  dead: number;
  saturated: number;
}

export function layerStats(network: Network, gradients: Float64Array, y: readonly Float64Array[], slope = 1e-7, share = 0.5): LayerStats[] {
  return network.layers.map((l, index) => {
    let sq = 0;
    let abs = 0;
    const ranges = [[l.weightOffset, l.units * l.inputs], [l.biasOffset, l.units]];
    for (const [start, count] of ranges) {
      for (let i = start; i < start + count; i++) { sq += gradients[i] * gradients[i]; abs += Math.abs(gradients[i]); }
    }
    let dead = 0;
    let saturated = 0;
    for (let j = 0; j < l.units; j++) {
      if (isDead(network, y, index, j)) dead++;
      if (isSaturated(network, y, index, j, slope, share)) saturated++;
    }
    return { layer: index + 1, activation: l.activation, gradientNorm: Math.sqrt(sq), meanAbsGradient: abs / (l.units * (l.inputs + 1)), dead: dead / l.units, saturated: saturated / l.units };
  });
}

// ---- the instruments the charts plot and conditions name (allocation-free: conditions run in the loop) ----

/** A unit counts as saturated with the built-in condition's defaults: slope below 1e-7 for more than half the samples. */
export const SATURATION = { slope: 1e-7, share: 0.5 } as const;

/** Σ array[i]² over the trainable parameters i in [from, from + count). */
export function trainableSquares(network: Network, array: Float64Array, from = 0, count = network.parameterCount): number {
  const { trainable } = network.training;
  let sum = 0;
  for (let i = from; i < from + count; i++) if (trainable[i] === 1) sum += array[i] * array[i];
  return sum;
}

/** ‖params - start‖ over every parameter: how far the run has moved from `start`. */
export function distanceFrom(params: Float64Array, start: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < params.length; i++) sum += (params[i] - start[i]) ** 2;
  return Math.sqrt(sum);
}

/** The share of a layer's units (from 0) that are dead (ReLU) or saturated (sigmoid, tanh). */
export function layerShare(network: Network, y: readonly Float64Array[], layer: number, kind: 'dead' | 'saturated'): number {
  const { units } = network.layers[layer];
  let count = 0;
  for (let j = 0; j < units; j++) if (kind === 'dead' ? isDead(network, y, layer, j) : isSaturated(network, y, layer, j, SATURATION.slope, SATURATION.share)) count++;
  return count / units;
}

/** The share of hidden units (every layer but the output) that are dead or saturated; 0 without hidden layers. */
export function hiddenShare(network: Network, y: readonly Float64Array[], kind: 'dead' | 'saturated'): number {
  const hidden = network.layers.length - 1;
  let units = 0;
  let count = 0;
  for (let l = 0; l < hidden; l++) {
    const n = network.layers[l].units;
    units += n;
    count += layerShare(network, y, l, kind) * n;
  }
  return units > 0 ? count / units : 0;
}

/** a / b for the update-to-weight ratio: Infinity when parameters of size 0 move, 0 when nothing moves. */
export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : a > 0 ? Infinity : 0;
}
