/**
 * Input features (TensorFlow Playground's toggles, generalized): `"features": ["x1", "x1^2",
 * "sin(x1)"]` computes the network's inputs from the file's input columns, each feature an
 * expression in the condition language's arithmetic (expr/parse.ts). The data keeps the raw
 * columns; the network's first layer takes one input per feature.
 *
 * A feature is compiled once into a closure over a raw row (no parsing, lookups or allocation per
 * row), since the loader maps every sample through it and a unit's picture over the input plane
 * maps every pixel.
 */
import { closest } from './closest';
import { CONDITION_INSTRUMENTS, CONDITION_SCALARS, NUMBER_FUNCTIONS } from './expr/functions';
import { type BinaryOp, ExpressionError, type Node, parseExpression, type Span } from './expr/parse';
import type { Network } from './network';

/** One feature of one raw row: the row's columns start at `raw[at]`. */
export type FeatureFunction = (raw: ArrayLike<number>, at: number) => number;

export interface InputFeatures {
  /** The file's input columns: the features' variables, and what the data's rows hold. */
  readonly columns: readonly string[];
  /** Each feature as written in the file. */
  readonly sources: readonly string[];
  /** Each feature as the graph, the card and the CLI show it (featureLabel): x1², x1·x2, sin(x1). */
  readonly labels: readonly string[];
  readonly compute: readonly FeatureFunction[];
}

/** The functions a feature may call: every function of one number the conditions have, and min and max of several. */
export const FEATURE_FUNCTIONS: readonly string[] = [...Object.keys(NUMBER_FUNCTIONS), 'min', 'max'];

/** Compiles each of `sources` over `columns`; an ExpressionError (its span in that source) names the feature's index in `feature`. */
export function compileFeatures(sources: readonly string[], columns: readonly string[]): InputFeatures {
  const compute = sources.map((source, i) => {
    try {
      return compileFeature(source, columns);
    } catch (e) {
      if (e instanceof ExpressionError) throw new FeatureError(e.message, e.at, i);
      throw e;
    }
  });
  return { columns: [...columns], sources: [...sources], labels: sources.map(featureLabel), compute };
}

/** An ExpressionError in feature `feature` (from 0). */
export class FeatureError extends ExpressionError {
  constructor(message: string, at: Span, readonly feature: number) {
    super(message, at);
  }
}

/** One feature as a closure over a raw row, or an ExpressionError at the part of `source` it cannot take. */
export function compileFeature(source: string, columns: readonly string[]): FeatureFunction {
  if (source.trim() === '') throw new ExpressionError(`the feature is empty: expected an expression over ${columns.join(', ')}, such as ${columns[0]}^2`, { start: 0, end: source.length });
  return compileNode(parseExpression(source), columns);
}

function compileNode(node: Node, columns: readonly string[]): FeatureFunction {
  switch (node.kind) {
    case 'number': {
      const v = node.value;
      return () => v;
    }
    case 'name': {
      const k = node.index === null ? columns.indexOf(node.name) : -1;
      if (k < 0) throw new ExpressionError(notAColumn(node.name, node.index, columns), node.at);
      return (raw, at) => raw[at + k];
    }
    case 'unary': {
      const f = compileNode(node.operand, columns);
      return node.op === '-' ? (raw, at) => -f(raw, at) : (raw, at) => (truthy(f(raw, at)) ? 0 : 1);
    }
    case 'binary': return binary(node.op, compileNode(node.left, columns), compileNode(node.right, columns));
    case 'call': return compileCall(node, columns);
  }
}

function binary(op: BinaryOp, l: FeatureFunction, r: FeatureFunction): FeatureFunction {
  switch (op) {
    case '+': return (raw, at) => l(raw, at) + r(raw, at);
    case '-': return (raw, at) => l(raw, at) - r(raw, at);
    case '*': return (raw, at) => l(raw, at) * r(raw, at);
    case '/': return (raw, at) => l(raw, at) / r(raw, at);
    case '%': return (raw, at) => l(raw, at) % r(raw, at);
    case '^': return (raw, at) => l(raw, at) ** r(raw, at);
    case '<': return (raw, at) => (l(raw, at) < r(raw, at) ? 1 : 0);
    case '<=': return (raw, at) => (l(raw, at) <= r(raw, at) ? 1 : 0);
    case '>': return (raw, at) => (l(raw, at) > r(raw, at) ? 1 : 0);
    case '>=': return (raw, at) => (l(raw, at) >= r(raw, at) ? 1 : 0);
    case '==': return (raw, at) => (l(raw, at) === r(raw, at) ? 1 : 0);
    case '!=': return (raw, at) => (l(raw, at) !== r(raw, at) ? 1 : 0);
    case '&&': return (raw, at) => (truthy(l(raw, at)) && truthy(r(raw, at)) ? 1 : 0);
    case '||': return (raw, at) => (truthy(l(raw, at)) || truthy(r(raw, at)) ? 1 : 0);
  }
}

