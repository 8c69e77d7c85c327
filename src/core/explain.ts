/**
 * The chain-rule explainer: for one parameter at the trainer's current state, each sample's term
 * of the derivative as the factors StatQuest multiplies, in StatQuest's order and notation:
 *
 *   dSSR/dw1 = sum_i dSSR/dPredicted x dPredicted/dy_{1,i} x dy_{1,i}/dx_{1,i} x dx_{1,i}/dw1
 *
 * Along a single path to the loss the chain is written out factor by factor. Where a unit feeds
 * several units of the next layer (or several outputs), the factor that reaches back to the loss
 * is a sum over those paths, and carries each path with its own factors and value: 3Blue1Brown's
 * dC/da^(L-1)_k = sum_j w_jk sigma'(z_j) dC/da_j.
 *
 * A path's own factors may hold further sums (a deeper unit that also branches); those carry their
 * paths too, up to PATH_BUDGET paths per term, since the number of paths grows as the product of
 * the layer widths. Past the budget a sum carries only its value (from the backward pass).
 *
 * Every term's value is the product of its factors, and the terms sum to the derivative the
 * backward pass computes (tests hold both to 1e-9).
 */
import { activationSlope, lossSymbol, softmax } from './math';
import type { Network, ParameterInfo } from './network';
import type { Trainer } from './train';

export type FactorKind = 'loss' | 'activation' | 'weight' | 'input' | 'one' | 'sum';

/**
 * A quantity a factor differentiates, so each notation can name it its own way: StatQuest's
 * SSR, Predicted, x_{j,i}, y_{j,i}, w3, dosage_i or 3Blue1Brown's C_0, z^(L)_j, a^(L)_j, w^(L)_jk, a^(0)_k.
 * Layers count from 1 (the first layer after the inputs), units and inputs from 0.
 */
export type Quantity =
  | { q: 'loss' }
  | { q: 'x'; layer: number; unit: number }
  | { q: 'y'; layer: number; unit: number }
  | { q: 'param'; name: string; index: number }
  | { q: 'input'; index: number };

export interface Factor {
  /** StatQuest's name for the factor, e.g. "dPredicted/dy_{1,i}". */
  label: string;
  value: number;
  /** What the factor equals, in symbols: "-2(observed_i - predicted_i)", "w3", "softplus'(x_{1,i})". */
  expression: string;
  kind: FactorKind;
  /** The factor is d(of)/d(wrt). */
  of: Quantity;
  wrt: Quantity;
  /** For kind 'sum': one path per unit of the next layer; their values add up to `value`. */
  paths?: Path[];
}

export interface Path {
  /** The unit of the next layer this path goes through, e.g. "via Predicted" or "via x^(2)_{1,i}". */
  label: string;
  layer: number;
  unit: number;
  value: number;
  factors: Factor[];
}

export interface Term {
  /** The sample, counted from 1 as StatQuest counts i. */
  sample: number;
  value: number;
  factors: Factor[];
  inputs: number[];
  observed: number[];
  /** The output layer's values; with cross-entropy these are before the softmax. */
  predicted: number[];
  /** With cross-entropy, the softmax of `predicted`: the probabilities the loss compares with `observed`. */
  probabilities?: number[];
}

export interface Explanation {
  parameter: string;
  value: number;
  derivative: number;
  /** "dSSR/dw1" */
  derivativeLabel: string;
  /** "dSSR/dw1 = Σ_i dSSR/dPredicted × ...": the factors by name. */
  formula: string;
  /** "= Σ_i -2(observed_i - predicted_i) × w3 × ...": the factors by what they equal. */
  expandedFormula: string;
  terms: Term[];
  /** With regularization, the penalty's derivative (0 for a bias): the terms plus this are the derivative. */
  regularization?: number;
  /** With batches, the samples (from 1) of the batch the terms sum over; absent in full batch (every sample). */
  batch?: number[];
}

/** How many nested paths one term may carry beyond the first sum's own. */
export const PATH_BUDGET = 64;

export function explain(trainer: Trainer, parameter: ParameterInfo): Explanation {
  trainer.evaluate();
  return new Explainer(trainer).explain(parameter);
}

class Explainer {
  private readonly net: Network;
  private readonly last: number;
  private readonly loss: string;

