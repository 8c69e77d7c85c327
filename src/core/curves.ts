/**
 * The curves the charts draw, computed by the core so the webview only draws them: the loss along
 * one parameter with the others held (StatQuest's pink SSR curve), the loss over two parameters
 * (the contour map), the network's output over its input range with each last-hidden unit's
 * contribution (the blue, orange and green curves), the loss history thinned for drawing, and the
 * largest eigenvalue of the loss's Hessian (what says whether a learning rate can converge).
 * Pure: each function reads a network and parameter values and touches no caller's trainer.
 */
import type { Network } from './network';
import { columnRows, rowAtPoint } from './features';
import { softmax } from './math';
import { scratchTrainer, Trainer } from './train';

// ---- the loss along one parameter, and over two ---------------------------------------------------

/**
 * The range a sweep of one parameter covers: where it started, where it is, where the next step
 * takes it, and a margin of at least 3 either side. Anchored at the start, so the curve stays put
 * while the point walks down it.
 */
export function sweepRange(current: number, start: number, gradient: number, learningRate: number): [number, number] {
  const next = current - learningRate * gradient;
  const points = Number.isFinite(next) && Math.abs(next - current) < 1e6 ? [current, start, next] : [current, start];
  const lo = Math.min(...points);
  const hi = Math.max(...points);
  const margin = Math.max(3, 0.5 * (hi - lo));
  return [lo - margin, hi + margin];
}

/** The loss at `points` evenly spaced values of parameter `index` from lo to hi, every other parameter at `params`. */
export function lossSweep(network: Network, params: ArrayLike<number>, index: number, lo: number, hi: number, points = 121): { xs: Float64Array; losses: Float64Array } {
  const t = scratchTrainer(network, params);
  const xs = new Float64Array(points);
  const losses = new Float64Array(points);
  for (let k = 0; k < points; k++) {
    const x = points === 1 ? lo : lo + ((hi - lo) * k) / (points - 1);
    xs[k] = x;
    losses[k] = lossWith(t, index, x);
  }
  return { xs, losses };
}

function lossWith(t: Trainer, index: number, value: number): number {
  t.params[index] = value;
  t.invalidate();
  return t.lossOnly();
}

/**
 * The lowest loss along parameter `index` (the others at `params`), from a sweep of it: the sweep's
 * lowest sample, refined by golden-section search between its neighbours (where StatQuest's pink
 * curve bottoms out: b3 = 2.61 for the dosage network).
 */
export function sweepMinimum(network: Network, params: ArrayLike<number>, index: number, sweep: { xs: Float64Array; losses: Float64Array }, iterations = 80): { x: number; loss: number } {
  const { xs, losses } = sweep;
  const points = xs.length;
  let best = 0;
  for (let k = 1; k < points; k++) if (losses[k] < losses[best] || !(losses[best] === losses[best])) best = k;
  let a = xs[Math.max(0, best - 1)];
  let b = xs[Math.min(points - 1, best + 1)];
  const t = scratchTrainer(network, params);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = lossWith(t, index, c);
  let fd = lossWith(t, index, d);
  for (let i = 0; i < iterations && b - a > 1e-12 * Math.max(1, Math.abs(a)); i++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - ratio * (b - a); fc = lossWith(t, index, c); }
    else { a = c; c = d; fc = fd; d = a + ratio * (b - a); fd = lossWith(t, index, d); }
  }
  const x = (a + b) / 2;
  return { x, loss: lossWith(t, index, x) };
}

/**
 * The loss over a grid of two parameters' values (the others at `params`): `losses[r * n + c]` at
 * parameter i = xs[c], parameter j = ys[r]. What the contour map draws.
 */
export function lossSurface(network: Network, params: ArrayLike<number>, i: number, j: number, rangeI: [number, number], rangeJ: [number, number], n = 41): { xs: Float64Array; ys: Float64Array; losses: Float64Array } {
  const t = scratchTrainer(network, params);
  const xs = grid(rangeI[0], rangeI[1], n);
  const ys = grid(rangeJ[0], rangeJ[1], n);
  const losses = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    t.params[j] = ys[r];
    for (let c = 0; c < n; c++) {
      t.params[i] = xs[c];
      t.invalidate();
      losses[r * n + c] = t.lossOnly();
    }
  }
  return { xs, ys, losses };
}

