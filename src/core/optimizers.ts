/**
 * The update rules real training uses, each as PyTorch's `torch.optim` (torch 2.x) computes it, so
 * a person can check any number against PyTorch: plain gradient descent (StatQuest's rule, the
 * default), momentum, RMSProp, Adam and AdamW. docs/training.md writes each rule out.
 *
 * An optimizer's state lives in the trainer's state vector after the parameters (see
 * `stateLayout`): one slot of `parameterCount` doubles per buffer it keeps, then the count of
 * updates it has made (Adam's t). Keeping it there is what makes time travel exact: a checkpoint
 * of the state vector is a checkpoint of the optimizer too.
 */

import type { Network } from './network';

export const OPTIMIZER_TYPES = ['sgd', 'momentum', 'rmsprop', 'adam', 'adamw'] as const;
export type OptimizerType = (typeof OPTIMIZER_TYPES)[number];

export interface SgdSettings { readonly type: 'sgd' }
export interface MomentumSettings { readonly type: 'momentum'; readonly momentum: number; readonly dampening: number; readonly nesterov: boolean }
export interface RmspropSettings { readonly type: 'rmsprop'; readonly alpha: number; readonly epsilon: number; readonly momentum: number; readonly centered: boolean }
export interface AdamSettings { readonly type: 'adam'; readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly amsgrad: boolean }
export interface AdamwSettings { readonly type: 'adamw'; readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly amsgrad: boolean; readonly weightDecay: number }
export type OptimizerSettings = SgdSettings | MomentumSettings | RmspropSettings | AdamSettings | AdamwSettings;

/** PyTorch's defaults, which the file's fields override one by one. */
export const OPTIMIZER_DEFAULTS = {
  sgd: { type: 'sgd' },
  momentum: { type: 'momentum', momentum: 0.9, dampening: 0, nesterov: false },
  rmsprop: { type: 'rmsprop', alpha: 0.99, epsilon: 1e-8, momentum: 0, centered: false },
  adam: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false },
  adamw: { type: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false, weightDecay: 0.01 },
} as const satisfies { [K in OptimizerType]: Extract<OptimizerSettings, { type: K }> };

export const SGD: OptimizerSettings = OPTIMIZER_DEFAULTS.sgd;

/** The buffers an optimizer keeps per parameter, in slot order, named as the docs and the debugger name them. */
export function optimizerBuffers(o: OptimizerSettings): readonly string[] {
  switch (o.type) {
    case 'sgd': return [];
    case 'momentum': return ['velocity'];
    case 'rmsprop': return ['square', ...(o.centered ? ['average'] : []), ...(o.momentum > 0 ? ['velocity'] : [])];
    case 'adam':
    case 'adamw': return o.amsgrad ? ['m', 'v', 'vmax'] : ['m', 'v'];
  }
}

/** Where things sit in a trainer's state vector: parameters, one slot per buffer, then the update count. */
export interface StateLayout {
  readonly parameters: number;
  readonly buffers: readonly string[];
  /** The state vector's length: the parameters alone for plain gradient descent. */
  readonly length: number;
  /** The index of the update count (t), or -1 where the rule keeps none. */
  readonly countAt: number;
}

export function stateLayout(o: OptimizerSettings, parameters: number): StateLayout {
  const buffers = optimizerBuffers(o);
  if (buffers.length === 0) return { parameters, buffers, length: parameters, countAt: -1 };
  const countAt = parameters * (1 + buffers.length);
  return { parameters, buffers, length: countAt + 1, countAt };
}

/**
 * Applies one update to `state` (the trainer's state vector: parameters first) from `g`, the
 * gradient after regularization and clipping, at learning rate `lr`; parameters whose `trainable`
 * entry is 0 keep their value and their buffers. Returns the largest |change| of a parameter.
 * Allocates nothing.
 */
