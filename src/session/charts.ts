/**
 * The charts' data for one training session, computed in the worker from the core's curve
 * functions: the loss history (thinned for drawing), the loss along the selected parameter with
 * its tangent, the loss over two parameters with gradient descent's path, the fit, and the
 * parameters, gradients and instruments over steps. Pure (no vscode, no DOM).
 *
 * The series over steps are sampled every `stride` steps, stride a power of two chosen so at most
 * SERIES_POINTS samples cover the history (every step while it is short, so an oscillation shows).
 * A sample is the state after that step, recomputed exactly from the history's checkpoints on a
 * scratch trainer, and kept: while Continue runs only the new samples are computed, and when the
 * stride doubles every other sample is kept. Samples are computed within a time budget; what is
 * left is `pending`, for the next call, so a large network's history never holds the worker up.
 */
import {
  decimateDigest, findParameter, fitCurve, inputColumns, fitPlane, fitSamples, lossSurface, lossSweep, lossSymbol, type History, sharpness as sharpnessAt,
  isPlainTraining, OPTIMIZER_LABELS, SeriesDigest, stabilityLimit, sweepMinimum, sweepRange, trainableIndices, Trainer, validationLoss,
} from '../core';
import type { ChartData, ChartPanel, ChartRequest, InstrumentSeries, LossChart, SeriesChart } from './chartTypes';

/** The charts computed together: the series over steps serve two panels. */
const CHART_PARTS: readonly (readonly ChartPanel[])[] = [['loss'], ['profile'], ['fit'], ['trajectories', 'instruments'], ['compare']];
import { distanceFrom, hiddenShare, layerShare, ratio, trainableSquares } from './inspect';
import { OptimizerRace } from './race';
import type { TrainingSession } from './training';
import { SessionUnitMaps } from './unitMaps';

/** At most this many points of the loss history are drawn (LTTB keeps its shape). */
export const LOSS_POINTS = 1000;
/** At most this many sampled steps in the series over steps. */
export const SERIES_POINTS = 400;
/** Parameters whose trajectories are drawn without being selected, in a network this small. */
const ALL_TRAJECTORIES = 8;
/** Up to this many parameters a sample keeps them all, so selecting another one costs nothing. */
const KEEP_ALL = 1000;
/** Breakpoint hits remembered for the loss chart. */
const HITS_KEPT = 500;
/** How long one call may spend on new samples of the series (ms); the rest waits for the next call. */
export const SAMPLE_BUDGET_MS = 40;
/**
 * How many forward passes a curve may take, as a share of a budget of about 50 ms: a forward pass
 * costs about 2 x parameters x samples operations at about 1e9 a second. A teaching network gets
 * every point; a large one fewer (at least `least`).
 */
function passes(network: { parameterCount: number; data: { samples: number } }, most: number, least: number): number {
  const affordable = Math.floor(2.5e7 / (network.parameterCount * network.data.samples));
  return Math.max(least, Math.min(most, affordable));
}

interface Sample {
  loss: number;
  /** The whole training set's loss and the validation set's (NaN without one) at this step. */
  trainingLoss: number;
  /** The learning rate of this step's update (the schedule's). */
  learningRate: number;
  validationLoss: number;
  /** Every parameter and gradient (small networks), or the tracked ones by index. */
  values: Float64Array | Map<number, number>;
  gradients: Float64Array | Map<number, number>;
  gradientNorm: number;
  updateSize: number;
  updateRatio: number;
  distance: number;
  dead: number;
  saturated: number;
  layers: { gradientNorm: number; updateSize: number; updateRatio: number; dead: number; saturated: number }[];
  /** Computed when the instruments are open (a Hessian per sample), null past HESSIAN_LIMIT. */
  sharpness: number | null | undefined;
  /** The cosine between this step's update and the next's, computed with the sharpness. */
  turn?: number | null;
}

export class SessionCharts {
  private hits: number[] = [];
  private samples = new Map<number, Sample>();
  /** The history the samples and hits belong to. */
  private history: History | undefined;
  /** The trainer samples are recomputed on; it stays on the history between calls. */
  private scratch: Trainer | undefined;
  /** Where the next step's gradient is computed, for the turn between steps (and its buffer). */
  private probe: Trainer | undefined;
  private nextParams: Float64Array | undefined;
  /** The loss history, read once (see SeriesDigest). */
  private digest = new SeriesDigest();

  /** Compare optimizers' lines, run on a little at each call. */
  private readonly race: OptimizerRace;
  /** Each unit's picture in the graph (one forward pass of a grid). */
  private readonly unitMaps = new SessionUnitMaps();

