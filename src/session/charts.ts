/**
 * The charts' data for one training session, computed in the worker from the core's curve
 * functions: the loss history (thinned by LTTB), the loss along the selected parameter with its
 * tangent, the loss over two parameters with gradient descent's path, the fit, and the
 * parameters, gradients and instruments over steps. Pure (no vscode, no DOM).
 *
 * The series over steps are sampled every `stride` steps, stride a power of two chosen so at most
 * SERIES_POINTS samples cover the history (every step while it is short, so an oscillation shows).
 * A sample is the state after that step, recomputed exactly from the history's checkpoints on a
 * scratch trainer, and kept: while Continue runs only the new samples are computed, and when the
 * stride doubles every other sample is kept.
 */
import {
  decimate, fitCurve, fitPlane, fitSamples, findParameter, hessian, HESSIAN_LIMIT, largestEigenvalue, lossSurface, lossSweep,
  lossSymbol, type History, type Network, sweepMinimum, sweepRange, trainableIndices, Trainer,
} from '../core';
import type { ChartData, ChartRequest, InstrumentSeries, LossChart, SeriesChart } from './chartTypes';
import { isDead, isSaturated } from './inspect';
import type { TrainingSession } from './training';

/** At most this many points of the loss history are drawn (LTTB keeps its shape). */
export const LOSS_POINTS = 1000;
/** At most this many sampled steps in the series over steps. */
export const SERIES_POINTS = 400;
/** Parameters whose trajectories are drawn without being selected, in a network this small. */
const ALL_TRAJECTORIES = 8;
/** Breakpoint hits remembered for the loss chart. */
const HITS_KEPT = 500;

interface Sample {
  loss: number;
  values: Float64Array;
  gradients: Float64Array;
  gradientNorm: number;
  updateSize: number;
  updateRatio: number;
  distance: number;
  dead: number;
  saturated: number;
  layers: { gradientNorm: number; updateSize: number; updateRatio: number; dead: number; saturated: number }[];
  sharpness: number | null;
}

export class SessionCharts {
  private readonly hits: number[] = [];
  private samples = new Map<number, Sample>();
  /** The history and the tracked parameters the samples belong to. */
  private sampledHistory: History | undefined;
  private trackedKey = '';
  private scratch: Trainer | undefined;
  private start: Float64Array | undefined;

  constructor(private readonly session: TrainingSession) {}

  /** A breakpoint stopped the run at `step`: marked on the loss curve. */
  hit(step: number): void {
    if (this.hits[this.hits.length - 1] === step) return;
    this.hits.push(step);
    if (this.hits.length > HITS_KEPT) this.hits.splice(0, this.hits.length - HITS_KEPT);
  }

  /** What the open panels draw for the state shown now. */
  compute(request: ChartRequest): ChartData {
    const { session } = this;
    const t = session.trainer;
    t.evaluate();
    const data: ChartData = { step: t.stepCount };
    const open = new Set(request.panels);
    const selected = request.parameters.map((n) => findParameter(session.network, n)).filter((p) => p !== undefined);
    if (open.has('loss')) data.loss = this.lossChart();
    if (open.has('profile')) {
      const p = selected[0] ?? session.network.parameters[trainableIndices(session.network)[0] ?? 0];
      data.profile = this.profile(p.index);
      if (selected.length > 1) data.surface = this.surface(p.index, selected[1].index);
    }
    if (open.has('fit')) data.fit = this.fit();
    if (open.has('trajectories') || open.has('instruments')) data.series = this.series(selected.map((p) => p.index));
    return data;
  }

  private lossChart(): LossChart {
    const { trainer: t, history: h } = this.session;
    const { stride, values } = h.losses();
    // The series holds states baseStep, +stride, ... up to the one before the newest; the newest
    // is added when the run is there. It ends where the loss stopped being a number.
    let n = values.length;
    let divergedAt: number | null = null;
    for (let i = 0; i < n; i++) {
      if (!(values[i] - values[i] === 0)) { divergedAt = h.baseStep + i * stride; n = i; break; }
    }
    const thin = decimate(values, n, h.baseStep, stride, LOSS_POINTS - 1);
    let recorded = n;
    const lastDrawn = n > 0 ? h.baseStep + (n - 1) * stride : -1;
    if (divergedAt === null && t.stepCount === h.latest && lastDrawn < t.stepCount) {
      if (Number.isFinite(t.loss)) { thin.xs.push(t.stepCount); thin.ys.push(t.loss); recorded++; }
      else divergedAt = t.stepCount;
    }
    return {
      steps: thin.xs,
      losses: thin.ys,
      first: { step: h.baseStep, loss: n > 0 ? values[0] : t.loss },
      current: { step: t.stepCount, loss: t.loss },
      latest: h.latest,
      earliest: h.baseStep,
      maxSteps: this.session.network.training.maxSteps,
      recorded,
      divergedAt,
      hits: [...this.hits],
    };
  }