function grid(lo: number, hi: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = n === 1 ? lo : lo + ((hi - lo) * k) / (n - 1);
  return out;
}

// ---- the fit ----------------------------------------------------------------------------------

/** The data as the network sees it now: each sample's inputs, observed and predicted outputs. */
export interface FitSamples {
  inputs: number[][];
  observed: number[][];
  predicted: number[][];
  /** Sum over samples and outputs of (observed - predicted)^2: the SSR the residuals add up to. */
  sumOfSquares: number;
  /**
   * For cross-entropy, `predicted` holds each sample's softmax probabilities (what the loss
   * compares with the targets), and `correct` counts the samples whose likeliest class is the
   * observed one; null otherwise.
   */
  correct: number | null;
}

/** One input, one output: the network's curve over the input range, and what makes it up. */
export interface FitCurve {
  xs: number[];
  /** The output at each x: StatQuest's green squiggle. */
  ys: number[];
  /**
   * Each last-hidden unit's contribution, weight x activation, at each x (StatQuest's blue and
   * orange curves), and the output's bias: with an identity output they add up to `ys`. Null when
   * there is no hidden layer, or the output's activation bends the sum.
   */
  contributions: { unit: number; weight: string; values: number[] }[] | null;
  bias: { name: string; value: number } | null;
}

/** Two inputs: the outputs over a grid of the input plane (`values[output][r * n + c]`, input 1 = xs[c], input 2 = ys[r]). */
export interface FitPlane {
  xs: number[];
  ys: number[];
  values: number[][];
  /** Whether `values` are softmax probabilities (cross-entropy), else the raw outputs. */
  probabilities: boolean;
}

/** The samples' predictions now, and their sum of squared residuals. */
export function fitSamples(network: Network, params: ArrayLike<number>): FitSamples {
  const t = scratchTrainer(network, params);
  t.lossOnly();
  const nOut = network.outputNames.length;
  // The inputs as the file has them: the raw columns, when the network's inputs are features of them.
  const { rows: inputs, width: nIn } = columnRows(network);
  const { samples, targets } = network.data;
  const predicted = t.predicted;
  const rows = (a: ArrayLike<number>, width: number): number[][] => Array.from({ length: samples }, (_, i) => Array.from({ length: width }, (_, k) => a[i * width + k]));
  const shown = network.loss === 'cross-entropy' ? softmaxRows(predicted, samples, nOut) : predicted;
  let sumOfSquares = 0;
  for (let i = 0; i < samples * nOut; i++) sumOfSquares += (targets[i] - shown[i]) ** 2;
  let correct: number | null = null;
  if (network.loss === 'cross-entropy') {
    correct = 0;
    for (let i = 0; i < samples; i++) if (argmax(shown, i * nOut, nOut) === argmax(targets, i * nOut, nOut)) correct++;
  }
  return { inputs: rows(inputs, nIn), observed: rows(targets, nOut), predicted: rows(shown, nOut), sumOfSquares, correct };
}

/** Each row's softmax probabilities: what cross-entropy compares with the targets. */
function softmaxRows(values: Float64Array, samples: number, width: number): Float64Array {
  const out = new Float64Array(samples * width);
  for (let i = 0; i < samples; i++) out.set(softmax(values.subarray(i * width, (i + 1) * width)), i * width);
  return out;
}

function argmax(values: ArrayLike<number>, at: number, width: number): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (values[at + k] > values[at + best]) best = k;
  return best;
}

/**
 * The input range a fit draws: the data's, widened by a tenth either side (by 1 if the data sit at
 * one point). `inputs` and `width` name other rows of the same samples (the raw columns features are
 * computed from); by default the network's inputs.
 */
export function inputRange(network: Network, input: number, inputs = network.data.inputs, width = network.inputNames.length): [number, number] {
  const { samples } = network.data;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < samples; i++) {
    const v = inputs[i * width + input];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) return [-1, 1];
  const pad = hi > lo ? 0.1 * (hi - lo) : 1;
  return [lo - pad, hi + pad];
}

