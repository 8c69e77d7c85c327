/**
 * Each unit's picture (TensorFlow Playground's signature): every hidden and output unit's output
 * over the input plane (two inputs) or along the input's range (one input), from ONE forward pass
 * of the whole grid through the network, every unit at once. The output's picture of a classifier
 * carries its decision boundary (marching squares over the grid), and every picture the few numbers
 * its words need (range, where it is positive). Pure, and without allocation per refresh: the
 * grid's trainer, its inputs and every buffer below are made once per network and reused.
 *
 * The maps are drawn over the network's raw input columns; `rowAtPoint` is the one place a point
 * of that plane becomes the network's input row (features.ts's rowAtPoint: through the features, when the network has them).
 */
import type { Activation } from './math';
import type { Network } from './network';
import { inputRange } from './curves';
import { columnRows, inputColumns, rowAtPoint } from './features';
import { Trainer } from './train';

/** Pictures are drawn for networks of at most this many hidden and output units together (past it, none: see docs/charts.md). */
export const MAP_UNITS = 64;
/** Grid points a side of the plane: 32 for a teaching network, 24 past MAP_FINE_UNITS units (the bytes per refresh stay small). */
export const MAP_SIDE = 32;
export const MAP_SIDE_COARSE = 24;
export const MAP_FINE_UNITS = 16;
/** Points along the one input's range for a unit's curve. */
export const CURVE_POINTS = 64;

/** The raw input columns the pictures are drawn over: one (a curve) or two (a plane). */
export function mapInputNames(network: Network): readonly string[] {
  return inputColumns(network);
}

/** Whether a network gets pictures: one or two raw inputs, at most MAP_UNITS hidden and output units. */
export function hasUnitMaps(network: Network): boolean {
  const inputs = mapInputNames(network).length;
  const units = network.layers.reduce((n, l) => n + l.units, 0);
  return (inputs === 1 || inputs === 2) && units <= MAP_UNITS;
}

/**
 * What a unit's picture shows and on what scale: the activation's own range where it has one
 * (sigmoid 0..1, tanh -1..1, a classifier's probability 0..1), else symmetric about 0 over what
 * the grid holds, so 0 is always the scale's middle (the background) and the sign reads as colour.
 */
export function mapDomain(activation: Activation, probability: boolean, min: number, max: number): [number, number] {
  if (probability || activation === 'sigmoid') return [0, 1];
  if (activation === 'tanh') return [-1, 1];
  const m = Math.max(Math.abs(min), Math.abs(max));
  return Number.isFinite(m) && m > 1e-12 ? [-m, m] : [-1, 1];
}

/** The level a unit's words and boundary use: 0.5 for sigmoid and probabilities, 0 for the rest. */
export function mapLevel(activation: Activation, probability: boolean): number {
  return probability || activation === 'sigmoid' ? 0.5 : 0;
}

/**
 * One network's pictures: the grid, the trainer whose data the grid is, and the buffers the
 * pictures are read from. compute() is one forward pass; nothing is allocated after construction.
 */
export class UnitMapper {
  /** 2 for a plane, 1 for a curve. */
  readonly dimensions: 1 | 2;
  /** Grid points a side (plane) or along the range (curve). */
  readonly side: number;
  /** The grid's coordinates on each raw input (ys empty for a curve). */
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly xRange: [number, number];
  readonly yRange: [number, number] | null;
  /** The output layer's values are softmax probabilities (cross-entropy), not the raw outputs. */
  readonly probabilities: boolean;
  /** Every hidden and output unit, in layer then unit order. */
  readonly units: readonly { layer: number; unit: number; activation: Activation }[];
  private readonly trainer: Trainer;
  /** The classes' probabilities at each grid point (cross-entropy), [points x outputs]. */
  private readonly probs: Float64Array;
  /** The boundary's segments, and a cell's crossings (scratch of `boundary`). */
  private readonly segments: Float64Array;
  private readonly corners = new Float64Array(4);
  private readonly cornersY = new Float64Array(4);
  segmentCount = 0;