export function applyUpdate(o: OptimizerSettings, state: Float64Array, g: Float64Array, trainable: Uint8Array, lr: number): number {
  const n = g.length;
  let largest = 0;
  switch (o.type) {
    case 'sgd': {
      for (let i = 0; i < n; i++) {
        if (trainable[i] === 0) continue;
        const step = lr * g[i];
        state[i] -= step;
        largest = larger(largest, step);
      }
      return largest;
    }
    case 'momentum': {
      // torch.optim.SGD: the buffer is the gradient itself on the first update, then
      // buf = momentum x buf + (1 - dampening) x g; Nesterov steps along g + momentum x buf.
      const first = state[2 * n] === 0;
      const { momentum, dampening, nesterov } = o;
      for (let i = 0; i < n; i++) {
        if (trainable[i] === 0) continue;
        const buf = first ? g[i] : momentum * state[n + i] + (1 - dampening) * g[i];
        state[n + i] = buf;
        const step = lr * (nesterov ? g[i] + momentum * buf : buf);
        state[i] -= step;
        largest = larger(largest, step);
      }
      state[2 * n]++;
      return largest;
    }
    case 'rmsprop': {
      // torch.optim.RMSprop: square = alpha x square + (1 - alpha) x g^2; centered subtracts the
      // squared running mean under the root; eps is added after the root; momentum keeps a buffer
      // of g / denominator (starting at zero).
      const { alpha, epsilon, momentum, centered } = o;
      const meanAt = centered ? 2 * n : -1;
      const velocityAt = momentum > 0 ? (centered ? 3 * n : 2 * n) : -1;
      const countAt = n * (2 + (centered ? 1 : 0) + (momentum > 0 ? 1 : 0));
      for (let i = 0; i < n; i++) {
        if (trainable[i] === 0) continue;
        const gi = g[i];
        const square = state[n + i] * alpha + (1 - alpha) * gi * gi;
        state[n + i] = square;
        let avg = square;
        if (meanAt >= 0) {
          // The running mean as PyTorch keeps it (lerp): centered subtracts its square, so the
          // last bits matter.
          const mean = lerp(state[meanAt + i], gi, 1 - alpha);
          state[meanAt + i] = mean;
          avg = square - mean * mean;
        }
        const denominator = Math.sqrt(avg) + epsilon;
        let step: number;
        if (velocityAt >= 0) {
          const buf = momentum * state[velocityAt + i] + gi / denominator;
          state[velocityAt + i] = buf;
          step = lr * buf;
        } else step = (lr * gi) / denominator;
        state[i] -= step;
        largest = larger(largest, step);
      }
      state[countAt]++;
      return largest;
    }
    case 'adam':
    case 'adamw': return adamUpdate(o, state, g, trainable, lr, n);
  }
}

/** The per-step scalars of Adam's update at rate `lr` for the update with count t (from 1). */
export function adamScalars(o: AdamSettings | AdamwSettings, lr: number, t: number): { stepSize: number; rootCorrection2: number; keep: number; w1: number; w2: number } {
  return { stepSize: lr / (1 - o.beta1 ** t), rootCorrection2: Math.sqrt(1 - o.beta2 ** t), keep: o.type === 'adamw' ? 1 - lr * o.weightDecay : 1, w1: 1 - o.beta1, w2: 1 - o.beta2 };
}

/**
 * torch.optim.Adam / AdamW: t counts from 1; m and v are bias-corrected by 1 - beta^t; eps is
 * added after the square root; AMSGrad keeps the running maximum of v and corrects that. AdamW
 * first shrinks every trainable parameter by lr x weightDecay (decoupled decay). A function of its
 * own with everything inlined: the loop runs over every parameter each step (on large networks it
 * is the optimizer's whole cost beside the passes).
 */
function adamUpdate(o: AdamSettings | AdamwSettings, state: Float64Array, g: Float64Array, trainable: Uint8Array, lr: number, n: number): number {
  const { beta2, epsilon, amsgrad } = o;
  const countAt = n * (amsgrad ? 4 : 3);
  const t = state[countAt] + 1;
  state[countAt] = t;
  // m-hat / (sqrt(v-hat) + eps), grouped as PyTorch computes it (lr / correction1 first); m moves
  // toward g as ATen's lerp computes it (from the nearer end), with weight w1 = 1 - beta1.
  const { stepSize, rootCorrection2, keep, w1, w2 } = adamScalars(o, lr, t);
  const fromStart = w1 < 0.5;
  const mAt = n;
  const vAt = 2 * n;
  const maxAt = 3 * n;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    if (trainable[i] === 0) continue;
    const gi = g[i];
    const before = state[i];
    const m0 = state[mAt + i];
    const m = fromStart ? m0 + w1 * (gi - m0) : gi - (gi - m0) * (1 - w1);
    const v = state[vAt + i] * beta2 + w2 * gi * gi;
    state[mAt + i] = m;
    state[vAt + i] = v;
    let vUsed = v;
    if (amsgrad) {
      const max = state[maxAt + i];
      if (max > v) vUsed = max;
      state[maxAt + i] = vUsed;
    }
    const after = (keep === 1 ? before : before * keep) + (-stepSize * m) / (Math.sqrt(vUsed) / rootCorrection2 + epsilon);
    state[i] = after;
    const size = after > before ? after - before : before - after;
    if (size > largest || size !== size) largest = size;
  }
  return largest;
}