/** Trainers whose data is a grid of inputs: one forward pass gives the network's output over the grid. */
const gridTrainers = new WeakMap<Network, Map<string, Trainer>>();

function gridTrainer(network: Network, key: string, inputs: Float64Array, samples: number): Trainer {
  let byKey = gridTrainers.get(network);
  if (!byKey) { byKey = new Map(); gridTrainers.set(network, byKey); }
  let t = byKey.get(key);
  if (!t) {
    const net: Network = { ...network, data: { samples, inputs, targets: new Float64Array(samples * network.outputNames.length) } };
    // The TypeScript engine: a grid is evaluated forward only, a few times a second at most.
    t = new Trainer(net, network.initialParameters, { engine: 'js' });
    // Every grid point, whatever batches the file trains on (else only a batch of them is computed).
    t.allSamples = true;
    byKey.set(key, t);
  }
  return t;
}

/** The network's output over its input's range (one input, one output), with the last hidden layer's contributions. */
export function fitCurve(network: Network, params: ArrayLike<number>, points = 101): FitCurve {
  const { rows, width } = columnRows(network);
  if (width !== 1 || network.outputNames.length !== 1) throw new RangeError('a fit curve needs one input column and one output');
  const [lo, hi] = inputRange(network, 0, rows, width);
  const xs = grid(lo, hi, points);
  const nIn = network.inputNames.length;
  const inputs = new Float64Array(points * nIn);
  for (let g = 0; g < points; g++) rowAtPoint(network, xs[g], NaN, inputs, g * nIn);
  const t = gridTrainer(network, `curve ${points}`, inputs, points);
  t.setParameters(params);
  t.lossOnly();
  const L = network.layers.length;
  const out = network.layers[L - 1];
  let contributions: FitCurve['contributions'] = null;
  let bias: FitCurve['bias'] = null;
  if (L >= 2 && out.activation === 'identity') {
    const hidden = network.layers[L - 2];
    const y = t.y[L - 2];
    contributions = [];
    for (let k = 0; k < hidden.units; k++) {
      const w = out.weightOffset + k;
      const weight = params[w];
      contributions.push({ unit: k, weight: network.parameters[w].name, values: Array.from({ length: points }, (_, g) => weight * y[g * hidden.units + k]) });
    }
    bias = { name: network.parameters[out.biasOffset].name, value: params[out.biasOffset] };
  }
  return { xs: Array.from(xs), ys: Array.from(t.predicted), contributions, bias };
}

/** The network's outputs over the plane of its two input columns (through its features, if any), n x n points. */
export function fitPlane(network: Network, params: ArrayLike<number>, n = 48): FitPlane {
  const { rows, width } = columnRows(network);
  if (width !== 2) throw new RangeError('a fit plane needs two input columns');
  const xs = grid(...inputRange(network, 0, rows, width), n);
  const ys = grid(...inputRange(network, 1, rows, width), n);
  const nIn = network.inputNames.length;
  const inputs = new Float64Array(n * n * nIn);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) rowAtPoint(network, xs[c], ys[r], inputs, (r * n + c) * nIn);
  }
  const t = gridTrainer(network, `plane ${n}`, inputs, n * n);
  t.setParameters(params);
  t.lossOnly();
  const nOut = network.outputNames.length;
  const probabilities = network.loss === 'cross-entropy';
  const predicted = t.predicted;
  const shown = probabilities ? softmaxRows(predicted, n * n, nOut) : predicted;
  const values = Array.from({ length: nOut }, (_, k) => Array.from({ length: n * n }, (_, g) => shown[g * nOut + k]));
  return { xs: Array.from(xs), ys: Array.from(ys), values, probabilities };
}

// ---- thinning a long series for drawing ---------------------------------------------------------

/** Past this many points per point drawn, a min/max pass thins the series before LTTB. */
const PREFILTER = 16;

/**
 * Largest-Triangle-Three-Buckets (Steinarsson, 2013): at most `threshold` points of a series that
 * keep its shape (peaks, dips, the first and last point), so a million steps of loss draw within
 * a frame. The series is the first `count` values of `ys`, at x = x0, x0 + dx, ... (the loss
 * history's states are evenly spaced), every one finite.
 *
 * A long series is first cut into 8 x threshold buckets, each keeping its lowest and highest point
 * in order (the M4 idea: every spike and dip survives), and LTTB picks among those: two passes
 * over the array in place instead of LTTB's triangle over every point.
 */