  constructor(private readonly session: TrainingSession, private readonly now: () => number = () => performance.now()) {
    this.race = new OptimizerRace(session, now);
  }

  /** A breakpoint stopped the run at `step`: marked on the loss curve. */
  hit(step: number): void {
    this.sync();
    if (this.hits[this.hits.length - 1] === step) return;
    this.hits.push(step);
    if (this.hits.length > HITS_KEPT) this.hits.splice(0, this.hits.length - HITS_KEPT);
  }

  /**
   * What the open panels draw for the state shown now. Samples of the series are computed for at
   * most `budgetMs` (the worker passes SAMPLE_BUDGET_MS); `pending` when some are still to come, for
   * the next call. Without a budget the answer is whole, whatever the machine's speed.
   */
  compute(request: ChartRequest, budgetMs = Infinity): ChartData {
    const data: ChartData = { step: this.session.trainer.stepCount, pending: false };
    for (const part of CHART_PARTS) this.computePart(request, part, data, budgetMs);
    this.computeUnits(request, data);
    return data;
  }

  /**
   * compute() a part at a time (CHART_PARTS: the loss, the curve, the fit, the series), with a yield
   * after each: the worker answers a control that comes between two parts.
   */
  *computing(request: ChartRequest, budgetMs: number): Generator<void, ChartData, void> {
    const data: ChartData = { step: this.session.trainer.stepCount, pending: false };
    for (const part of CHART_PARTS) {
      this.computePart(request, part, data, budgetMs);
      yield;
    }
    this.computeUnits(request, data);
    return data;
  }

  /** Each unit's picture, when the graph asks for them: at the state shown, whole (one forward pass of a grid). */
  private computeUnits(request: ChartRequest, data: ChartData): void {
    if (!request.units) return;
    data.units = this.unitMaps.compute(this.session.network, this.session.trainer.params);
  }

  /** The panels of `part` (those of them `request` opens) into `data`. */
  private computePart(request: ChartRequest, part: readonly ChartPanel[], data: ChartData, budgetMs: number): void {
    const { session } = this;
    const t = session.trainer;
    t.evaluate();
    this.sync();
    const open = new Set(request.panels.filter((p) => part.includes(p)));
    if (open.size === 0) return;
    const instruments = request.panels.includes('instruments');
    const selected = [...new Set(request.parameters)].map((n) => findParameter(session.network, n)).filter((p) => p !== undefined);
    if (open.has('loss')) {
      data.loss = this.lossChart();
      const { network } = session;
      if (!t.batches.full || network.validation !== null) {
        const s = this.series(selected.map((p) => p.index), instruments, budgetMs);
        const rows = s.steps.map((step) => this.samples.get(step)!);
        data.loss.sampled = { steps: s.steps, training: rows.map((r) => r.trainingLoss), validation: network.validation ? rows.map((r) => r.validationLoss) : null, batches: !t.batches.full };
        data.pending ||= s.pending;
      }
    }
    if (open.has('profile')) {
      const p = selected[0] ?? session.network.parameters[trainableIndices(session.network)[0] ?? 0];
      data.profile = this.profile(p.index);
      if (selected.length > 1) {
        const path = this.series([p.index, selected[1].index], instruments, budgetMs);
        data.surface = this.surface(p.index, selected[1].index, path);
        data.pending ||= path.pending;
      }
    }
    if (open.has('fit')) data.fit = this.fit();
    if (open.has('trajectories') || open.has('instruments')) {
      const series = this.series(selected.map((p) => p.index), instruments, budgetMs);
      data.series = series;
      data.pending ||= series.pending;
    }
    if (open.has('compare')) {
      // Half the budget: the race must not slow the other panels' refresh while it catches up.
      const race = this.race.compute(request.optimizers ?? [], budgetMs / 2);
      data.compare = race.chart;
      data.pending ||= race.pending;
    }
  }

  /** Forgets the samples and the hits of a history that is gone (Reset after an edit, Set Value, retraining). */
  private sync(): void {
    const h = this.session.history;
    if (h === this.history) return;
    this.history = h;
    this.digest = new SeriesDigest();
    this.samples.clear();
    this.hits = [];
    if (this.scratch) h.stateAt(h.baseStep, this.scratch);
  }

