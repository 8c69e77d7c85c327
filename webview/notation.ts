/**
 * The same chain rule in two notations, as LaTeX for KaTeX:
 * - StatQuest: SSR, Predicted_i, x_{j,i} into an activation and y_{j,i} out of it, w3, dosage_i;
 *   derivatives with d, summed over the samples i; units counted from 1.
 * - 3Blue1Brown: C, z^(l)_j = sum_k w^(l)_jk a^(l-1)_k + b^(l)_j, a^(l)_j = f(z^(l)_j), the inputs
 *   a^(0)_k, partial derivatives; neurons counted from 0 as in the video.
 * Pure string building (no DOM), so it is unit-tested in Node.
 */
import type { Factor, Quantity } from '../src/core/explain';
import type { ExplanationView, NetworkModel, ParamView } from '../src/protocol';

export type Notation = 'statquest' | '3b1b';

/** User text (column names, output names) as LaTeX text: every special character escaped. */
export const text = (s: string): string => `\\text{${s.replace(/[\\{}_^#$%&~]/g, (c) => TEXT_ESCAPES[c])}}`;
const TEXT_ESCAPES: Record<string, string> = {
  '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', _: '\\_', '^': '\\textasciicircum{}', '#': '\\#', $: '\\$', '%': '\\%', '&': '\\&', '~': '\\textasciitilde{}',
};

/**
 * A hidden unit's symbol as the cards write its output, for the graph's captions, so the graph
 * and the cards name a unit alike: StatQuest's y_j (units from 1, the layer as a superscript once
 * there are several hidden layers), 3Blue1Brown's a^(l)_j (neurons from 0).
 */