  private profile(index: number): NonNullable<ChartData['profile']> {
    const { network, trainer: t } = this.session;
    t.evaluate();
    const params = t.params;
    const value = params[index];
    const slope = t.gradients[index];
    const { learningRate } = network.training;
    const trainable = network.training.trainable[index] === 1;
    const [lo, hi] = sweepRange(value, this.startOf(index), slope, learningRate);
    const { xs, losses } = lossSweep(network, params, index, lo, hi);
    const next = trainable ? value - learningRate * slope : value;
    const nextLoss = lossSweep(network, params, index, next, next, 1).losses[0];
    return {
      parameter: network.parameters[index].name,
      value, loss: t.loss, slope, learningRate, trainable, next, nextLoss,
      xs: Array.from(xs), losses: Array.from(losses),
      minimum: sweepMinimum(network, params, index, lo, hi),
    };
  }

  private surface(i: number, j: number): NonNullable<ChartData['surface']> {
    const { network, trainer: t } = this.session;
    const series = this.series([i, j]);
    const name = (k: number): string => network.parameters[k].name;
    const pathX = series.parameters.find((p) => p.name === name(i))!.values;
    const pathY = series.parameters.find((p) => p.name === name(j))!.values;
    const range = (path: number[], now: number): [number, number] => {
      const lo = Math.min(now, ...path);
      const hi = Math.max(now, ...path);
      const margin = Math.max(1, 0.25 * (hi - lo));
      return [lo - margin, hi + margin];
    };
    const surface = lossSurface(network, t.params, i, j, range(pathX, t.params[i]), range(pathY, t.params[j]));
    return {
      parameters: [name(i), name(j)],
      xs: Array.from(surface.xs), ys: Array.from(surface.ys), losses: Array.from(surface.losses),
      path: { xs: pathX, ys: pathY },
      current: { x: t.params[i], y: t.params[j], loss: t.loss },
    };
  }

  private fit(): NonNullable<ChartData['fit']> {
    const { network, trainer: t } = this.session;
    const params = t.params;
    const nIn = network.inputNames.length;
    const nOut = network.outputNames.length;
    return {
      inputs: [...network.inputNames],
      outputs: [...network.outputNames],
      samples: fitSamples(network, params),
      loss: t.evaluate(),
      lossSymbol: lossSymbol(network.loss),
      curve: nIn === 1 && nOut === 1 ? fitCurve(network, params) : null,
      plane: nIn === 2 ? fitPlane(network, params) : null,
    };
  }

  // ---- the series over steps ----------------------------------------------------------------------

  /** Where the run began: the history's first state. */
  private startOf(index: number): number {
    this.syncHistory();
    return this.start![index];
  }

  /** Forgets the samples when the history is a new one (Reset after an edit, Set Value, retraining). */
  private syncHistory(): void {
    const h = this.session.history;
    if (h === this.sampledHistory && this.start) return;
    this.sampledHistory = h;
    this.samples.clear();
    this.scratch ??= new Trainer(this.session.network);
    this.scratch.retrain(this.session.network);
    h.stateAt(h.baseStep, this.scratch);
    this.start = Float64Array.from(this.scratch.params);
  }