  constructor(readonly network: Network, side?: number) {
    const names = mapInputNames(network);
    if (names.length !== 1 && names.length !== 2) throw new RangeError('unit pictures need one or two inputs');
    this.dimensions = names.length as 1 | 2;
    const totalUnits = network.layers.reduce((n, l) => n + l.units, 0);
    this.side = side ?? (this.dimensions === 1 ? CURVE_POINTS : totalUnits > MAP_FINE_UNITS ? MAP_SIDE_COARSE : MAP_SIDE);
    const n = this.side;
    const { rows, width: columns } = columnRows(network);
    this.xRange = inputRange(network, 0, rows, columns);
    this.yRange = this.dimensions === 2 ? inputRange(network, 1, rows, columns) : null;
    this.xs = spaced(this.xRange, n);
    this.ys = this.yRange ? spaced(this.yRange, n) : new Float64Array(0);
    const samples = this.dimensions === 2 ? n * n : n;
    const width = network.inputNames.length;
    const inputs = new Float64Array(samples * width);
    for (let g = 0; g < samples; g++) {
      const x1 = this.dimensions === 2 ? this.xs[g % n] : this.xs[g];
      const x2 = this.dimensions === 2 ? this.ys[Math.floor(g / n)] : NaN;
      rowAtPoint(network, x1, x2, inputs, g * width);
    }
    const nOut = network.outputNames.length;
    const grid: Network = { ...network, validation: null, data: { samples, inputs, targets: new Float64Array(samples * nOut) } };
    // The TypeScript engine (a forward pass a few times a second), on every grid point whatever
    // the file's batches.
    this.trainer = new Trainer(grid, network.initialParameters, { engine: 'js' });
    this.trainer.allSamples = true;
    this.probabilities = network.loss === 'cross-entropy';
    this.probs = new Float64Array(this.probabilities ? samples * nOut : 0);
    this.units = network.layers.flatMap((l, i) => Array.from({ length: l.units }, (_, unit) => ({ layer: i + 1, unit, activation: l.activation })));
    // Marching squares gives at most two segments a cell, four numbers each.
    this.segments = new Float64Array(this.dimensions === 2 ? (n - 1) * (n - 1) * 8 : 0);
  }

  /** How many grid points the pictures have (side x side, or side). */
  get points(): number {
    return this.dimensions === 2 ? this.side * this.side : this.side;
  }

  /** One forward pass of the grid at `params`: every unit's picture at once. */
  compute(params: ArrayLike<number>): void {
    const t = this.trainer;
    t.setParameters(params);
    t.lossOnly();
    if (!this.probabilities) return;
    const nOut = this.network.outputNames.length;
    const out = t.predicted;
    const p = this.probs;
    for (let g = 0, points = this.points; g < points; g++) {
      const at = g * nOut;
      let max = -Infinity;
      for (let k = 0; k < nOut; k++) if (out[at + k] > max) max = out[at + k];
      let sum = 0;
      for (let k = 0; k < nOut; k++) { const e = Math.exp(out[at + k] - max); p[at + k] = e; sum += e; }
      for (let k = 0; k < nOut; k++) p[at + k] /= sum;
    }
  }

  /** Whether a unit's picture shows a probability (a cross-entropy output) rather than its activation. */
  isProbability(layer: number): boolean {
    return this.probabilities && layer === this.network.layers.length;
  }

  /**
   * Unit `unit` of layer `layer` (from 1) at grid point g (g = r * side + c, input 1 = xs[c],
   * input 2 = ys[r]; or g along a curve): its activation a, or its class's probability.
   */
  value(layer: number, unit: number, g: number): number {
    const units = this.network.layers[layer - 1].units;
    return this.isProbability(layer) ? this.probs[g * units + unit] : this.trainer.y[layer - 1][g * units + unit];
  }

  /**
   * The field whose zero is an output's decision boundary at grid point g: a probability's margin
   * over the likeliest other class (zero where this class stops being the likeliest), or
   * a sigmoid's distance from 0.5; NaN for units that decide nothing (hidden ones, a regression output).
   */
  decision(unit: number, g: number): number {
    const L = this.network.layers.length;
    const out = this.network.layers[L - 1];
    if (this.probabilities) {
      const nOut = out.units;
      const at = g * nOut;
      let other = -Infinity;
      for (let k = 0; k < nOut; k++) if (k !== unit && this.probs[at + k] > other) other = this.probs[at + k];
      return nOut === 1 ? NaN : this.probs[at + unit] - other;
    }
    if (out.activation === 'sigmoid') return this.trainer.y[L - 1][g * out.units + unit] - 0.5;
    return NaN;
  }

