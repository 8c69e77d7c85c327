/** A small drawing of each activation's curve, drawn inside its unit as StatQuest draws it. */
import type { Activation } from '../../src/core/math';

const curves: Record<Activation, (x: number) => number> = {
  identity: (x) => x,
  softplus: (x) => Math.log1p(Math.exp(x)),
  relu: (x) => Math.max(0, x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: (x) => Math.tanh(x),
  // The shapes only (a slope of 0.1 so the bend shows at this size).
  'leaky-relu': (x) => (x > 0 ? x : 0.1 * x),
  'elu': (x) => (x > 0 ? x : Math.expm1(x)),
  'gelu': (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  'silu': (x) => x / (1 + Math.exp(-x)),
};

/** An SVG path of f on [-3, 3], scaled into a box of half-size `s` centred on (cx, cy). */
export function glyphPath(activation: Activation, cx: number, cy: number, s: number): string {
  const f = curves[activation];
  const xs = Array.from({ length: 25 }, (_, i) => -3 + (6 * i) / 24);
  const ys = xs.map(f);
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const span = hi - lo || 1;
  return xs.map((x, i) => `${i === 0 ? 'M' : 'L'}${(cx + (x / 3) * s).toFixed(2)},${(cy + s - ((ys[i] - lo) / span) * 2 * s).toFixed(2)}`).join(' ');
}
