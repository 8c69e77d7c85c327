/**
 * Compiles a parsed condition into a closure over the training state's typed arrays, once: every
 * name is resolved here, so evaluating it each step is a few array reads and arithmetic, with no
 * parsing, no lookups and no allocation.
 *
 * Names (see README "Breakpoints"):
 * - step, loss, stepSize (the last step's largest |learning rate x gradient|), learningRate (the
 *   next update's, after any schedule), epoch, batch, batchLoss, valLoss (docs/training.md);
 * - the optimizer's buffers per parameter: m(w3), v(w3), vmax(w3), velocity(w3), square(w3), average(w3);
 * - the charts' instruments: gradientNorm, updateRatio, distance, deadShare, saturatedShare, sharpness;
 * - a parameter by name (w3, b1) and its gradient (dw3 is dLoss/dw3, db1 is dLoss/db1);
 * - groups, for the group functions: W2 and B2 (layer 2's weights and biases), dW2 and dB2 (their
 *   gradients), X2 and Y2 (every x_{j,i} and y_{j,i} of layer 2), X2[1] and Y2[1] (unit 1 of
 *   layer 2, every sample). Layers count from 1, units from 1, as StatQuest counts them.
 * Functions: abs, sqrt, exp, log, sin, cos, tanh, isfinite, min and max of numbers; over a group: norm (the L2
 * norm), mean, sum, max, min, each also of abs(group), as in max(abs(W1)).
 */
import { findParameter, type Network, optimizerBuffers, sharpness } from '../../core';
import { distanceFrom, hiddenShare, ratio, trainableSquares } from '../inspect';
import { ExpressionError, type Node, parseExpression, type Span } from '../../core/expr/parse';
import { CONDITION_INSTRUMENTS, CONDITION_SCALARS, NUMBER_FUNCTIONS } from '../../core/expr/functions';

/** What conditions read. The arrays are views that live as long as the trainer; `scalars` is refreshed before each check. */
export interface ExprState {
  readonly params: Float64Array;
  readonly gradients: Float64Array;
  readonly x: readonly Float64Array[];
  readonly y: readonly Float64Array[];
  /** The trainer's whole state: the parameters, then the optimizer's buffers (stateLayout). */
  readonly state: Float64Array;
  readonly scalars: Scalars;
}

/**
 * The numbers conditions read besides the arrays, refreshed before each check (readScalars). `loss`
 * is the whole training set's at the state; `batchLoss` the last step's batch's before its update;
 * `valLoss` the validation set's (NaN without one, or when nothing reads it).
 */
export interface Scalars {
  step: number;
  loss: number;
  stepSize: number;
  learningRate: number;
  epoch: number;
  batch: number;
  batchLoss: number;
  valLoss: number;
}

export function emptyScalars(learningRate = 0): Scalars {
  return { step: 0, loss: NaN, stepSize: 0, learningRate, epoch: 0, batch: NaN, batchLoss: NaN, valLoss: NaN };
}

export interface Compiled {
  /** The condition's value: a number, 1 or 0 for a comparison. */
  evaluate(): number;
  /** Whether it reads the loss, gradients or unit values, which need the state evaluated. */
  readonly needsEvaluation: boolean;
  /** Whether it reads valLoss, a forward pass over the validation set. */
  readonly needsValidation: boolean;
  /** The names it reads, for showing what a breakpoint watches. */
  readonly names: readonly string[];
  /** Whether it reads learningRate, epoch, batch or batchLoss (filled after a step only when something does). */
  readonly needsTraining: boolean;
}

/** The scalars of real training: readScalars fills them only when something reads them. */
const TRAINING_SCALARS: readonly string[] = ['learningRate', 'epoch', 'batch', 'batchLoss'];

/** True for a number that is neither 0 nor NaN: how a condition's value reads as true. */
export function truthy(v: number): boolean {
  return v !== 0 && v === v;
}

interface Group { array: Float64Array; start: number; count: number; stride: number; name: string; evaluated: boolean }
type Value = { kind: 'number'; fn: () => number; evaluated: boolean } | { kind: 'group'; group: Group; abs: boolean };

const SCALARS = CONDITION_SCALARS;
/** The charts' instruments, for the whole network (see instrument()). */
const INSTRUMENTS = CONDITION_INSTRUMENTS;
const SCALAR_FUNCTIONS = [...Object.keys(NUMBER_FUNCTIONS), 'min', 'max'];
const AGGREGATES = ['norm', 'mean', 'sum', 'max', 'min'] as const;
/** Every function of the language, each once (for completion). */
export const EXPRESSION_FUNCTIONS: readonly string[] = [...new Set([...SCALAR_FUNCTIONS, ...AGGREGATES])];