  private lossChart(): LossChart {
    const { trainer: t, history: h } = this.session;
    const { stride, values } = h.losses();
    // The series holds states baseStep, +stride, ... up to the one before the newest; the newest
    // is added when the run is there. It ends where the loss stopped being a number. The digest
    // reads only what is new since the last refresh.
    this.digest.update(values, values.length, stride);
    let n = values.length;
    let divergedAt: number | null = null;
    if (this.digest.firstNonFinite >= 0) { n = this.digest.firstNonFinite; divergedAt = h.baseStep + n * stride; }
    const thin = decimateDigest(values, this.digest, n, h.baseStep, stride, LOSS_POINTS - 1);
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
      stride,
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
    const [lo, hi] = sweepRange(value, this.session.history.baseParameters[index], slope, learningRate);
    const sweep = lossSweep(network, params, index, lo, hi, passes(network, 121, 11));
    // Plain gradient descent's step down the tangent; an optimizer's own (its rule's next value).
    const next = !trainable ? value : isPlainTraining(network.training, network.data.samples) ? value - learningRate * slope : t.describeUpdate(index).after;
    const nextLoss = lossSweep(network, params, index, next, next, 1).losses[0];
    return {
      parameter: network.parameters[index].name,
      value, loss: t.loss, slope, learningRate, trainable, next, nextLoss,
      xs: Array.from(sweep.xs), losses: Array.from(sweep.losses),
      minimum: sweepMinimum(network, params, index, sweep, passes(network, 80, 0)),
    };
  }

  private surface(i: number, j: number, series: SeriesChart): NonNullable<ChartData['surface']> {
    const { network, trainer: t } = this.session;
    const name = (k: number): string => network.parameters[k].name;
    const pathX = series.parameters.find((p) => p.name === name(i))!.values;
    const pathY = series.parameters.find((p) => p.name === name(j))!.values;
    const range = (path: number[], now: number): [number, number] => {
      let lo = now;
      let hi = now;
      for (const v of path) { if (v < lo) lo = v; if (v > hi) hi = v; }
      const margin = Math.max(1, 0.25 * (hi - lo));
      return [lo - margin, hi + margin];
    };
    const side = Math.max(7, Math.min(41, Math.floor(Math.sqrt(passes(network, 41 * 41, 49)))));
    const surface = lossSurface(network, t.params, i, j, range(pathX, t.params[i]), range(pathY, t.params[j]), side);
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
    // Drawn over the file's input columns, which the features (when there are any) are computed from.
    const columns = inputColumns(network);
    const nIn = columns.length;
    const nOut = network.outputNames.length;
    return {
      inputs: [...columns],
      outputs: [...network.outputNames],
      samples: fitSamples(network, params),
      loss: t.evaluate(),
      lossSymbol: lossSymbol(network.loss),
      curve: nIn === 1 && nOut === 1 ? fitCurve(network, params) : null,
      plane: nIn === 2 ? fitPlane(network, params) : null,
    };
  }

  // ---- the series over steps ----------------------------------------------------------------------

  /**
   * The sampled series for the `selected` parameters (every parameter in a small network); with
   * `sharpness`, the Hessian's top eigenvalue too. Samples not computed within `budgetMs` (at
   * least one is, each call) are left out, and the series says it is `pending`.
   */
  private series(selected: number[], sharpness: boolean, budgetMs: number): SeriesChart & { pending: boolean } {
    const { network, history: h, trainer: t } = this.session;
    const tracked = network.parameterCount <= ALL_TRAJECTORIES ? network.parameters.map((p) => p.index) : [...new Set(selected)];
    const span = h.latest - h.baseStep;
    let stride = 1;
    while (span / stride > SERIES_POINTS) stride *= 2;
    const wanted: number[] = [];
    for (let s = Math.ceil(h.baseStep / stride) * stride; s <= h.latest; s += stride) wanted.push(s);
    if (wanted[0] !== h.baseStep) wanted.unshift(h.baseStep);
    if (wanted[wanted.length - 1] !== h.latest) wanted.push(h.latest);
    // The current step is always a sample, so the series reaches where the graph is.
    if (!wanted.includes(t.stepCount) && t.stepCount >= h.baseStep && t.stepCount <= h.latest) {
      wanted.push(t.stepCount);
      wanted.sort((a, b) => a - b);
    }
    const keep = new Set(wanted);
    for (const s of this.samples.keys()) if (!keep.has(s)) this.samples.delete(s);
    const pending = !this.fill(wanted, tracked, sharpness, this.now() + budgetMs);
    const steps = wanted.filter((s) => this.usable(this.samples.get(s), tracked, sharpness));
    const rows = steps.map((s) => this.samples.get(s)!);
    const value = (r: Sample, which: 'values' | 'gradients', index: number): number => {
      const v = r[which];
      return v instanceof Float64Array ? v[index] : v.get(index)!;
    };
    const column = <K extends 'gradientNorm' | 'updateSize' | 'updateRatio' | 'distance' | 'dead' | 'saturated'>(k: K): number[] => rows.map((r) => r[k]);
    const layerColumn = (l: number, k: keyof Sample['layers'][number]): number[] => rows.map((r) => r.layers[l][k]);
    const sharp = rows.map((r) => r.sharpness);
    const turns = rows.map((r) => r.turn);
    return {
      steps,
      stride,
      pending,
      parameters: tracked.map((index) => ({ name: network.parameters[index].name, values: rows.map((r) => value(r, 'values', index)), gradients: rows.map((r) => value(r, 'gradients', index)) })),
      network: {
        gradientNorm: column('gradientNorm'), updateSize: column('updateSize'), updateRatio: column('updateRatio'),
        dead: column('dead'), saturated: column('saturated'), distance: column('distance'),
        ...(network.training.schedule.type === 'constant' ? {} : { learningRate: rows.map((r) => r.learningRate) }),
        sharpness: sharpness && sharp.some((v) => typeof v === 'number') ? sharp.map((v) => v ?? null) : null,
        turn: sharpness && turns.some((v) => typeof v === 'number') ? turns.map((v) => v ?? null) : null,
      },
      layers: network.layers.map((_, l): InstrumentSeries => ({
        gradientNorm: layerColumn(l, 'gradientNorm'), updateSize: layerColumn(l, 'updateSize'), updateRatio: layerColumn(l, 'updateRatio'),
        dead: layerColumn(l, 'dead'), saturated: layerColumn(l, 'saturated'),
      })),
      ...this.stability(),
    };
  }