  private series(selected: number[]): SeriesChart {
    const { network, history: h, trainer: t } = this.session;
    this.syncHistory();
    const tracked = network.parameterCount <= ALL_TRAJECTORIES ? network.parameters.map((p) => p.index) : [...new Set(selected)];
    const key = tracked.join(',');
    if (key !== this.trackedKey) { this.trackedKey = key; this.samples.clear(); }
    const span = h.latest - h.baseStep;
    let stride = 1;
    while (span / stride > SERIES_POINTS) stride *= 2;
    const steps: number[] = [];
    for (let s = Math.ceil(h.baseStep / stride) * stride; s <= h.latest; s += stride) steps.push(s);
    if (steps[0] !== h.baseStep) steps.unshift(h.baseStep);
    if (steps[steps.length - 1] !== h.latest) steps.push(h.latest);
    // The current step is always a sample, so the series ends where the graph is.
    if (!steps.includes(t.stepCount) && t.stepCount >= h.baseStep && t.stepCount <= h.latest) {
      steps.push(t.stepCount);
      steps.sort((a, b) => a - b);
    }
    const wanted = new Set(steps);
    for (const s of this.samples.keys()) if (!wanted.has(s)) this.samples.delete(s);
    const rows = steps.map((s) => this.sample(s, tracked));
    const L = network.layers.length;
    const column = <K extends keyof Sample>(k: K): Sample[K][] => rows.map((r) => r[k]);
    const layerColumn = (l: number, k: keyof Sample['layers'][number]): number[] => rows.map((r) => r.layers[l][k]);
    const sharp = column('sharpness');
    return {
      steps,
      stride,
      parameters: tracked.map((index, k) => ({ name: network.parameters[index].name, values: rows.map((r) => r.values[k]), gradients: rows.map((r) => r.gradients[k]) })),
      network: {
        gradientNorm: column('gradientNorm'), updateSize: column('updateSize'), updateRatio: column('updateRatio'),
        dead: column('dead'), saturated: column('saturated'), distance: column('distance'),
        sharpness: sharp.every((v) => v !== null) ? (sharp as number[]) : null,
      },
      layers: Array.from({ length: L }, (_, l): InstrumentSeries => ({
        gradientNorm: layerColumn(l, 'gradientNorm'), updateSize: layerColumn(l, 'updateSize'), updateRatio: layerColumn(l, 'updateRatio'),
        dead: layerColumn(l, 'dead'), saturated: layerColumn(l, 'saturated'),
      })),
      stabilityLimit: 2 / network.training.learningRate,
    };
  }

  private sample(step: number, tracked: number[]): Sample {
    const kept = this.samples.get(step);
    if (kept) return kept;
    const { network, history } = this.session;
    const s = this.scratch!;
    if (s.network !== network) s.retrain(network);
    history.stateAt(step, s);
    s.evaluate();
    const sample = instruments(network, s, this.start!, tracked);
    this.samples.set(step, sample);
    return sample;
  }
}

/** The instruments at the trainer's state (evaluated), after Cockpit and SageMaker Debugger. */
function instruments(network: Network, t: Trainer, start: Float64Array, tracked: number[]): Sample {
  const { trainable, learningRate } = network.training;
  const p = t.params;
  const g = t.gradients;
  const layerOf = (from: number, count: number, acc: number[]): void => {
    for (let i = from; i < from + count; i++) {
      if (trainable[i] !== 1) continue;
      acc[0] += g[i] * g[i];
      acc[1] += p[i] * p[i];
    }
  };
  let gradSq = 0;
  let paramSq = 0;
  let dead = 0;
  let saturated = 0;
  let units = 0;
  const layers = network.layers.map((l, index) => {
    const acc = [0, 0];
    layerOf(l.weightOffset, l.units * l.inputs, acc);
    layerOf(l.biasOffset, l.units, acc);
    gradSq += acc[0];
    paramSq += acc[1];
    let d = 0;
    let s = 0;
    for (let j = 0; j < l.units; j++) {
      if (isDead(network, t.y, index, j)) d++;
      if (isSaturated(network, t.y, index, j, 1e-7, 0.5)) s++;
    }
    // The output layer's units are not hidden units: they are counted per layer but not in the network's share.
    if (index < network.layers.length - 1) { dead += d; saturated += s; units += l.units; }
    const norm = Math.sqrt(acc[0]);
    return { gradientNorm: norm, updateSize: learningRate * norm, updateRatio: ratio(learningRate * norm, Math.sqrt(acc[1])), dead: d / l.units, saturated: s / l.units };
  });
  let distance = 0;
  for (let i = 0; i < p.length; i++) distance += (p[i] - start[i]) ** 2;
  const gradientNorm = Math.sqrt(gradSq);
  const indices = trainableIndices(network);
  return {
    loss: t.loss,
    values: Float64Array.from(tracked, (i) => p[i]),
    gradients: Float64Array.from(tracked, (i) => g[i]),
    gradientNorm,
    updateSize: learningRate * gradientNorm,
    updateRatio: ratio(learningRate * gradientNorm, Math.sqrt(paramSq)),
    distance: Math.sqrt(distance),
    dead: units > 0 ? dead / units : 0,
    saturated: units > 0 ? saturated / units : 0,
    layers,
    sharpness: indices.length <= HESSIAN_LIMIT && Number.isFinite(t.loss) ? largestEigenvalue(hessian(network, p, indices), indices.length) : null,
  };
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : a > 0 ? Infinity : 0;
}
