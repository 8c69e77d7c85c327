/**
 * What happens to a gradient between the backward pass and the optimizer, and the learning rate
 * each update uses: regularization (a penalty on the weights, added to the loss), clipping (as
 * PyTorch's `clip_grad_norm_`) and schedules (as `torch.optim.lr_scheduler`'s closed forms).
 * docs/training.md writes each rule.
 */

export interface Regularization {
  /** a in a x sum |w| (over the weights, not the biases). */
  readonly l1: number;
  /** b in b x sum w^2. */
  readonly l2: number;
}

export type Schedule =
  | { readonly type: 'constant' }
  | { readonly type: 'step'; readonly every: number; readonly factor: number }
  | { readonly type: 'exponential'; readonly factor: number }
  | { readonly type: 'cosine'; readonly steps: number; readonly min: number };

export const SCHEDULE_TYPES = ['step', 'exponential', 'cosine'] as const;
export const CONSTANT: Schedule = { type: 'constant' };

/**
 * The learning rate of the update that takes step t to t + 1 (t from 0): `step` multiplies by
 * factor every `every` updates, `exponential` every update, `cosine` anneals from the base rate to
 * `min` over `steps` updates and stays at `min` after.
 */
export function learningRateAt(base: number, schedule: Schedule, t: number): number {
  switch (schedule.type) {
    case 'constant': return base;
    case 'step': return base * schedule.factor ** Math.floor(t / schedule.every);
    case 'exponential': return base * schedule.factor ** t;
    case 'cosine': {
      if (t >= schedule.steps) return schedule.min;
      return schedule.min + ((base - schedule.min) * (1 + Math.cos((Math.PI * t) / schedule.steps))) / 2;
    }
  }
}

/**
 * The penalty a x sum |w| + b x sum w^2 over the first `weightCount` entries of `params` (the
 * weights), and, when `g` is given, its derivative a x sign(w) + 2b x w added to g (sign(0) = 0).
 */
export function regularize(r: Regularization, params: ArrayLike<number>, weightCount: number, g?: Float64Array): number {
  const { l1, l2 } = r;
  if (l1 === 0 && l2 === 0) return 0;
  let absSum = 0;
  let squareSum = 0;
  for (let i = 0; i < weightCount; i++) {
    const w = params[i];
    absSum += w < 0 ? -w : w;
    squareSum += w * w;
    if (g !== undefined) g[i] += l1 * (w > 0 ? 1 : w < 0 ? -1 : 0) + 2 * l2 * w;
  }
  return l1 * absSum + l2 * squareSum;
}

/**
 * Scales the trainable entries of `g` as `torch.nn.utils.clip_grad_norm_(parameters, maxNorm)`:
 * by maxNorm / (norm + 1e-6) when that is below 1, where norm is their Euclidean norm. Returns the
 * norm before clipping; `g` is unchanged when it is at most maxNorm (to the 1e-6).
 */
export function clipGradient(g: Float64Array, trainable: Uint8Array, maxNorm: number): number {
  let sum = 0;
  for (let i = 0; i < g.length; i++) if (trainable[i] !== 0) sum += g[i] * g[i];
  const norm = Math.sqrt(sum);
  const scale = maxNorm / (norm + 1e-6);
  if (scale < 1) for (let i = 0; i < g.length; i++) if (trainable[i] !== 0) g[i] *= scale;
  return norm;
}

/** The factor clipGradient applied for a gradient of norm `norm` (1 when it did not clip). */
export function clipScale(norm: number, maxNorm: number): number {
  const scale = maxNorm / (norm + 1e-6);
  return scale < 1 ? scale : 1;
}