export function unitSymbol(notation: Notation, hiddenLayers: number, layer: number, unit: number): { base: string; sup: string; sub: string } {
  if (notation === 'statquest') return { base: 'y', sup: hiddenLayers > 1 ? `(${layer})` : '', sub: String(unit + 1) };
  return { base: 'a', sup: `(${layer})`, sub: String(unit) };
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';
const script = (digits: string, n: number): string => String(n).replace(/\d/g, (d) => digits[Number(d)]);

/**
 * A parameter's name as plain text (for the graph's labels, chart titles and lists, where KaTeX
 * is not drawn): StatQuest's w3, or 3Blue1Brown's w⁽²⁾₀₀ with Unicode scripts, the layer above and
 * the neurons below (a comma between them once a layer is wider than 9, as the cards write it).
 */
export function paramName(notation: Notation, p: { name: string; kind: string; layer: number; unit: number; input: number }, wide = false): string {
  if (notation === 'statquest') return p.name;
  const layer = `⁽${script(SUPERSCRIPT, p.layer)}⁾`;
  if (p.kind !== 'weight') return `b${layer}${script(SUBSCRIPT, p.unit)}`;
  return `w${layer}${script(SUBSCRIPT, p.unit)}${wide ? ',' : ''}${script(SUBSCRIPT, p.input)}`;
}

/** Whether a network's layers are wide enough that w_jk needs a comma between j and k. */
export const isWide = (model: Pick<NetworkModel, 'layers' | 'inputs'>): boolean => Math.max(...model.layers.map((l) => l.units), model.inputs.length) > 9;

/** The name in the notation, with the plain name beside it when they differ ("w⁽²⁾₀₀ (w3)"): what expressions and the CLI use. */
export function paramNameBoth(notation: Notation, p: Parameters<typeof paramName>[1], wide = false): string {
  const shown = paramName(notation, p, wide);
  return shown === p.name ? shown : `${shown} (${p.name})`;
}

export class TexNames {
  private readonly last: number;
  private readonly byName = new Map<string, ParamView>();

  constructor(private readonly model: NetworkModel, readonly notation: Notation) {
    this.last = model.layers.length;
    for (const p of model.params) this.byName.set(p.name, p);
  }

  private get sq(): boolean {
    return this.notation === 'statquest';
  }

  /** d or ∂ */
  private get d(): string {
    return this.sq ? 'd' : '\\partial ';
  }

  loss(): string {
    return this.sq ? text(this.model.lossSymbol) : 'C';
  }

  /** A unit's input (x / z) or output (y, Predicted / a); layer from 1, unit from 0. */
  unit(which: 'x' | 'y', layer: number, unit: number): string {
    const outputs = this.model.outputs.length;
    if (this.sq) {
      if (layer === this.last) {
        const sub = outputs === 1 ? 'i' : `${text(this.model.outputs[unit])},i`;
        if (which === 'y') return `${text('Predicted')}_{${sub}}`;
        return `x_{${outputs === 1 ? text('out') : text(this.model.outputs[unit])},i}`;
      }
      const tag = this.last > 2 ? `^{(${layer})}` : '';
      return `${which}${tag}_{${unit + 1},i}`;
    }
    return `${which === 'x' ? 'z' : 'a'}^{(${layer})}_{${unit}}`;
  }

  input(k: number): string {
    return this.sq ? `${text(this.model.inputs[k])}_i` : `a^{(0)}_{${k}}`;
  }

  param(name: string): string {
    const p = this.byName.get(name);
    if (!p) return text(name);
    if (this.sq) return `${name[0]}_{${name.slice(1)}}`;
    // 3Blue1Brown writes w_jk; a comma keeps w_{1,10} from reading as w_{11,0} in wide layers.
    const sep = isWide(this.model) ? ',' : '';
    return p.kind === 'weight' ? `w^{(${p.layer})}_{${p.unit}${sep}${p.input}}` : `b^{(${p.layer})}_{${p.unit}}`;
  }

  observed(k: number): string {
    const outputs = this.model.outputs.length;
    if (this.sq) return outputs === 1 ? `${text('Observed')}_i` : `${text('Observed')}_{${text(this.model.outputs[k])},i}`;
    return `y_{${k}}`;
  }

  quantity(q: Quantity): string {
    switch (q.q) {
      case 'loss': return this.loss();
      case 'x': return this.unit('x', q.layer, q.unit);
      case 'y': return this.unit('y', q.layer, q.unit);
      case 'param': return this.param(q.name);
      case 'input': return this.input(q.index);
    }
  }

  derivative(of: Quantity | string, wrt: Quantity | string): string {
    const name = (q: Quantity | string): string => (typeof q === 'string' ? q : this.quantity(q));
    return `\\frac{${this.d}${name(of)}}{${this.d}${name(wrt)}}`;
  }

  factor(f: Factor): string {
    return this.derivative(f.of, f.wrt);
  }

  /**
   * The same derivative written on one line (d SSR / d Predicted_i): for table headers and path
   * lines, where a stacked fraction would shrink its parts to an unreadable size.
   */
  inlineFactor(f: Factor): string {
    return this.inlineDerivative(this.quantity(f.of), this.quantity(f.wrt));
  }

  /** d(of)/d(wrt) on one line, for LaTeX names already built. */
  inlineDerivative(of: string, wrt: string): string {
    return `${this.d}${of}/${this.d}${wrt}`;
  }

  /** With cross-entropy: the softmax's probability of output k, what the loss compares with the observed value. */
  probability(k: number): string {
    const outputs = this.model.outputs;
    if (this.sq) return `${text('softmax')}_{${outputs.length === 1 ? 'i' : `${text(outputs[k])},i`}}`;
    return `p_{${k}}`;
  }

  /** What the factor equals, in symbols. */
  expression(f: Factor): string {
    switch (f.kind) {
      case 'loss': {
        const k = f.wrt.q === 'y' ? f.wrt.unit : 0;
        const predicted = this.quantity(f.wrt);
        const observed = this.observed(k);
        if (this.model.loss === 'cross-entropy') return `(${text('softmax')}_{${k}}(\\ldots) - ${observed})`;
        const n = this.model.samples;
        if (this.sq) return this.model.loss === 'mse' ? `-\\tfrac{2}{${n}}(${observed} - ${predicted})` : `-2(${observed} - ${predicted})`;
        return this.model.loss === 'mse' ? `\\tfrac{2}{${n}}(${predicted} - ${observed})` : `2(${predicted} - ${observed})`;
      }
      case 'activation': {
        const layer = f.of.q === 'y' ? f.of.layer : 0;
        const activation = this.model.layers[layer - 1]?.activation ?? 'identity';
        const fn = activation === 'sigmoid' ? '\\sigma' : activation === 'tanh' ? '\\tanh' : text(activation);
        return `${fn}'(${this.quantity(f.wrt)})`;
      }
      case 'weight': return this.param(f.expression);
      case 'input': {
        const p = f.wrt.q === 'param' ? this.byName.get(f.wrt.name) : undefined;
        if (!p) return text(f.expression);
        return p.layer === 1 ? this.input(p.input) : this.unit('y', p.layer - 1, p.input);
      }
      case 'one': return '1';
      case 'sum': return `\\sum_{${this.sq ? 'm' : 'j'}} \\cdots`;
    }
  }

  /** The whole formula: lhs = Σ_i (factor names), and = Σ_i (factor expressions). */
  formula(e: ExplanationView): { named: string; expanded: string } {
    const factors = e.terms[0]?.factors ?? [];
    const lhs = this.derivative(this.loss(), this.param(e.parameter));
    const sum = '\\sum_{i}';
    const named = `${lhs} = ${sum} ${factors.map((f) => this.factor(f)).join(' \\cdot ')}`;
    const expanded = `= ${sum} ${factors.map((f) => (f.kind === 'sum' ? this.factor(f) : this.expression(f))).join(' \\cdot ')}`;
    return { named, expanded };
  }

  /** How the loss is defined, with its convention. */
  lossDefinition(): string {
    const o = this.model.outputs.length > 1;
    if (this.model.loss === 'cross-entropy') return `${this.loss()} = -\\sum_i \\sum_k ${this.sq ? `${text('Observed')}_{k,i}` : 'y_k'} \\ln ${text('softmax')}_k`;
    if (this.sq) {
      const body = o ? `(${text('Observed')}_{k,i} - ${text('Predicted')}_{k,i})^2` : `(${text('Observed')}_i - ${text('Predicted')}_i)^2`;
      return this.model.loss === 'mse' ? `${text('MSE')} = \\tfrac{1}{n}\\sum_i${o ? '\\sum_k' : ''} ${body}` : `${text('SSR')} = \\sum_i${o ? '\\sum_k' : ''} ${body}`;
    }
    const last = this.last;
    return this.model.loss === 'mse'
      ? `C = \\tfrac{1}{n}\\sum_i C_i,\\; C_i = ${o ? '\\sum_j ' : ''}(a^{(${last})}${o ? '_j' : ''} - y${o ? '_j' : ''})^2`
      : `C = \\sum_i C_i,\\; C_i = ${o ? '\\sum_j ' : ''}(a^{(${last})}${o ? '_j' : ''} - y${o ? '_j' : ''})^2`;
  }
}
