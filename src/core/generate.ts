/**
 * TensorFlow Playground's datasets, generated: `"data": { "generate": "spiral", "samples": 200,
 * "noise": 0.1, "seed": 1 }`. The formulas are Playground's (src/dataset.ts in
 * tensorflow/playground), drawn in the same order from our own seeded generator (random.ts), so a
 * seed gives the same points on every machine. docs/data.md writes each one out.
 *
 * circle, xor, gauss and spiral are two-class classification over the points (x1, x2); plane and
 * multigauss are regression, one value per point in about [-1, 1]. Playground labels its classes
 * +1 and -1; here they are class 1 and class 0 (see generatedTargets for how they reach the outputs).
 */
import type { Activation, Loss } from './math';
import type { Dataset } from './network';
import { SeededRandom } from './random';

export const GENERATED_KINDS = ['circle', 'xor', 'gauss', 'spiral', 'plane', 'multigauss'] as const;
export type GeneratedKind = (typeof GENERATED_KINDS)[number];

/** The kinds whose points carry a class (0 or 1); the others carry a number. */
export const CLASSIFICATION_KINDS: readonly GeneratedKind[] = ['circle', 'xor', 'gauss', 'spiral'];

export function isClassification(kind: GeneratedKind): boolean {
  return CLASSIFICATION_KINDS.includes(kind);
}

export interface GenerateSpec {
  readonly kind: GeneratedKind;
  readonly samples: number;
  /** Playground's noise slider as a share: 0 to 0.5 (its 0 to 50). */
  readonly noise: number;
  readonly seed: number;
}

export const GENERATE_DEFAULTS = { samples: 200, noise: 0, seed: 1 } as const;
/** Playground's slider stops at 50% noise; a million points is far past what a debugger steps through. */
/** The noise a dataset may have; its samples are bounded by the `samples` limit (limits.ts). */
export const GENERATE_LIMITS = { noise: 0.5 } as const;

/** What each kind makes, for New Network's choices and `backprop check`. */
export const GENERATED_DESCRIPTIONS: Readonly<Record<GeneratedKind, string>> = {
  circle: 'two classes: a disc of radius 2.5 inside a ring from 3.5 to 5',
  xor: 'two classes: the quadrants where x1·x2 is positive against the others',
  gauss: 'two classes: two normal clouds around (2, 2) and (-2, -2)',
  spiral: 'two classes: two interleaved spiral arms',
  plane: 'regression: the tilted plane (x1 + x2) / 10',
  multigauss: 'regression: six bumps of +1 and -1 in two rows',
};

/**
 * The points and their values: `points` holds x1, x2 of each sample (row-major, 2 wide);
 * `values[i]` is sample i's class (1 or 0) or its regression value.
 */
export function generatePoints(spec: GenerateSpec): { points: Float64Array; values: Float64Array } {
  const random = new SeededRandom(spec.seed);
  const uniform = (a: number, b: number): number => random.next() * (b - a) + a;
  const n = spec.samples;
  const noise = spec.noise;
  const points = new Float64Array(2 * n);
  const values = new Float64Array(n);
  let i = 0;
  const push = (x: number, y: number, value: number): void => {
    points[2 * i] = x;
    points[2 * i + 1] = y;
    values[i] = value;
    i++;
  };
  // Playground makes numSamples / 2 of each class; an odd count gives the first class the extra one.
  const first = Math.ceil(n / 2);
  const second = n - first;
  switch (spec.kind) {
    case 'circle': {
      const radius = 5;
      const label = (x: number, y: number): number => (Math.hypot(x, y) < radius * 0.5 ? 1 : 0);
      const ring = (count: number, from: number, to: number): void => {
        for (let j = 0; j < count; j++) {
          const r = uniform(from, to);
          const angle = uniform(0, 2 * Math.PI);
          const x = r * Math.sin(angle);
          const y = r * Math.cos(angle);
          const noiseX = uniform(-radius, radius) * noise;
          const noiseY = uniform(-radius, radius) * noise;
          push(x, y, label(x + noiseX, y + noiseY));
        }
      };
      ring(first, 0, radius * 0.5);
      ring(second, radius * 0.7, radius);
      break;
    }
    case 'xor': {
      const padding = 0.3;
      for (let j = 0; j < n; j++) {
        let x = uniform(-5, 5);
        x += x > 0 ? padding : -padding;
        let y = uniform(-5, 5);
        y += y > 0 ? padding : -padding;
        const noiseX = uniform(-5, 5) * noise;
        const noiseY = uniform(-5, 5) * noise;
        push(x, y, (x + noiseX) * (y + noiseY) >= 0 ? 1 : 0);
      }
      break;
    }
    case 'gauss': {
      // Playground's variance grows linearly with the noise: 0.5 at none, 4 at 0.5.
      const sd = Math.sqrt(0.5 + 7 * noise);
      const cloud = (count: number, cx: number, cy: number, label: number): void => {
        for (let j = 0; j < count; j++) {
          const x = cx + sd * random.normal();
          const y = cy + sd * random.normal();
          push(x, y, label);
        }
      };
      cloud(first, 2, 2, 1);
      cloud(second, -2, -2, 0);
      break;
    }
    case 'spiral': {
      const arm = (count: number, deltaT: number, label: number): void => {
        for (let j = 0; j < count; j++) {
          const r = (j / count) * 5;
          const t = ((1.75 * j) / count) * 2 * Math.PI + deltaT;
          const x = r * Math.sin(t) + uniform(-1, 1) * noise;
          const y = r * Math.cos(t) + uniform(-1, 1) * noise;
          push(x, y, label);
        }
      };
      arm(first, 0, 1);
      arm(second, Math.PI, 0);
      break;
    }
    case 'plane':
    case 'multigauss': {
      const radius = 6;
      const value = spec.kind === 'plane' ? plane : multigauss;
      for (let j = 0; j < n; j++) {
        const x = uniform(-radius, radius);
        const y = uniform(-radius, radius);
        const noiseX = uniform(-radius, radius) * noise;
        const noiseY = uniform(-radius, radius) * noise;
        push(x, y, value(x + noiseX, y + noiseY));
      }
      break;
    }
  }
  return { points, values };
}