  /** Whether the output's unit draws a decision boundary (a classifier's output). */
  decides(): boolean {
    const L = this.network.layers.length;
    return this.dimensions === 2 && ((this.probabilities && this.network.layers[L - 1].units > 1) || this.network.layers[L - 1].activation === 'sigmoid');
  }

  /**
   * The output unit's decision boundary: marching squares over decision() at each cell, linear
   * between grid points, as segments (x1, y1, x2, y2 in the inputs' coordinates) in `boundary`,
   * `segmentCount` of them. Empty where the network decides one class everywhere.
   */
  boundary(unit: number): Float64Array {
    this.segmentCount = 0;
    if (!this.decides()) return this.segments.subarray(0, 0);
    const n = this.side;
    const { xs, ys } = this;
    const seg = this.segments;
    let count = 0;
    const px = this.corners;
    const py = this.cornersY;
    for (let r = 0; r < n - 1; r++) {
      for (let c = 0; c < n - 1; c++) {
        const g = r * n + c;
        const v00 = this.decision(unit, g);
        const v10 = this.decision(unit, g + 1);
        const v01 = this.decision(unit, g + n);
        const v11 = this.decision(unit, g + n + 1);
        if (!(v00 === v00 && v10 === v10 && v01 === v01 && v11 === v11)) continue;
        // The cell's edges where the sign changes (bottom, right, top, left), in order: two make a
        // segment, four (a saddle) two segments.
        let k = 0;
        if ((v00 >= 0) !== (v10 >= 0)) { px[k] = cross(v00, v10, xs[c], xs[c + 1]); py[k++] = ys[r]; }
        if ((v10 >= 0) !== (v11 >= 0)) { px[k] = xs[c + 1]; py[k++] = cross(v10, v11, ys[r], ys[r + 1]); }
        if ((v01 >= 0) !== (v11 >= 0)) { px[k] = cross(v01, v11, xs[c], xs[c + 1]); py[k++] = ys[r + 1]; }
        if ((v00 >= 0) !== (v01 >= 0)) { px[k] = xs[c]; py[k++] = cross(v00, v01, ys[r], ys[r + 1]); }
        for (let s = 0; s + 1 < k; s += 2) {
          const at = count++ * 4;
          seg[at] = px[s]; seg[at + 1] = py[s]; seg[at + 2] = px[s + 1]; seg[at + 3] = py[s + 1];
        }
      }
    }
    this.segmentCount = count;
    return seg.subarray(0, count * 4);
  }

  /**
   * A unit's picture in a few numbers, for its words: the least and greatest value, the share of
   * the grid above `level`, and where that share lies: the mean position of its points, from -1
   * (the low end of an input's range) to 1 (the high end); 0 along an axis it does not favour.
   */
  stats(layer: number, unit: number, level: number): { min: number; max: number; above: number; toward: [number, number] } {
    let min = Infinity;
    let max = -Infinity;
    let above = 0;
    let sx = 0;
    let sy = 0;
    const n = this.side;
    const points = this.points;
    for (let g = 0; g < points; g++) {
      const v = this.value(layer, unit, g);
      if (v < min) min = v;
      if (v > max) max = v;
      if (v > level) {
        above++;
        sx += (2 * (g % n)) / (n - 1) - 1;
        if (this.dimensions === 2) sy += (2 * Math.floor(g / n)) / (n - 1) - 1;
      }
    }
    return { min, max, above: above / points, toward: above > 0 ? [sx / above, sy / above] : [0, 0] };
  }
}

/** Where the field crosses zero between a (at lo) and b (at hi), by linear interpolation. */
function cross(a: number, b: number, lo: number, hi: number): number {
  return lo + ((hi - lo) * a) / (a - b);
}

function spaced([lo, hi]: [number, number], n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = n === 1 ? lo : lo + ((hi - lo) * k) / (n - 1);
  return out;
}