  /** The sharpness's limit for the file's optimizer at its learning rate (before any schedule), or why there is none. */
  private stability(): { stabilityLimit: number | null; stabilityRule: string } {
    const t = this.session.network.training;
    const s = stabilityLimit(t.optimizer, t.learningRate);
    return s ? { stabilityLimit: s.limit, stabilityRule: s.rule }
      : { stabilityLimit: null, stabilityRule: `none: ${OPTIMIZER_LABELS[t.optimizer.type]} rescales each parameter's step, so no limit on the plain sharpness holds` };
  }

  /** Whether a sample holds what is asked of it: the tracked parameters, and the sharpness when wanted. */
  private usable(sample: Sample | undefined, tracked: number[], sharpness: boolean): boolean {
    if (!sample) return false;
    if (sharpness && sample.sharpness === undefined) return false;
    const v = sample.values;
    return v instanceof Float64Array || tracked.every((i) => v.has(i));
  }

  /**
   * Computes the wanted samples that are missing, in step order, walking the scratch trainer
   * forward from one to the next when that is nearer than the checkpoint before it. True when all
   * are done; false when the deadline came first (after one sample at least, so every call gets on).
   */
  private fill(wanted: number[], tracked: number[], sharpness: boolean, deadline: number): boolean {
    const { network, history } = this.session;
    this.scratch ??= new Trainer(network);
    const s = this.scratch;
    if (s.network !== network) s.retrain(network);
    const interval = history.interval;
    let done = 0;
    // The state shown comes first, from the session's own trainer (no replay): the series reaches
    // where the graph is, whatever the budget leaves for the rest.
    const t = this.session.trainer;
    if (wanted.includes(t.stepCount) && !this.usable(this.samples.get(t.stepCount), tracked, sharpness)) {
      t.evaluate();
      this.samples.set(t.stepCount, this.measure(t, tracked, sharpness, this.samples.get(t.stepCount)));
      done++;
    }
    for (const step of wanted) {
      const kept = this.samples.get(step);
      if (this.usable(kept, tracked, sharpness)) continue;
      if (done > 0 && this.now() > deadline) return false;
      done++;
      // Only the sharpness is missing, and the sample holds every parameter: no need to recompute the state.
      if (kept && kept.values instanceof Float64Array && kept.gradients instanceof Float64Array && this.usable(kept, tracked, false)) {
        const sharp = sharpnessAt(network, kept.values);
        this.samples.set(step, { ...kept, sharpness: sharp, turn: sharp === null ? null : this.turn(kept.values, kept.gradients) });
        continue;
      }
      // The scratch stays on this history between calls (sync() puts it at its start), so a
      // call goes on walking from where the last one stopped.
      if (step >= s.stepCount && step - s.stepCount <= interval) {
        while (s.stepCount < step) s.step();
      } else history.stateAt(step, s);
      s.evaluate();
      this.samples.set(step, this.measure(s, tracked, sharpness, kept));
    }
    return true;
  }

