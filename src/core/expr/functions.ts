/**
 * The expression language's functions of one number, each written once: breakpoint conditions
 * (src/session/expr/compile.ts) and input features (src/core/features.ts) call the same ones.
 */
export const NUMBER_FUNCTIONS: Readonly<Record<string, (x: number) => number>> = {
  abs: Math.abs,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  isfinite: (x) => (Number.isFinite(x) ? 1 : 0),
};

/**
 * The names conditions read that are neither parameters nor groups: the training scalars and the
 * charts' instruments (compile.ts gives their meaning). Listed here so an input feature that
 * names one is told why it cannot (a feature is computed before any training).
 */
export const CONDITION_SCALARS = ['step', 'loss', 'stepSize', 'learningRate', 'epoch', 'batch', 'batchLoss', 'valLoss'] as const;
export const CONDITION_INSTRUMENTS = ['gradientNorm', 'updateRatio', 'distance', 'deadShare', 'saturatedShare', 'sharpness'] as const;