/** Every name a condition may use for `network`, for suggestions and completion. */
export function knownNames(network: Network): string[] {
  const names: string[] = [...SCALARS, ...INSTRUMENTS];
  for (const p of network.parameters) names.push(p.name, `d${p.name}`);
  for (const b of optimizerBuffers(network.training.optimizer)) names.push(`${b}(${network.parameters[0].name})`);
  network.layers.forEach((_, l) => names.push(`W${l + 1}`, `B${l + 1}`, `dW${l + 1}`, `dB${l + 1}`, `X${l + 1}`, `Y${l + 1}`));
  return names;
}

export function compileExpression(source: string, network: Network, state: ExprState): Compiled {
  const tree = parseExpression(source);
  const names = new Set<string>();
  const value = new Compiler(network, state, names).compile(tree);
  if (value.kind === 'group') throw new ExpressionError(`${value.group.name} is a group of values: use it inside norm(), mean(), sum(), max() or min()`, tree.at);
  return { evaluate: value.fn, needsEvaluation: value.evaluated, needsValidation: names.has('valLoss'), names: [...names], needsTraining: TRAINING_SCALARS.some((n) => names.has(n)) };
}

class Compiler {
  constructor(private readonly network: Network, private readonly state: ExprState, private readonly names: Set<string>) {}

  compile(node: Node): Value {
    switch (node.kind) {
      case 'number': {
        const v = node.value;
        return { kind: 'number', fn: () => v, evaluated: false };
      }
      case 'name': return this.name(node.name, node.index, node.at);
      case 'unary': {
        const operand = this.number(node.operand);
        const f = operand.fn;
        return { kind: 'number', fn: node.op === '-' ? () => -f() : () => (truthy(f()) ? 0 : 1), evaluated: operand.evaluated };
      }
      case 'binary': {
        const a = this.number(node.left);
        const b = this.number(node.right);
        const l = a.fn;
        const r = b.fn;
        const evaluated = a.evaluated || b.evaluated;
        const fn = ((): (() => number) => {
          switch (node.op) {
            case '+': return () => l() + r();
            case '-': return () => l() - r();
            case '*': return () => l() * r();
            case '/': return () => l() / r();
            // The remainder, as JavaScript's %: step % 50 == 0 every 50 steps.
            case '%': return () => l() % r();
            case '^': return () => l() ** r();
            case '<': return () => (l() < r() ? 1 : 0);
            case '<=': return () => (l() <= r() ? 1 : 0);
            case '>': return () => (l() > r() ? 1 : 0);
            case '>=': return () => (l() >= r() ? 1 : 0);
            case '==': return () => (l() === r() ? 1 : 0);
            case '!=': return () => (l() !== r() ? 1 : 0);
            case '&&': return () => (truthy(l()) && truthy(r()) ? 1 : 0);
            case '||': return () => (truthy(l()) || truthy(r()) ? 1 : 0);
          }
        })();
        return { kind: 'number', fn, evaluated };
      }
      case 'call': return this.call(node);
    }
  }

  /** A node that must be a number (not a group). */
  private number(node: Node): Extract<Value, { kind: 'number' }> {
    const v = this.compile(node);
    if (v.kind === 'group') throw new ExpressionError(`${v.group.name} is a group of values: use it inside norm(), mean(), sum(), max() or min()`, node.at);
    return v;
  }