  constructor(private readonly t: Trainer) {
    this.net = t.network;
    this.last = this.net.layers.length - 1;
    this.loss = lossSymbol(this.net.loss);
  }

  explain(p: ParameterInfo): Explanation {
    const l = p.layer - 1;
    const terms: Term[] = [];
    // The samples of the batch the next step trains on (every sample in full batch): row i of the
    // passes' buffers is training sample batch[i].
    const samples = this.t.batchCount;
    const batch = this.t.batch;
    const nIn = this.net.inputNames.length;
    const nOut = this.net.outputNames.length;
    for (let i = 0; i < samples; i++) {
      const s = batch[i];
      const budget = { left: PATH_BUDGET };
      const factors = [...this.upstream(l, p.unit, i, 0, budget), ...this.activation(l, p.unit, i), this.local(p, i)];
      const predicted = Array.from(this.t.predicted.subarray(i * nOut, (i + 1) * nOut));
      terms.push({
        sample: s + 1,
        value: product(factors),
        factors,
        inputs: Array.from(this.net.data.inputs.subarray(s * nIn, (s + 1) * nIn)),
        observed: Array.from(this.net.data.targets.subarray(s * nOut, (s + 1) * nOut)),
        predicted,
        ...(this.net.loss === 'cross-entropy' ? { probabilities: softmax(predicted) } : {}),
      });
    }
    const derivativeLabel = `d${this.loss}/d${p.name}`;
    const first = terms[0].factors;
    // The penalty's derivative, one more term beside the samples' (weights only).
    const { l1, l2 } = this.net.training.regularization;
    const w = this.t.params[p.index];
    const regularization = p.kind === 'weight' && (l1 !== 0 || l2 !== 0) ? l1 * Math.sign(w) + 2 * l2 * w : 0;
    const penalty = p.kind !== 'weight' ? '' : [l1 !== 0 ? `${l1} × sign(${p.name})` : '', l2 !== 0 ? `2 × ${l2} × ${p.name}` : ''].filter(Boolean).join(' + ');
    return {
      parameter: p.name,
      value: w,
      derivative: this.t.gradients[p.index],
      derivativeLabel,
      formula: `${derivativeLabel} = Σ_i ${first.map((f) => f.label).join(' × ')}${penalty ? ` + ${penalty}` : ''}`,
      expandedFormula: `= Σ_i ${first.map((f) => f.expression).join(" × ")}${penalty ? ` + ${penalty}` : ''}`,
      terms,
      ...(l1 !== 0 || l2 !== 0 ? { regularization } : {}),
      ...(this.t.batches.full ? {} : { batch: Array.from(batch.subarray(0, samples), (b) => b + 1) }),
    };
  }

  /**
   * Factors whose product is dLoss/dy for unit j of layer l, sample i. `depth` counts the sums
   * already opened on the way here: the first always shows its paths, deeper ones while the
   * budget lasts.
   */
  private upstream(l: number, j: number, i: number, depth: number, budget: { left: number }): Factor[] {
    if (l === this.last) return [this.lossFactor(j, i)];
    const next = this.net.layers[l + 1];
    if (next.units === 1) return this.through(l, j, 0, i, depth, budget);
    const units = this.net.layers[l].units;
    const sum: Factor = {
      label: `d${this.loss}/d${this.name(l, j, 'y')}`,
      value: this.t.dy[l][i * units + j],
      expression: `Σ over the ${next.units} ${l + 1 === this.last ? 'outputs' : 'units it feeds'}`,
      kind: 'sum', of: LOSS, wrt: { q: 'y', layer: l + 1, unit: j },
    };
    const withPaths = depth === 0 || budget.left >= next.units;
    if (withPaths) {
      if (depth > 0) budget.left -= next.units;
      sum.paths = [];
      for (let m = 0; m < next.units; m++) {
        const factors = this.through(l, j, m, i, depth + 1, budget);
        sum.paths.push({ label: `via ${this.name(l + 1, m, 'x')}`, layer: l + 2, unit: m, value: product(factors), factors });
      }
      sum.value = sum.paths.reduce((acc, path) => acc + path.value, 0);
    }
    return [sum];
  }