/** a + w x (b - a), as ATen's lerp computes it (from the nearer end), so the running means match PyTorch's bits. */
function lerp(a: number, b: number, w: number): number {
  return w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

/** max(largest, |step|), letting NaN through: once it is NaN or Infinity nothing replaces it. */
function larger(largest: number, step: number): number {
  const size = step < 0 ? -step : step;
  return size > largest || size !== size ? size : largest;
}

/** One parameter's update, term by term with its numbers: what the hover card and `explain` write. */
export interface UpdateExplanation {
  /** The rule in one line, as the docs write it. */
  readonly rule: string;
  /** Each quantity of the rule, named as the docs name it, with its value at this update. */
  readonly terms: readonly { readonly label: string; readonly value: number }[];
  /** The parameter before and after, and what plain gradient descent would have taken. */
  readonly before: number;
  readonly after: number;
  readonly plainStep: number;
}

/**
 * How `applyUpdate` would change parameter `i` from `state` with gradient `gi` at rate `lr`,
 * written out (it reads the state, never writes it).
 */
export function explainUpdate(o: OptimizerSettings, state: ArrayLike<number>, n: number, i: number, gi: number, lr: number, trainable: boolean): UpdateExplanation {
  const before = state[i];
  const plainStep = lr * gi;
  if (!trainable) return { rule: 'not trainable: it stays', terms: [], before, after: before, plainStep: 0 };
  switch (o.type) {
    case 'sgd':
      return { rule: 'new = old − lr × g', terms: [{ label: 'lr', value: lr }, { label: 'g', value: gi }, { label: 'lr × g', value: plainStep }], before, after: before - plainStep, plainStep };
    case 'momentum': {
      const first = state[2 * n] === 0;
      const buf = first ? gi : o.momentum * state[n + i] + (1 - o.dampening) * gi;
      const along = o.nesterov ? gi + o.momentum * buf : buf;
      return {
        rule: first
          ? `velocity = g on the first update; new = old − lr × ${o.nesterov ? '(g + momentum × velocity)' : 'velocity'}`
          : `velocity = momentum × velocity + (1 − dampening) × g; new = old − lr × ${o.nesterov ? '(g + momentum × velocity)' : 'velocity'}`,
        terms: [{ label: 'g', value: gi }, { label: 'velocity before', value: state[n + i] }, { label: 'velocity', value: buf }, { label: 'lr', value: lr }, { label: 'step', value: lr * along }],
        before, after: before - lr * along, plainStep,
      };
    }
    case 'rmsprop': {
      const square = state[n + i] * o.alpha + (1 - o.alpha) * gi * gi;
      let avg = square;
      const terms: { label: string; value: number }[] = [{ label: 'g', value: gi }, { label: 'square before', value: state[n + i] }, { label: 'square', value: square }];
      if (o.centered) {
        const mean = lerp(state[2 * n + i], gi, 1 - o.alpha);
        avg = square - mean * mean;
        terms.push({ label: 'average', value: mean });
      }
      const denominator = Math.sqrt(avg) + o.epsilon;
      terms.push({ label: o.centered ? '√(square − average²) + ε' : '√square + ε', value: denominator });
      let step = (lr * gi) / denominator;
      if (o.momentum > 0) {
        const buf = o.momentum * state[(o.centered ? 3 : 2) * n + i] + gi / denominator;
        terms.push({ label: 'velocity', value: buf });
        step = lr * buf;
      }
      terms.push({ label: 'step', value: step });
      return {
        rule: `square = α × square + (1 − α) × g²; ${o.momentum > 0 ? 'velocity = momentum × velocity + g / (√square + ε); new = old − lr × velocity' : 'new = old − lr × g / (√square + ε)'}`,
        terms, before, after: before - step, plainStep,
      };
    }
    case 'adam':
    case 'adamw': {
      const countAt = n * (o.amsgrad ? 4 : 3);
      const t = state[countAt] + 1;
      const m = lerp(state[n + i], gi, 1 - o.beta1);
      const v = state[2 * n + i] * o.beta2 + (1 - o.beta2) * gi * gi;
      const vUsed = o.amsgrad ? Math.max(v, state[3 * n + i]) : v;
      const correction1 = 1 - o.beta1 ** t;
      const correction2 = 1 - o.beta2 ** t;
      const mHat = m / correction1;
      const vHat = vUsed / correction2;
      const decayed = o.type === 'adamw' ? before * (1 - lr * o.weightDecay) : before;
      const step = (lr * mHat) / (Math.sqrt(vHat) + o.epsilon);
      const terms = [
        { label: 't', value: t }, { label: 'g', value: gi },
        { label: 'm before', value: state[n + i] }, { label: 'v before', value: state[2 * n + i] },
        { label: 'm', value: m }, { label: 'v', value: v },
        ...(o.amsgrad ? [{ label: 'max v', value: vUsed }] : []),
        { label: '1 − β1^t', value: correction1 }, { label: '1 − β2^t', value: correction2 },
        { label: 'm̂', value: mHat }, { label: 'v̂', value: vHat },
        ...(o.type === 'adamw' ? [{ label: 'old × (1 − lr × weightDecay)', value: decayed }] : []),
        { label: 'lr × m̂ / (√v̂ + ε)', value: step },
      ];
      return {
        rule: `m = β1 × m + (1 − β1) × g; v = β2 × v + (1 − β2) × g²; m̂ = m / (1 − β1^t); v̂ = ${o.amsgrad ? 'max v' : 'v'} / (1 − β2^t); new = ${o.type === 'adamw' ? 'old × (1 − lr × weightDecay)' : 'old'} − lr × m̂ / (√v̂ + ε)`,
        terms, before, after: decayed - step, plainStep,
      };
    }
  }
}

/**
 * The sharpness (the largest eigenvalue of the loss's Hessian) past which the optimizer's steps on
 * a quadratic grow instead of shrink, and how the limit is written: 2 / lr for gradient descent;
 * with PyTorch's momentum (heavy ball) 2 (1 + momentum) / ((1 - dampening) lr), with Nesterov's
 * 2 (1 + momentum) / ((1 + 2 momentum) lr) (from the two-step recurrence each one is on a
 * quadratic; a unit test finds both limits by bisection). null for RMSProp, Adam and AdamW: they
 * rescale each parameter's step, so their limit is on a preconditioned sharpness, not this one.
 */
export function stabilityLimit(o: OptimizerSettings, lr: number): { limit: number; rule: string } | null {
  if (o.type === 'sgd') return { limit: 2 / lr, rule: '2 / learning rate' };
  if (o.type !== 'momentum') return null;
  const mu = o.momentum;
  if (o.nesterov) return { limit: (2 * (1 + mu)) / ((1 + 2 * mu) * lr), rule: '2 (1 + momentum) / ((1 + 2 momentum) × learning rate)' };
  if (o.dampening !== 0) return { limit: (2 * (1 + mu)) / ((1 - o.dampening) * lr), rule: '2 (1 + momentum) / ((1 − dampening) × learning rate)' };
  return { limit: (2 * (1 + mu)) / lr, rule: '2 (1 + momentum) / learning rate' };
}

/** Each optimizer's short name, as a chart's legend or a picker says it. */
export const OPTIMIZER_LABELS: Record<OptimizerType, string> = { sgd: 'SGD', momentum: 'Momentum', rmsprop: 'RMSProp', adam: 'Adam', adamw: 'AdamW' };

const OPTIMIZER_NAMES: Record<OptimizerType, string> = { sgd: 'gradient descent', momentum: 'gradient descent with momentum', rmsprop: 'RMSProp', adam: 'Adam', adamw: 'AdamW' };

/**
 * How a network trains, in a line: "Adam (learning rate 0.01), batches of 2 shuffled (seed 0), L2
 * 0.01": what the CLI and the Variables view say before any number.
 */
export function describeTraining(network: Network): string {
  const t = network.training;
  const o = t.optimizer;
  const fields = Object.entries(o).filter(([k, v]) => k !== 'type' && v !== (OPTIMIZER_DEFAULTS[o.type] as Record<string, unknown>)[k]).map(([k, v]) => `${k} ${v}`);
  const parts = [`${OPTIMIZER_NAMES[o.type]} (learning rate ${t.learningRate}${fields.length ? `, ${fields.join(', ')}` : ''})`];
  const n = network.data.samples;
  if (t.batchSize !== null && t.batchSize < n) parts.push(`batches of ${t.batchSize}${t.shuffle ? ` shuffled (seed ${t.seed})` : ' in file order'}`);
  const { l1, l2 } = t.regularization;
  if (l1 !== 0) parts.push(`L1 ${l1}`);
  if (l2 !== 0) parts.push(`L2 ${l2}`);
  const s = t.schedule;
  if (s.type === 'step') parts.push(`the rate × ${s.factor} every ${s.every} steps`);
  if (s.type === 'exponential') parts.push(`the rate × ${s.factor} each step`);
  if (s.type === 'cosine') parts.push(`a cosine schedule to ${s.min} over ${s.steps} steps`);
  if (t.clip !== null) parts.push(`the gradient clipped to norm ${t.clip}`);
  return parts.join(', ');
}