  private name(name: string, index: number | null, at: Span): Value {
    const s = this.state.scalars;
    const net = this.network;
    if (index === null) {
      switch (name) {
        case 'step': this.names.add(name); return { kind: 'number', fn: () => s.step, evaluated: false };
        case 'loss': this.names.add(name); return { kind: 'number', fn: () => s.loss, evaluated: true };
        case 'stepSize': this.names.add(name); return { kind: 'number', fn: () => s.stepSize, evaluated: false };
        case 'learningRate': this.names.add(name); return { kind: 'number', fn: () => s.learningRate, evaluated: false };
        case 'epoch': this.names.add(name); return { kind: 'number', fn: () => s.epoch, evaluated: false };
        case 'batch': this.names.add(name); return { kind: 'number', fn: () => s.batch, evaluated: false };
        case 'batchLoss': this.names.add(name); return { kind: 'number', fn: () => s.batchLoss, evaluated: false };
        case 'valLoss': this.names.add(name); return { kind: 'number', fn: () => s.valLoss, evaluated: false };
      }
      if ((INSTRUMENTS as readonly string[]).includes(name)) {
        this.names.add(name);
        return { kind: 'number', fn: this.instrument(name as (typeof INSTRUMENTS)[number]), evaluated: true };
      }
      const param = /^(d?)([wb][1-9][0-9]*)$/.exec(name);
      if (param) {
        const p = net.parameters.find((q) => q.name === param[2]);
        if (p) {
          this.names.add(name);
          const array = param[1] ? this.state.gradients : this.state.params;
          const i = p.index;
          return { kind: 'number', fn: () => array[i], evaluated: param[1] === 'd' };
        }
      }
    }
    const group = /^(d?)([WBXY])([1-9][0-9]*)$/.exec(name);
    if (group) {
      const [, d, letter, layerText] = group;
      const l = Number(layerText) - 1;
      const layer = net.layers[l];
      if (layer && !(d && (letter === 'X' || letter === 'Y'))) {
        this.names.add(index === null ? name : `${name}[${index}]`);
        if (letter === 'W' || letter === 'B') {
          if (index !== null) throw new ExpressionError(`${name} is a layer's ${letter === 'W' ? 'weights' : 'biases'}; [unit] goes with X and Y`, at);
          const array = d ? this.state.gradients : this.state.params;
          const start = letter === 'W' ? layer.weightOffset : layer.biasOffset;
          const count = letter === 'W' ? layer.units * layer.inputs : layer.units;
          return { kind: 'group', group: { array, start, count, stride: 1, name, evaluated: d === 'd' }, abs: false };
        }
        const array = (letter === 'X' ? this.state.x : this.state.y)[l];
        if (index === null) return { kind: 'group', group: { array, start: 0, count: array.length, stride: 1, name, evaluated: true }, abs: false };
        if (index > layer.units) throw new ExpressionError(`layer ${l + 1} has ${layer.units} unit${layer.units === 1 ? '' : 's'}, so ${name}[${index}] does not exist`, at);
        return { kind: 'group', group: { array, start: index - 1, count: net.data.samples, stride: layer.units, name: `${name}[${index}]`, evaluated: true }, abs: false };
      }
    }
    throw new ExpressionError(`unknown name '${name}'${suggest(name, knownNames(net))}`, at);
  }

  /**
   * The instruments the charts plot, over the trainable parameters: ‖gradient‖, ‖learning rate x
   * gradient‖ / ‖parameters‖, the distance from the file's parameters, the shares of hidden units
   * dead (ReLU) or saturated (sigmoid, tanh), and the sharpness (the loss's Hessian's largest
   * eigenvalue: 4n gradient passes each time, so a condition on it slows Continue down).
   */
  private instrument(name: (typeof INSTRUMENTS)[number]): () => number {
    const net = this.network;
    const { params: p, gradients: g, y } = this.state;
    const s = this.state.scalars;
    switch (name) {
      case 'gradientNorm': return () => Math.sqrt(trainableSquares(net, g));
      case 'updateRatio': return () => ratio(s.learningRate * Math.sqrt(trainableSquares(net, g)), Math.sqrt(trainableSquares(net, p)));
      case 'distance': return () => distanceFrom(p, net.initialParameters);
      case 'deadShare': return () => hiddenShare(net, y, 'dead');
      case 'saturatedShare': return () => hiddenShare(net, y, 'saturated');
      case 'sharpness': return () => sharpness(net, p) ?? NaN;
    }
  }