export function decimate(ys: Float64Array, count: number, x0: number, dx: number, threshold: number): { xs: number[]; ys: number[] } {
  const n = Math.min(count, ys.length);
  if (threshold >= n || threshold < 3) return { xs: Array.from({ length: n }, (_, i) => x0 + i * dx), ys: Array.from(ys.subarray(0, n)) };
  return lttb(ys, n, n > PREFILTER * threshold ? extremes(ys, n, 8 * threshold) : null, x0, dx, threshold);
}

/**
 * decimate() of the first `count` values of a series a SeriesDigest has read: LTTB among the
 * digest's candidates (each block's lowest and highest point), thinned again by the same min/max
 * pass when there are many, so a refresh costs what the new values cost, not the whole series.
 */
export function decimateDigest(ys: Float64Array, digest: SeriesDigest, count: number, x0: number, dx: number, threshold: number): { xs: number[]; ys: number[] } {
  const n = Math.min(count, ys.length);
  if (threshold >= n || threshold < 3) return decimate(ys, n, x0, dx, threshold);
  const candidates = digest.candidates(n);
  const at = candidates.length > PREFILTER * threshold ? extremesAt(ys, candidates, 8 * threshold) : candidates;
  return lttb(ys, n, at, x0, dx, threshold);
}

/** LTTB over the points `at` (indices into ys, ascending, the first and last included), or every point. */
function lttb(ys: Float64Array, n: number, at: Int32Array | null, x0: number, dx: number, threshold: number): { xs: number[]; ys: number[] } {
  const m = at ? at.length : n;
  const index = at ? (k: number): number => at[k] : (k: number): number => k;
  // Areas are compared within a bucket, so x is measured in samples (dx > 0 scales every area alike).
  const outX = [x0];
  const outY = [ys[0]];
  const every = (m - 2) / (threshold - 2);
  let a = 0;
  for (let b = 0; b < threshold - 2; b++) {
    // The next bucket's average is the third corner of the triangles this bucket's points make.
    const nextStart = Math.floor((b + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((b + 2) * every) + 1, m);
    let avgX = 0;
    let avgY = 0;
    for (let k = nextStart; k < nextEnd; k++) { const i = index(k); avgX += i; avgY += ys[i]; }
    avgX /= nextEnd - nextStart;
    avgY /= nextEnd - nextStart;
    const start = Math.floor(b * every) + 1;
    const end = Math.floor((b + 1) * every) + 1;
    const ia = index(a);
    const ya = ys[ia];
    let best = start;
    let bestArea = -1;
    for (let k = start; k < end; k++) {
      const i = index(k);
      const area = Math.abs((ia - avgX) * (ys[i] - ya) - (ia - i) * (avgY - ya));
      if (area > bestArea) { bestArea = area; best = k; }
    }
    outX.push(x0 + index(best) * dx);
    outY.push(ys[index(best)]);
    a = best;
  }
  outX.push(x0 + (n - 1) * dx);
  outY.push(ys[n - 1]);
  return { xs: outX, ys: outY };
}

/** The first and last point, and each of `buckets` buckets' lowest and highest, by index, in order. */
function extremes(ys: Float64Array, n: number, buckets: number): Int32Array {
  const out = new Int32Array(2 * buckets + 2);
  let k = 0;
  out[k++] = 0;
  const size = (n - 2) / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size) + 1;
    const end = Math.floor((b + 1) * size) + 1;
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      const v = ys[i];
      if (v < ys[lo]) lo = i;
      else if (v > ys[hi]) hi = i;
    }
    if (end <= start) continue;
    out[k++] = Math.min(lo, hi);
    if (hi !== lo) out[k++] = Math.max(lo, hi);
  }
  out[k++] = n - 1;
  return out.subarray(0, k);
}