  /** The instruments at the trainer's state (evaluated), after Cockpit and SageMaker Debugger; reuses what `kept` has. */
  private measure(t: Trainer, tracked: number[], sharpness: boolean, kept: Sample | undefined): Sample {
    const network = this.session.network;
    const p = t.params;
    const g = t.gradients;
    const all = network.parameterCount <= KEEP_ALL;
    const pick = (a: Float64Array, before: Float64Array | Map<number, number> | undefined): Float64Array | Map<number, number> => {
      if (all) return Float64Array.from(a);
      const m = before instanceof Map ? before : new Map<number, number>();
      for (const i of tracked) m.set(i, a[i]);
      return m;
    };
    const sharp = kept?.sharpness !== undefined ? kept.sharpness : sharpness ? sharpnessAt(network, p) : undefined;
    const turn = kept?.turn !== undefined ? kept.turn : typeof sharp === 'number' ? this.turn(p, g) : sharp === null ? null : undefined;
    if (kept) return { ...kept, values: pick(p, kept.values), gradients: pick(g, kept.gradients), sharpness: sharp, turn };
    const gradientNorm = Math.sqrt(trainableSquares(network, g));
    // The update the next step makes: lr x g in plain gradient descent; an optimizer's own step
    // (Adam's is about lr whatever g) from its rule on a copy of the state, after any clipping.
    const step = this.nextStep(t);
    const sample: Sample = {
      loss: t.loss,
      trainingLoss: NaN,
      learningRate: t.learningRate,
      validationLoss: validationLoss(network, p),
      values: pick(p, undefined),
      gradients: pick(g, undefined),
      gradientNorm,
      updateSize: Math.sqrt(trainableSquares(network, step)),
      updateRatio: ratio(Math.sqrt(trainableSquares(network, step)), Math.sqrt(trainableSquares(network, p))),
      distance: distanceFrom(p, network.initialParameters),
      dead: hiddenShare(network, t.y, 'dead'),
      saturated: hiddenShare(network, t.y, 'saturated'),
      layers: network.layers.map((l, index) => {
        const norm = Math.sqrt(trainableSquares(network, g, l.weightOffset, l.units * l.inputs) + trainableSquares(network, g, l.biasOffset, l.units));
        const size = Math.sqrt(trainableSquares(network, p, l.weightOffset, l.units * l.inputs) + trainableSquares(network, p, l.biasOffset, l.units));
        const moved = Math.sqrt(trainableSquares(network, step, l.weightOffset, l.units * l.inputs) + trainableSquares(network, step, l.biasOffset, l.units));
        return { gradientNorm: norm, updateSize: moved, updateRatio: ratio(moved, size), dead: layerShare(network, t.y, index, 'dead'), saturated: layerShare(network, t.y, index, 'saturated') };
      }),
      sharpness: sharp,
      turn,
    };
    // Last: with batches the whole set's forward pass overwrites the batch's unit values read above.
    sample.trainingLoss = t.batches.full ? t.loss : t.trainingLoss();
    return sample;
  }

  /** How far the next step moves each parameter from `t`'s state: new - old (0 where it does not train). */
  private nextStep(t: Trainer): Float64Array {
    const after = t.previewStep(new Float64Array(t.state.length));
    return Float64Array.from(t.params, (v, i) => after[i] - v);
  }

  /**
   * The cosine between the update at `params` (gradient `gradients`) and the next step's: the
   * gradient where plain gradient descent lands, computed on a trainer of its own. Only beside the
   * sharpness (networks small enough for a Hessian), so one more gradient per sample is cheap.
   */
  private turn(params: Float64Array, gradients: Float64Array): number | null {
    const network = this.session.network;
    this.probe ??= new Trainer(network);
    if (this.probe.network !== network) this.probe.retrain(network);
    const next = (this.nextParams = this.nextParams?.length === params.length ? this.nextParams : new Float64Array(params.length));
    const { learningRate } = network.training;
    for (let i = 0; i < params.length; i++) next[i] = network.training.trainable[i] ? params[i] - learningRate * gradients[i] : params[i];
    this.probe.setParameters(next);
    this.probe.evaluate();
    const after = this.probe.gradients;
    let dot = 0;
    let a = 0;
    let b = 0;
    for (let i = 0; i < params.length; i++) {
      if (!network.training.trainable[i]) continue;
      dot += gradients[i] * after[i];
      a += gradients[i] * gradients[i];
      b += after[i] * after[i];
    }
    const cos = dot / Math.sqrt(a * b);
    return Number.isFinite(cos) ? cos : null;
  }
}