/** Playground's plane: x1 + x2 scaled from [-10, 10] to [-1, 1]. */
export function plane(x: number, y: number): number {
  return (x + y) / 10;
}

const BUMPS: readonly (readonly [number, number, number])[] = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];

/** Playground's six Gaussians: each bump falls from its sign at its centre to 0 at distance 2; the largest in size wins. */
export function multigauss(x: number, y: number): number {
  let value = 0;
  for (const [cx, cy, sign] of BUMPS) {
    const v = sign * Math.min(1, Math.max(0, 1 - Math.hypot(x - cx, y - cy) / 2));
    if (Math.abs(v) > Math.abs(value)) value = v;
  }
  return value;
}

/**
 * How a kind's values become a network's targets, or why this network cannot take them. Classes
 * fill the outputs in order: 2 outputs are one-hot (class 0 on the first, class 1 on the second:
 * cross-entropy's form); 1 output holds 1 for class 1 and 0 for class 0 (a sigmoid's range), or
 * -1 for class 0 when the last layer is tanh (Playground's own labels). Regression needs 1 output.
 */
export function generatedTargets(kind: GeneratedKind, inputs: readonly string[], outputs: readonly string[], lastActivation: Activation, loss: Loss):
  { encode: (value: number, out: Float64Array, at: number) => void } | { error: string } {
  const listed = (names: readonly string[]): string => `${names.length} (${names.join(', ')})`;
  if (inputs.length !== 2) return { error: `"${kind}" makes points (x1, x2) in the plane, so the network needs 2 inputs, not ${listed(inputs)}` };
  if (isClassification(kind)) {
    if (outputs.length === 2) return { encode: (v, out, at) => { out[at] = 1 - v; out[at + 1] = v; } };
    if (outputs.length === 1) {
      const negative = lastActivation === 'tanh' ? -1 : 0;
      return { encode: (v, out, at) => { out[at] = v === 1 ? 1 : negative; } };
    }
    return { error: `"${kind}" has 2 classes: give 1 output (1 for class 1, 0 for class 0) or 2 outputs (one per class), not ${listed(outputs)}` };
  }
  if (outputs.length !== 1 || loss === 'cross-entropy') {
    return { error: `"${kind}" is regression (one number per point, about -1 to 1), so the network needs 1 output and the loss "ssr" or "mse", not ${outputs.length === 1 ? `"${loss}"` : `${listed(outputs)} outputs`}` };
  }
  return { encode: (v, out, at) => { out[at] = v; } };
}

/** The dataset `spec` makes, its targets written by `encode` (generatedTargets) for `outputs` outputs. */
export function generatedDataset(spec: GenerateSpec, outputs: number, encode: (value: number, out: Float64Array, at: number) => void): Dataset {
  const { points, values } = generatePoints(spec);
  const targets = new Float64Array(spec.samples * outputs);
  for (let i = 0; i < spec.samples; i++) encode(values[i], targets, i * outputs);
  return { samples: spec.samples, inputs: points, targets };
}
