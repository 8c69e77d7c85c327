/**
 * Activations and losses. Each derivative sits beside its function (micrograd's habit), and
 * every activation is applied by a whole-buffer loop rather than a per-element callback: the
 * training loop calls these once per layer per step, so a `switch` outside the loop keeps the
 * inner loop monomorphic and allocation-free.
 */

export const ACTIVATIONS = ['identity', 'softplus', 'relu', 'sigmoid', 'tanh', 'leaky-relu', 'elu', 'gelu', 'silu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const LOSSES = ['ssr', 'mse', 'cross-entropy'] as const;
export type Loss = (typeof LOSSES)[number];

/**
 * The one number an activation may take from its layer: leaky ReLU's `slope` (0.01, PyTorch's
 * negative_slope) and ELU's `alpha` (1); 0 for the rest. `ACTIVATION_PARAMETERS` names the field.
 */
export const ACTIVATION_PARAMETERS: Partial<Record<Activation, { field: 'slope' | 'alpha'; default: number }>> = {
  'leaky-relu': { field: 'slope', default: 0.01 },
  'elu': { field: 'alpha', default: 1 },
};

/** GELU's tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as PyTorch's approximate='tanh'. */
const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_K * x * x * x)));
}

function geluSlope(x: number): number {
  const t = Math.tanh(GELU_C * (x + GELU_K * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * x * x);
}

/** softplus(x) = ln(1 + e^x), computed without overflow for large |x|. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** f(x) for one value: used by the explainer and tests, never by the training loop. */
export function activate(kind: Activation, x: number, param = ACTIVATION_PARAMETERS[kind]?.default ?? 0): number {
  switch (kind) {
    case 'identity': return x;
    case 'softplus': return softplus(x);
    case 'relu': return x > 0 ? x : 0;
    case 'sigmoid': return sigmoid(x);
    case 'tanh': return Math.tanh(x);
    case 'leaky-relu': return x > 0 ? x : param * x;
    case 'elu': return x > 0 ? x : param * Math.expm1(x);
    case 'gelu': return gelu(x);
    case 'silu': return x * sigmoid(x);
  }
}

/**
 * f'(x) for one value, given x and y = f(x). Derivatives are written in terms of y where that
 * saves an exp: softplus'(x) = sigmoid(x) = 1 - e^(-y); sigmoid' = y(1 - y); tanh' = 1 - y^2.
 */
export function activationSlope(kind: Activation, x: number, y: number, param = ACTIVATION_PARAMETERS[kind]?.default ?? 0): number {
  switch (kind) {
    case 'identity': return 1;
    case 'softplus': return x > 0 ? -Math.expm1(-y) : sigmoid(x);
    case 'relu': return x > 0 ? 1 : 0;
    case 'sigmoid': return y * (1 - y);
    case 'tanh': return 1 - y * y;
    // leaky ReLU: 1 or slope; ELU: 1, or alpha e^x = y + alpha below 0.
    case 'leaky-relu': return x > 0 ? 1 : param;
    case 'elu': return x > 0 ? 1 : y + param;
    case 'gelu': return geluSlope(x);
    // silu' = sigmoid(x) (1 + x (1 - sigmoid(x)))
    case 'silu': { const s = sigmoid(x); return s * (1 + x * (1 - s)); }
  }
}

/** y[i] = f(x[i]) for i in [0, n); `param` is the layer's (ACTIVATION_PARAMETERS). */
export function activateBuffer(kind: Activation, x: Float64Array, y: Float64Array, n: number, param = 0): void {
  switch (kind) {
    case 'identity':
      for (let i = 0; i < n; i++) y[i] = x[i];
      return;
    case 'softplus':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); y[i] = e / (1 + e); }
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
      return;
    case 'leaky-relu':
      for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? v : param * v; }
      return;
    case 'elu':
      for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? v : param * Math.expm1(v); }
      return;
    case 'gelu':
      for (let i = 0; i < n; i++) y[i] = gelu(x[i]);
      return;
    case 'silu':
      for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v * sigmoid(v); }
      return;
  }
}

/** dx[i] = dy[i] * f'(x[i]), the chain rule through the activation, in place over [0, n). */
export function backpropActivation(
  kind: Activation, x: Float64Array, y: Float64Array, dy: Float64Array, dx: Float64Array, n: number, param = 0,
): void {
  switch (kind) {
    case 'identity':
      for (let i = 0; i < n; i++) dx[i] = dy[i];
      return;
    case 'softplus':
      // softplus'(x) = sigmoid(x); for x > 0 it is 1 - e^(-y), reusing the forward pass's y.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        let s: number;
        if (v > 0) s = -Math.expm1(-y[i]);
        else { const e = Math.exp(v); s = e / (1 + e); }
        dx[i] = dy[i] * s;
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
      return;
    case 'leaky-relu':
    case 'elu':
    case 'gelu':
    case 'silu':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * activationSlope(kind, x[i], y[i], param);
      return;
  }
}

/**
 * The loss over all samples and its derivative with respect to every prediction.
 * `predicted` and `targets` are [samples x outputs] row-major; `dPredicted` receives dLoss/dPredicted.
 *
 * Conventions (say which wherever a number is shown):
 * - ssr: sum over samples and outputs of (observed - predicted)^2; dSSR/dPredicted = -2(observed - predicted).
 * - mse: ssr / samples.
 * - cross-entropy: softmax over each sample's outputs, then -sum(target x ln softmax), summed over samples;
 *   dCE/dPredicted_k = softmax_k x sum(targets) - target_k (softmax_k - target_k for one-hot targets).
 */
export function lossAndGradient(
  loss: Loss, predicted: Float64Array, targets: Float64Array, dPredicted: Float64Array,
  samples: number, outputs: number,
): number {
  const n = samples * outputs;
  switch (loss) {
    case 'ssr':
    case 'mse': {
      const scale = loss === 'mse' ? 1 / samples : 1;
      let total = 0;
      for (let i = 0; i < n; i++) {
        const r = targets[i] - predicted[i];
        total += r * r;
        dPredicted[i] = -2 * r * scale;
      }
      return total * scale;
    }
    case 'cross-entropy': {
      let total = 0;
      for (let s = 0, row = 0; s < samples; s++, row += outputs) {
        let max = -Infinity;
        for (let k = 0; k < outputs; k++) if (predicted[row + k] > max) max = predicted[row + k];
        let sumExp = 0;
        let sumTargets = 0;
        for (let k = 0; k < outputs; k++) {
          sumExp += Math.exp(predicted[row + k] - max);
          sumTargets += targets[row + k];
        }
        const logSumExp = max + Math.log(sumExp);
        for (let k = 0; k < outputs; k++) {
          const logSoftmax = predicted[row + k] - logSumExp;
          const t = targets[row + k];
          if (t !== 0) total -= t * logSoftmax;
          dPredicted[row + k] = Math.exp(logSoftmax) * sumTargets - t;
        }
      }
      return total;
    }
  }
}

/**
 * The softmax of one sample's outputs: the probabilities cross-entropy compares with the targets
 * (max subtracted first, so large outputs do not overflow exp).
 */
export function softmax(values: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let k = 0; k < values.length; k++) if (values[k] > max) max = values[k];
  const exps = Array.from(values, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** The short name a loss goes by in formulas: dSSR/dw3, dMSE/dw3, dCE/dw3. */
export function lossSymbol(loss: Loss): string {
  switch (loss) {
    case 'ssr': return 'SSR';
    case 'mse': return 'MSE';
    case 'cross-entropy': return 'CE';
  }
}