  /** The path from unit j of layer l through unit m of layer l + 1 back to the loss. */
  private through(l: number, j: number, m: number, i: number, depth: number, budget: { left: number }): Factor[] {
    const next = this.net.layers[l + 1];
    const w = next.weightOffset + m * next.inputs + j;
    return [
      ...this.upstream(l + 1, m, i, depth, budget),
      ...this.activation(l + 1, m, i),
      {
        label: `d${this.name(l + 1, m, 'x')}/d${this.name(l, j, 'y')}`,
        value: this.t.params[w], expression: `w${w + 1}`, kind: 'weight',
        of: this.x(l + 1, m), wrt: { q: 'y', layer: l + 1, unit: j },
      },
    ];
  }

  /** dy/dx for unit j of layer l; none for an identity output, where StatQuest's Predicted is x itself. */
  private activation(l: number, j: number, i: number): Factor[] {
    const layer = this.net.layers[l];
    if (l === this.last && layer.activation === 'identity') return [];
    const at = i * layer.units + j;
    const x = this.name(l, j, 'x');
    return [{
      label: `d${this.name(l, j, 'y')}/d${x}`,
      value: activationSlope(layer.activation, this.t.x[l][at], this.t.y[l][at], layer.activationParam),
      expression: `${layer.activation}'(${x})`, kind: 'activation',
      of: { q: 'y', layer: l + 1, unit: j }, wrt: { q: 'x', layer: l + 1, unit: j },
    }];
  }

  /** dx/dparameter: the input the weight multiplies (StatQuest's dosage_i, or y_{k,i}), or 1 for a bias. */
  private local(p: ParameterInfo, i: number): Factor {
    const l = p.layer - 1;
    const label = `d${this.name(l, p.unit, 'x')}/d${p.name}`;
    const of = this.x(l, p.unit);
    const wrt: Quantity = { q: 'param', name: p.name, index: p.index };
    if (p.kind === 'bias') return { label, value: 1, expression: '1', kind: 'one', of, wrt };
    if (l === 0) {
      const nIn = this.net.inputNames.length;
      return { label, value: this.net.data.inputs[this.t.batch[i] * nIn + p.input], expression: `${this.net.inputNames[p.input]}_i`, kind: 'input', of, wrt };
    }
    const prev = this.net.layers[l - 1];
    return { label, value: this.t.y[l - 1][i * prev.units + p.input], expression: this.name(l - 1, p.input, 'y'), kind: 'input', of, wrt };
  }

  private lossFactor(k: number, i: number): Factor {
    const nOut = this.net.outputNames.length;
    const at = i * nOut + k;
    const predicted = this.name(this.last, k, 'y');
    const sub = nOut === 1 ? '_i' : `_{${this.net.outputNames[k]},i}`;
    const expression = this.net.loss === 'cross-entropy'
      ? `softmax${sub} - observed${sub}`
      : `-2(observed${sub} - predicted${sub})${this.net.loss === 'mse' ? ` / ${this.t.batchCount}` : ''}`;
    return { label: `d${this.loss}/d${predicted}`, value: this.t.dy[this.last][at], expression, kind: 'loss', of: LOSS, wrt: { q: 'y', layer: this.last + 1, unit: k } };
  }

  /** The input to unit j's activation; for an identity output that is Predicted itself (y). */
  private x(l: number, j: number): Quantity {
    const folded = l === this.last && this.net.layers[l].activation === 'identity';
    return { q: folded ? 'y' : 'x', layer: l + 1, unit: j };
  }

  /**
   * StatQuest's names: the output is "Predicted" (one per output name when there are several);
   * hidden units are x_{j,i} and y_{j,i} with j from 1, and x^(l)_{j,i} once there is more than
   * one hidden layer to tell apart. An identity output's x is Predicted itself.
   */
  private name(l: number, j: number, which: 'x' | 'y'): string {
    const nOut = this.net.outputNames.length;
    if (l === this.last) {
      const suffix = nOut === 1 ? '' : `_{${this.net.outputNames[j]}}`;
      if (which === 'y' || this.net.layers[l].activation === 'identity') return `Predicted${suffix}`;
      return nOut === 1 ? 'x_{out,i}' : `x_{${this.net.outputNames[j]},i}`;
    }
    const layerTag = this.last > 1 ? `^(${l + 1})` : '';
    return `${which}${layerTag}_{${j + 1},i}`;
  }
}

const LOSS: Quantity = { q: 'loss' };

function product(factors: readonly Factor[]): number {
  let v = 1;
  for (const f of factors) v *= f.value;
  return v;
}