function compileCall(node: Extract<Node, { kind: 'call' }>, columns: readonly string[]): FeatureFunction {
  const { name, args } = node;
  const g = Object.hasOwn(NUMBER_FUNCTIONS, name) ? NUMBER_FUNCTIONS[name] : undefined;
  if (g) {
    if (args.length !== 1) throw new ExpressionError(`${name}() takes 1 argument, not ${args.length}`, node.at);
    const f = compileNode(args[0], columns);
    return (raw, at) => g(f(raw, at));
  }
  if (name === 'min' || name === 'max') {
    if (args.length < 2) throw new ExpressionError(`${name}() of a feature takes two numbers or more`, node.at);
    const fs = args.map((a) => compileNode(a, columns));
    const pick = name === 'min' ? Math.min : Math.max;
    return (raw, at) => { let m = fs[0](raw, at); for (let i = 1; i < fs.length; i++) m = pick(m, fs[i](raw, at)); return m; };
  }
  if (['norm', 'mean', 'sum'].includes(name)) throw new ExpressionError(`${name}() takes a layer's group of values, which only breakpoint conditions have; a feature is computed from ${columns.join(', ')}`, node.nameAt);
  if (['m', 'v', 'vmax', 'velocity', 'square', 'average'].includes(name)) throw new ExpressionError(`${name}() is an optimizer's buffer, which only breakpoint conditions read; a feature is computed from ${columns.join(', ')}`, node.nameAt);
  const hint = closest(name, FEATURE_FUNCTIONS);
  throw new ExpressionError(`unknown function '${name}'${hint ? ` (did you mean ${hint}?)` : `: a feature may call ${FEATURE_FUNCTIONS.join(', ')}`}`, node.nameAt);
}

/** Why `name` is not one of `columns`: a parameter, an instrument, a group, or a typo. */
function notAColumn(name: string, index: number | null, columns: readonly string[]): string {
  const only = `a feature is computed from the input column${columns.length === 1 ? '' : 's'} ${columns.join(', ')} alone`;
  if (index !== null || /^d?[WBXY][1-9][0-9]*$/.test(name)) return `${name}${index === null ? '' : `[${index}]`} is a layer's group of values, which only breakpoint conditions read: ${only}`;
  if (/^[wb][1-9][0-9]*$/.test(name)) return `${name} is a parameter: ${only}`;
  if (/^d[wb][1-9][0-9]*$/.test(name)) return `${name} is a gradient: ${only}`;
  if ((CONDITION_SCALARS as readonly string[]).includes(name) || (CONDITION_INSTRUMENTS as readonly string[]).includes(name)) {
    return `${name} is a training quantity that breakpoint conditions read: ${only}`;
  }
  const hint = closest(name, columns);
  return `unknown name '${name}': ${only}${hint ? ` (did you mean ${hint}?)` : ''}`;
}

function truthy(v: number): boolean {
  return v !== 0 && v === v;
}

const SUPERSCRIPTS: Record<string, string> = { 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹', '-': '⁻' };

/**
 * A feature as people write it on paper: a whole-number power as a superscript (x1^2 is x1², x^-1
 * is x⁻¹) and multiplication as a centred dot (x1*x2 is x1·x2); the rest as typed, spaces
 * collapsed. Done on the text, not the tree, so the person's own parentheses stay.
 */
export function featureLabel(source: string): string {
  return source.trim().replace(/\s+/g, ' ')
    .replace(/ ?\* ?/g, '·')
    .replace(/ ?\^ ?(-?\d+)(?![\d.eE])/g, (_, power: string) => Array.from(power, (c) => SUPERSCRIPTS[c]).join(''));
}

/** Each of `samples` raw rows (`columns` wide) mapped to its features, row-major. */
export function applyFeatures(features: InputFeatures, raw: Float64Array, samples: number): Float64Array {
  const width = features.columns.length;
  const n = features.compute.length;
  const out = new Float64Array(samples * n);
  for (let i = 0; i < samples; i++) {
    for (let k = 0; k < n; k++) out[i * n + k] = features.compute[k](raw, i * width);
  }
  return out;
}

/**
 * The row the network's first layer takes for one raw row of the file's input columns: its
 * features (when the file has them), then `normalize`'s rescaling (when it has that). Writes into
 * `out` (one number per network input) and returns it, so a picture over the input plane maps
 * every pixel without allocating.
 */
export function networkInputRow(network: Pick<Network, 'features' | 'normalization' | 'inputNames'>, raw: ArrayLike<number>, out: Float64Array, at = 0): Float64Array {
  const n = network.inputNames.length;
  const { features, normalization } = network;
  for (let k = 0; k < n; k++) {
    const v = features ? features.compute[k](raw, at) : raw[at + k];
    out[k] = normalization ? (v - normalization.offset[k]) / normalization.scale[k] : v;
  }
  return out;
}

/** The raw input columns a network's rows are made from: its features' columns, or its inputs. */
export function inputColumns(network: Pick<Network, 'features' | 'inputNames'>): readonly string[] {
  return network.features ? network.features.columns : network.inputNames;
}

/** The samples' rows in the raw input columns (what pictures over the input plane draw), and their width. */
export function columnRows(network: Pick<Network, 'features' | 'inputNames' | 'data'>): { rows: Float64Array; width: number } {
  return { rows: network.data.columns ?? network.data.inputs, width: inputColumns(network).length };
}

/** One raw point and one network row, reused by rowAtPoint (it runs once a grid point when a grid is made). */
const rawPoint = new Float64Array(2);
let networkRow = new Float64Array(0);

/**
 * The network's input row for the point (x1, x2) of the raw input plane (x2 ignored with one
 * column), written at `out[at..]`: the point's features then `normalize`'s rescaling when the
 * network has features; else the point itself (the plane is then the data's own inputs, already
 * rescaled, as the fit chart draws them).
 */
export function rowAtPoint(network: Pick<Network, 'features' | 'normalization' | 'inputNames'>, x1: number, x2: number, out: Float64Array, at: number): void {
  if (!network.features) {
    out[at] = x1;
    if (network.inputNames.length > 1) out[at + 1] = x2;
    return;
  }
  rawPoint[0] = x1;
  rawPoint[1] = x2;
  if (networkRow.length < network.inputNames.length) networkRow = new Float64Array(network.inputNames.length);
  networkInputRow(network, rawPoint, networkRow);
  out.set(networkRow.subarray(0, network.inputNames.length), at);
}