/** extremes() over the points `at` (ascending indices into ys) rather than over every point. */
function extremesAt(ys: Float64Array, at: Int32Array, buckets: number): Int32Array {
  const out = new Int32Array(2 * buckets + 2);
  let k = 0;
  out[k++] = at[0];
  const m = at.length;
  const size = (m - 2) / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size) + 1;
    const end = Math.floor((b + 1) * size) + 1;
    if (end <= start) continue;
    let lo = at[start];
    let hi = at[start];
    for (let j = start + 1; j < end; j++) {
      const i = at[j];
      if (ys[i] < ys[lo]) lo = i;
      else if (ys[i] > ys[hi]) hi = i;
    }
    out[k++] = Math.min(lo, hi);
    if (hi !== lo) out[k++] = Math.max(lo, hi);
  }
  out[k++] = at[m - 1];
  return out.subarray(0, k);
}

/** Values a digest block holds: its lowest and highest point become candidates. */
const BLOCK = 32;

/**
 * What a growing series holds, read once: each block of BLOCK values' lowest and highest point (by
 * index, in order), and where the series stops being finite. The loss history grows by a value a
 * step; a chart refresh then reads only the new values, however long the series (a run of millions
 * of steps keeps millions of losses). When the series is thinned (its stride doubles) or starts
 * again, the digest starts again with it.
 */
export class SeriesDigest {
  private stride = 0;
  private source: Float64Array | undefined;
  /** Values read so far (whole blocks), and the candidates they gave. */
  private read = 0;
  private found: number[] = [];
  /** The first value that is not a finite number, or -1. */
  private nonFinite = -1;

  /** Reads what is new in the first `count` values of `values` (a series at `stride`). */
  update(values: Float64Array, count: number, stride: number): void {
    if (stride !== this.stride || values.buffer !== this.source?.buffer || count < this.read) {
      this.stride = stride;
      this.source = values;
      this.read = 0;
      this.found = [];
      this.nonFinite = -1;
    }
    this.source = values;
    if (this.nonFinite >= 0) return;
    const whole = count - (count % BLOCK);
    for (let start = this.read; start < whole; start += BLOCK) {
      let lo = start;
      let hi = start;
      for (let i = start; i < start + BLOCK; i++) {
        const v = values[i];
        if (!(v - v === 0)) { this.nonFinite = i; this.read = start; return; }
        if (v < values[lo]) lo = i;
        else if (v > values[hi]) hi = i;
      }
      this.found.push(Math.min(lo, hi));
      if (hi !== lo) this.found.push(Math.max(lo, hi));
      this.read = start + BLOCK;
    }
    for (let i = this.read; i < count; i++) {
      const v = values[i];
      if (!(v - v === 0)) { this.nonFinite = i; return; }
    }
  }

  /** The first value that is not finite (-1 if all are). */
  get firstNonFinite(): number {
    return this.nonFinite;
  }

  /** Candidate points among the first `n` values (all finite): 0, each block's extremes, the values after the last whole block, n - 1. */
  candidates(n: number): Int32Array {
    const out: number[] = [0];
    for (const i of this.found) { if (i >= n) break; if (i > out[out.length - 1]) out.push(i); }
    for (let i = Math.max(this.read, out[out.length - 1] + 1); i < n; i++) out.push(i);
    if (out[out.length - 1] !== n - 1) out.push(n - 1);
    return Int32Array.from(out);
  }
}

// ---- curvature --------------------------------------------------------------------------------

/** Hessians past this many trainable parameters are not computed (each costs 4n gradient passes and n^2 numbers). */
export const HESSIAN_LIMIT = 300;

/**
 * The Hessian of the loss over the parameters `indices` (the trainable ones: gradient descent moves
 * only those), n x n row-major. Each column is a central difference of the chain rule's exact
 * gradient, Richardson-extrapolated (error of order h^4), then the matrix is symmetrised.
 */