  private call(node: Extract<Node, { kind: 'call' }>): Value {
    const { name, args } = node;
    const buffers = optimizerBuffers(this.network.training.optimizer);
    if (buffers.includes(name)) return this.buffer(node, buffers.indexOf(name));
    const known = [...SCALAR_FUNCTIONS, ...AGGREGATES, ...buffers] as readonly string[];
    if (!known.includes(name)) throw new ExpressionError(`unknown function '${name}'${suggest(name, [...new Set(known)])}`, node.nameAt);
    // abs(group) stays a group (for max(abs(W1))); otherwise abs is a number's.
    if (name === 'abs') {
      this.arity(node, 1);
      const v = this.compile(args[0]);
      if (v.kind === 'group') return { kind: 'group', group: v.group, abs: true };
      const f = v.fn;
      return { kind: 'number', fn: () => Math.abs(f()), evaluated: v.evaluated };
    }
    if ((AGGREGATES as readonly string[]).includes(name) && args.length === 1) {
      const v = this.compile(args[0]);
      if (v.kind === 'group') return { kind: 'number', fn: aggregate(name as (typeof AGGREGATES)[number], v.group, v.abs), evaluated: v.group.evaluated };
      if (name === 'norm' || name === 'mean' || name === 'sum') throw new ExpressionError(`${name}() takes a group such as W1, dW2 or Y1[2], not a single number`, args[0].at);
      return v; // max(x) of one number is x
    }
    if (name === 'min' || name === 'max') {
      if (args.length < 2) throw new ExpressionError(`${name}() takes a group, or two numbers or more`, node.at);
      const fs = args.map((a) => this.number(a));
      const evaluated = fs.some((f) => f.evaluated);
      const first = fs[0].fn;
      const rest = fs.slice(1).map((f) => f.fn);
      const pick = name === 'min' ? Math.min : Math.max;
      return { kind: 'number', fn: () => { let m = first(); for (let i = 0; i < rest.length; i++) m = pick(m, rest[i]()); return m; }, evaluated };
    }
    this.arity(node, 1);
    const v = this.number(args[0]);
    const f = v.fn;
    const g = Object.hasOwn(NUMBER_FUNCTIONS, name) ? NUMBER_FUNCTIONS[name] : undefined;
    if (!g) throw new ExpressionError(`${name}() takes a group such as W1, dW2 or Y1[2]`, node.at);
    return { kind: 'number', fn: () => g(f()), evaluated: v.evaluated };
  }

  /** m(w3), velocity(b1), ...: the optimizer's buffer `slot` for one parameter, as the next update will read it. */
  private buffer(node: Extract<Node, { kind: 'call' }>, slot: number): Value {
    this.arity(node, 1);
    const arg = node.args[0];
    const p = arg.kind === 'name' && arg.index === null ? findParameter(this.network, arg.name) : undefined;
    if (!p) throw new ExpressionError(`${node.name}() takes a parameter such as ${node.name}(${this.network.parameters[0].name})`, arg.at);
    this.names.add(`${node.name}(${p.name})`);
    const state = this.state.state;
    const at = (slot + 1) * this.network.parameterCount + p.index;
    return { kind: 'number', fn: () => state[at], evaluated: false };
  }

  private arity(node: Extract<Node, { kind: 'call' }>, n: number): void {
    if (node.args.length !== n) throw new ExpressionError(`${node.name}() takes ${n} argument${n === 1 ? '' : 's'}, not ${node.args.length}`, node.at);
  }
}

/** One pass over a group, no allocation: norm, mean, sum, max or min, of the values or their |values|. */
function aggregate(kind: (typeof AGGREGATES)[number], g: Group, abs: boolean): () => number {
  const { array, start, count, stride } = g;
  const end = start + count * stride;
  switch (kind) {
    case 'norm': return () => { let s = 0; for (let i = start; i < end; i += stride) s += array[i] * array[i]; return Math.sqrt(s); };
    case 'sum': return abs
      ? () => { let s = 0; for (let i = start; i < end; i += stride) s += Math.abs(array[i]); return s; }
      : () => { let s = 0; for (let i = start; i < end; i += stride) s += array[i]; return s; };
    case 'mean': return abs
      ? () => { let s = 0; for (let i = start; i < end; i += stride) s += Math.abs(array[i]); return s / count; }
      : () => { let s = 0; for (let i = start; i < end; i += stride) s += array[i]; return s / count; };
    case 'max': return abs
      ? () => { let m = -Infinity; for (let i = start; i < end; i += stride) { const v = Math.abs(array[i]); if (v > m || v !== v) m = v; } return m; }
      : () => { let m = -Infinity; for (let i = start; i < end; i += stride) { const v = array[i]; if (v > m || v !== v) m = v; } return m; };
    case 'min': return abs
      ? () => { let m = Infinity; for (let i = start; i < end; i += stride) { const v = Math.abs(array[i]); if (v < m || v !== v) m = v; } return m; }
      : () => { let m = Infinity; for (let i = start; i < end; i += stride) { const v = array[i]; if (v < m || v !== v) m = v; } return m; };
  }
}

/** ' (did you mean dw3?)' for the nearest known name, when one is near enough. */
export function suggest(name: string, known: readonly string[]): string {
  let best = '';
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === name.toLowerCase() ? 0.5 : distance(name, k);
    if (d < bestDistance) { bestDistance = d; best = k; }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean ${best}?)` : '';
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