export function hessian(network: Network, params: ArrayLike<number>, indices: readonly number[]): Float64Array {
  const n = indices.length;
  const t = scratchTrainer(network, params);
  const H = new Float64Array(n * n);
  const plus = new Float64Array(n);
  const minus = new Float64Array(n);
  const column = (j: number, h: number, into: Float64Array): void => {
    const p = indices[j];
    const base = params[p];
    t.params[p] = base + h;
    t.invalidate();
    t.evaluate();
    for (let r = 0; r < n; r++) plus[r] = t.gradients[indices[r]];
    t.params[p] = base - h;
    t.invalidate();
    t.evaluate();
    for (let r = 0; r < n; r++) minus[r] = t.gradients[indices[r]];
    t.params[p] = base;
    for (let r = 0; r < n; r++) into[r] = (plus[r] - minus[r]) / (2 * h);
  };
  const wide = new Float64Array(n);
  const narrow = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const h = 1e-3 * Math.max(1, Math.abs(params[indices[j]]));
    column(j, h, wide);
    column(j, h / 2, narrow);
    for (let r = 0; r < n; r++) H[r * n + j] = (4 * narrow[r] - wide[r]) / 3;
  }
  for (let r = 0; r < n; r++) {
    for (let c = r + 1; c < n; c++) {
      const m = (H[r * n + c] + H[c * n + r]) / 2;
      H[r * n + c] = m;
      H[c * n + r] = m;
    }
  }
  t.invalidate();
  return H;
}

/** Matrices up to this size get every eigenvalue (Jacobi); larger ones the top one by power iteration. */
const JACOBI_LIMIT = 64;

/** The largest (most positive) eigenvalue of the symmetric n x n matrix `m`. */
export function largestEigenvalue(m: Float64Array, n: number): number {
  if (n === 0) return 0;
  if (n <= JACOBI_LIMIT) return Math.max(...symmetricEigenvalues(m, n));
  // Power iteration finds the eigenvalue largest in size. Shifted by a bound on every eigenvalue's
  // size (Gershgorin: the largest absolute row sum), every eigenvalue of m + shift x I is >= 0, so
  // the largest in size is the most positive: a saddle's negative curvature cannot take its place.
  let shift = 0;
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let c = 0; c < n; c++) sum += Math.abs(m[r * n + c]);
    shift = Math.max(shift, sum);
  }
  return powerIteration(m, n, shift) - shift;
}

/** The top eigenvalue of m + shift x I (all of whose eigenvalues are >= 0), by power iteration with the Rayleigh quotient. */
function powerIteration(m: Float64Array, n: number, shift: number): number {
  let v = new Float64Array(n).map((_, i) => 1 + ((i * 7919) % 13) / 13);
  let w = new Float64Array(n);
  let lambda = 0;
  for (let it = 0; it < 5000; it++) {
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    for (let i = 0; i < n; i++) v[i] /= norm;
    for (let r = 0; r < n; r++) {
      let s = shift * v[r];
      for (let c = 0; c < n; c++) s += m[r * n + c] * v[c];
      w[r] = s;
    }
    let rayleigh = 0;
    for (let i = 0; i < n; i++) rayleigh += v[i] * w[i];
    const done = Math.abs(rayleigh - lambda) <= 1e-14 * Math.max(1, Math.abs(rayleigh));
    lambda = rayleigh;
    [v, w] = [w, v];
    if (done && it > 10) break;
  }
  return lambda;
}

/** Every eigenvalue of the symmetric n x n matrix `m` (cyclic Jacobi rotations; m is not changed). */
export function symmetricEigenvalues(m: Float64Array, n: number): number[] {
  const a = Float64Array.from(m);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const v = a[r * n + c] * a[r * n + c];
        total += v;
        if (r !== c) off += v;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const tan = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(tan * tan + 1);
        const sin = tan * cos;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = cos * akp - sin * akq;
          a[k * n + q] = sin * akp + cos * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = cos * apk - sin * aqk;
          a[q * n + k] = sin * apk + cos * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]);
}

/** The indices of the parameters gradient descent moves. */
export function trainableIndices(network: Network): number[] {
  const out: number[] = [];
  for (let i = 0; i < network.parameterCount; i++) if (network.training.trainable[i] === 1) out.push(i);
  return out;
}

/**
 * The top eigenvalue of the loss's Hessian over the trainable parameters; null past HESSIAN_LIMIT
 * of them, or where the Hessian is not finite (a diverged state).
 */
export function sharpness(network: Network, params: ArrayLike<number>): number | null {
  const indices = trainableIndices(network);
  if (indices.length > HESSIAN_LIMIT) return null;
  const H = hessian(network, params, indices);
  return H.every(Number.isFinite) ? largestEigenvalue(H, indices.length) : null;
}
