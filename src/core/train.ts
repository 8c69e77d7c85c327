/**
 * Forward pass, backward pass and gradient descent over one network. A Trainer owns every buffer
 * it needs, allocated once in the constructor; `evaluate` and `step` allocate nothing, so Continue
 * can run millions of steps without feeding the garbage collector.
 *
 * Two engines compute the same numbers: the WebAssembly SIMD engine (./engine), the default where
 * the platform has it, and the TypeScript loops below, the reference the engine is tested against.
 */
import { BatchPlan } from './batches';
import { createWasmEngine, type WasmEngine } from './engine';
import { activateBuffer, backpropActivation, lossAndGradient } from './math';
import { type Dataset, isPlainTraining, type Network } from './network';
import { adamScalars, applyUpdate, explainUpdate, type StateLayout, stateLayout, type UpdateExplanation } from './optimizers';
import { clipGradient, clipScale, learningRateAt, regularize } from './trainingRules';

/**
 * Why training stopped: `converged` (the last step moved nothing by minStepSize or more),
 * `max-steps` (the step budget is spent) or `diverged` (a gradient or the loss stopped being a
 * finite number, typically a learning rate too large; the parameters are then not meaningful).
 */
export type StopReason = 'converged' | 'max-steps' | 'diverged';

export interface RunResult {
  steps: number;
  stopReason: StopReason;
}

export interface TrainerOptions {
  /** 'auto' (the default): WebAssembly where available, else TypeScript. 'wasm' throws where it is not. */
  engine?: 'auto' | 'wasm' | 'js';
}

export class Trainer {
  /** Which engine computes: every buffer below holds the same values either way. */
  readonly engine: 'wasm' | 'js';
  /** The current parameter values, in the network's order (w1.., then b1..). */
  readonly params: Float64Array;
  /**
   * Everything a step reads and writes: the parameters (the first `parameterCount` values: `params`
   * is a view of them), then the optimizer's buffers and its update count (stateLayout). What
   * the history checkpoints, so going back in time restores the optimizer too.
   */
  readonly state: Float64Array;
  readonly layout: StateLayout;
  /** Which samples each step trains on. */
  readonly batches: BatchPlan;
  /**
   * Evaluate on the whole training set whatever the step (the charts' and rounding's scratch
   * trainers), rather than on the batch the next step uses.
   */
  allSamples = false;
  /** The training-set indices of the samples evaluate() last used, in their row order, and how many. */
  readonly batch: Int32Array;
  batchCount: number;
  /** The norm of the gradient before the last step clipped it (NaN when nothing clips). */
  lastGradientNorm = NaN;
  /** The learning rate the last step used. */
  lastLearningRate = NaN;
  /** The loss (penalty included) of the batch the last step trained on, at the parameters before its update. */
  lastBatchLoss = NaN;
  /** dLoss/dparameter at `params`, valid after evaluate(). */
  readonly gradients: Float64Array;
  /**
   * StatQuest's "fancy notation", per layer, [samples x units] row-major: x holds the input to each
   * unit's activation (x_{j,i}), y its output (y_{j,i}; the last layer's y is "Predicted").
   */
  readonly x: Float64Array[];
  readonly y: Float64Array[];
  /** dLoss/dx and dLoss/dy for every unit and sample: what the chain rule carries backwards. */
  readonly dx: Float64Array[];
  readonly dy: Float64Array[];

  /** Gradient-descent steps taken so far. */
  stepCount = 0;
  /** The largest |learningRate x gradient| applied by the last step (0 before any step). */
  lastStepSize = 0;
  /** The loss at `params`, valid after evaluate(). */
  loss = NaN;
  /** Whether x, y, dx, dy, gradients and loss describe the current `params` (on the batch of stepCount). */
  private fresh = false;
  /** Full batch, plain gradient descent, nothing added: the one WebAssembly call per step. */
  private plain: boolean;
  /** The rows the passes read on the TypeScript path: the training set's, or a batch's copy. */
  private inputs: Float64Array;
  private targets: Float64Array;
  private readonly batchInputs: Float64Array;
  private readonly batchTargets: Float64Array;
  /** Which batch the passes point at now: a step number, or -1 for the whole training set. */
  private pointedAt = -1;
  /** The WebAssembly engine whose memory the arrays above view; null on the TypeScript path. */
  private readonly wasm: WasmEngine | null;

  /** The network trained: its layout never changes, its training settings may (retrain()). */
  get network(): Network {
    return this.net;
  }

  constructor(private net: Network, initial: Float64Array = net.initialParameters, options: TrainerOptions = {}) {
    const network = net;
    if (initial.length !== network.parameterCount) throw new RangeError(`expected ${network.parameterCount} parameters, got ${initial.length}`);
    const wanted = options.engine ?? 'auto';
    const n = network.data.samples;
    const t = network.training;
    this.layout = stateLayout(t.optimizer, network.parameterCount);
    this.batches = new BatchPlan(n, { batchSize: t.batchSize, shuffle: t.shuffle, seed: t.seed });
    this.plain = isPlainTraining(t, n) && this.batches.full;
    const batchRows = this.batches.full ? 0 : this.batches.size;
    this.batch = new Int32Array(n);
    for (let i = 0; i < n; i++) this.batch[i] = i;
    this.batchCount = n;
    const nIn = network.inputNames.length;
    const nOut = network.outputNames.length;
    this.inputs = network.data.inputs;
    this.targets = network.data.targets;
    this.wasm = wanted === 'js' ? null : wasmEngine(network, wanted === 'wasm', this.layout.length, batchRows);
    if (this.wasm !== null) {
      this.engine = 'wasm';
      this.state = this.wasm.state;
      this.params = this.wasm.params;
      // The engine copies a batch's rows into its own memory.
      this.batchInputs = new Float64Array(0);
      this.batchTargets = new Float64Array(0);
      this.params.set(initial);
      this.gradients = this.wasm.gradients;
      this.x = this.wasm.x;
      this.y = this.wasm.y;
      this.dx = this.wasm.dx;
      this.dy = this.wasm.dy;
    } else {
      this.engine = 'js';
      this.state = new Float64Array(this.layout.length);
      this.state.set(initial);
      this.params = this.state.subarray(0, network.parameterCount);
      this.batchInputs = new Float64Array(batchRows * nIn);
      this.batchTargets = new Float64Array(batchRows * nOut);
      this.gradients = new Float64Array(network.parameterCount);
      this.x = network.layers.map((l) => new Float64Array(n * l.units));
      this.y = network.layers.map((l) => new Float64Array(n * l.units));
      this.dx = network.layers.map((l) => new Float64Array(n * l.units));
      this.dy = network.layers.map((l) => new Float64Array(n * l.units));
    }
  }

  /** The network's outputs for every sample, [samples x outputs]; valid after evaluate(). */
  get predicted(): Float64Array {
    return this.y[this.y.length - 1];
  }

  /**
   * Trains on with `network`'s training settings (learning rate, trainable mask, stopping rule): an
   * edit of the file that changed nothing else. Its layout, data and loss must be this network's.
   */
  retrain(network: Network): void {
    if (network.parameterCount !== this.net.parameterCount || network.data.samples !== this.net.data.samples) throw new RangeError('retrain() takes the same network with other training settings');
    const a = this.net.training;
    const b = network.training;
    if (stateLayout(b.optimizer, network.parameterCount).length !== this.layout.length || a.batchSize !== b.batchSize || a.shuffle !== b.shuffle || a.seed !== b.seed) {
      throw new RangeError('retrain() keeps the optimizer and the batches: another of either is a new trainer');
    }
    this.net = network;
    this.plain = isPlainTraining(b, network.data.samples) && this.batches.full;
    this.wasm?.setTraining(network.training.learningRate, network.training.trainable);
    this.fresh = false;
  }

  /** Replaces the parameters (an edit, Set Value); the optimizer's buffers stay as they are. */
  setParameters(values: ArrayLike<number>): void {
    this.params.set(values);
    this.fresh = false;
  }

  /** Replaces the whole state: parameters and optimizer buffers (a step back in time). */
  setState(values: ArrayLike<number>): void {
    if (values.length !== this.state.length) throw new RangeError(`expected a state of ${this.state.length} values, got ${values.length}`);
    this.state.set(values);
    this.fresh = false;
  }

  /** The optimizer's buffers and count back to zero, the parameters kept (a new start from them). */
  resetOptimizer(): void {
    this.state.fill(0, this.layout.parameters);
    this.fresh = false;
  }

  /** Marks cached values stale after someone wrote into `params` directly. */
  invalidate(): void {
    this.fresh = false;
  }

  /**
   * Runs the forward and backward passes at the current parameters on the samples the next step
   * trains on (the batch of step `stepCount`; every sample in full batch); returns the loss, the
   * regularization penalty included, whose derivative the gradients then include too.
   */
  evaluate(): number {
    if (this.fresh) return this.loss;
    this.pointAtBatch();
    if (this.wasm !== null) this.loss = this.wasm.evaluate();
    else {
      this.forward();
      this.backward();
    }
    if (!this.plain) this.loss += regularize(this.network.training.regularization, this.params, this.network.weightCount, this.gradients);
    this.fresh = true;
    return this.loss;
  }

  /** The loss at the current parameters on the next step's samples, forward pass only (gradients are left stale). */
  lossOnly(): number {
    if (this.fresh) return this.loss;
    this.pointAtBatch();
    if (this.wasm !== null) this.loss = this.wasm.forward();
    else this.forward();
    if (!this.plain) this.loss += regularize(this.network.training.regularization, this.params, this.network.weightCount);
    return this.loss;
  }

  /**
   * The loss over the whole training set at the current parameters (penalty included): in full
   * batch what lossOnly() gives; with batches a forward pass over every sample, after which the
   * next evaluation goes back to its batch.
   */
  trainingLoss(): number {
    if (this.batches.full || this.allSamples) return this.lossOnly();
    this.pointAt(-1);
    const loss = (this.wasm !== null ? this.wasm.forward() : this.forwardPass()) + regularize(this.network.training.regularization, this.params, this.network.weightCount);
    this.fresh = false;
    return loss;
  }

  /** Points the passes at the samples of the batch of stepCount (or every sample). */
  private pointAtBatch(): void {
    this.pointAt(this.batches.full || this.allSamples ? -1 : this.stepCount);
  }

  private pointAt(step: number): void {
    if (step === this.pointedAt) return;
    this.pointedAt = step;
    const n = this.network.data.samples;
    if (step < 0) {
      for (let i = 0; i < n; i++) this.batch[i] = i;
      this.batchCount = n;
      if (this.wasm !== null) this.wasm.useAll();
      this.inputs = this.network.data.inputs;
      this.targets = this.network.data.targets;
      return;
    }
    const count = this.batches.batchOf(step, this.batch);
    this.batchCount = count;
    if (this.wasm !== null) {
      this.wasm.useBatch(this.batch, count);
      return;
    }
    const nIn = this.network.inputNames.length;
    const nOut = this.network.outputNames.length;
    const { inputs, targets } = this.network.data;
    for (let r = 0; r < count; r++) {
      const i = this.batch[r];
      for (let k = 0; k < nIn; k++) this.batchInputs[r * nIn + k] = inputs[i * nIn + k];
      for (let k = 0; k < nOut; k++) this.batchTargets[r * nOut + k] = targets[i * nOut + k];
    }
    this.inputs = this.batchInputs;
    this.targets = this.batchTargets;
  }

  /**
   * One step of gradient descent (StatQuest's rule): step size = learning rate x derivative,
   * new value = old value - step size, for every trainable parameter. Returns the largest |step size|.
   */
  step(): number {
    const largest = this.plain ? (this.wasm !== null ? this.wasmStep(this.wasm) : this.jsStep()) : this.fullStep();
    this.lastBatchLoss = this.loss;
    this.stepCount++;
    this.lastStepSize = largest;
    this.fresh = false;
    return largest;
  }

  /**
   * Steps until the stopping rule fires: `converged` when the step just taken moved no parameter
   * by minStepSize or more, `max-steps` when the step count reaches `maxSteps` (total, not extra),
   * `diverged` when a step size or the loss is no longer finite.
   */
  run(maxSteps: number = this.network.training.maxSteps): RunResult {
    for (;;) {
      if (this.stepCount >= maxSteps) return { steps: this.stepCount, stopReason: 'max-steps' };
      const stopReason = this.stopAfter(this.step());
      if (stopReason) return { steps: this.stepCount, stopReason };
    }
  }

  /**
   * The stopping rule for the step just taken, given the largest step size it returned: `diverged`
   * when that or the loss is no longer finite, `converged` when it is below minStepSize, else null.
   * (The step limit is the caller's: run() and Continue count it differently from Step.)
   */
  stopAfter(size: number): 'diverged' | 'converged' | null {
    if (!(size < Infinity) || !(this.loss < Infinity)) return 'diverged';
    if (size < this.network.training.minStepSize) return 'converged';
    return null;
  }

  /** The whole step in one call into WebAssembly (just the update when the gradients are fresh). */
  private wasmStep(wasm: WasmEngine): number {
    if (this.fresh) return wasm.update();
    const largest = wasm.step();
    this.loss = wasm.loss;
    return largest;
  }

  /**
   * A step of real training: the gradient on this step's batch (regularization included), clipped
   * when the file says so, then the optimizer's rule at the schedule's learning rate.
   */
  private fullStep(): number {
    this.evaluate();
    const t = this.network.training;
    this.lastGradientNorm = t.clip === null ? NaN : clipGradient(this.gradients, t.trainable, t.clip);
    const lr = learningRateAt(t.learningRate, t.schedule, this.stepCount);
    this.lastLearningRate = lr;
    const o = t.optimizer;
    if (this.wasm !== null && (o.type === 'adam' || o.type === 'adamw')) {
      // Adam's loop in the engine: on a large network it is the optimizer's whole cost.
      const countAt = this.layout.countAt;
      const count = this.state[countAt] + 1;
      this.state[countAt] = count;
      const s = adamScalars(o, lr, count);
      return this.wasm.adam(o.amsgrad, s.stepSize, s.rootCorrection2, s.keep, s.w1, o.beta2, s.w2, o.epsilon);
    }
    return applyUpdate(o, this.state, this.gradients, t.trainable, lr);
  }

  /**
   * The state the next step would leave, written into `out` (the state's length), the trainer
   * unchanged: the same pipeline as step() (clipping, the schedule's rate, the optimizer's rule).
   */
  previewStep(out: Float64Array): Float64Array {
    this.evaluate();
    const t = this.network.training;
    out.set(this.state);
    const g = Float64Array.from(this.gradients);
    if (t.clip !== null) clipGradient(g, t.trainable, t.clip);
    applyUpdate(t.optimizer, out, g, t.trainable, this.learningRate);
    return out;
  }

  /** The learning rate of the next update (the schedule's at stepCount). */
  get learningRate(): number {
    const t = this.network.training;
    return learningRateAt(t.learningRate, t.schedule, this.stepCount);
  }

  /**
   * The next update of parameter `index`, written out with its numbers: the gradient on the next
   * step's batch (penalty included), the factor clipping scales it by, and the optimizer's rule
   * at the schedule's rate. Reads the state, changes nothing.
   */
  describeUpdate(index: number): UpdateExplanation & { gradient: number; clipScale: number; learningRate: number } {
    this.evaluate();
    const t = this.network.training;
    let scale = 1;
    if (t.clip !== null) {
      let sum = 0;
      for (let i = 0; i < this.gradients.length; i++) if (t.trainable[i] !== 0) sum += this.gradients[i] * this.gradients[i];
      scale = clipScale(Math.sqrt(sum), t.clip);
    }
    const lr = this.learningRate;
    const g = this.gradients[index];
    return { ...explainUpdate(t.optimizer, this.state, this.params.length, index, g * scale, lr, t.trainable[index] === 1), gradient: g, clipScale: scale, learningRate: lr };
  }

  private jsStep(): number {
    this.evaluate();
    const { learningRate, trainable } = this.network.training;
    const p = this.params;
    const g = this.gradients;
    let largest = 0;
    for (let i = 0; i < p.length; i++) {
      if (trainable[i] === 0) continue;
      const stepSize = learningRate * g[i];
      p[i] -= stepSize;
      const size = stepSize < 0 ? -stepSize : stepSize;
      // `size !== size` lets a NaN through; once largest is NaN or Infinity nothing replaces it.
      if (size > largest || size !== size) largest = size;
    }
    return largest;
  }

  private forward(): void {
    this.loss = this.forwardPass();
  }

  /** The forward pass over the rows the passes point at; returns their loss (without the penalty). */
  private forwardPass(): number {
    const net = this.network;
    const samples = this.batchCount;
    const p = this.params;
    let input = this.inputs;
    for (let l = 0; l < net.layers.length; l++) {
      const { units, inputs: width, weightOffset: wo, biasOffset: bo, activation, activationParam } = net.layers[l];
      const x = this.x[l];
      for (let i = 0; i < samples; i++) {
        const row = i * width;
        const out = i * units;
        for (let j = 0; j < units; j++) {
          // x_{j,i} = sum_k w_{jk} * input_{k,i} + b_j
          let s = p[bo + j];
          const w = wo + j * width;
          for (let k = 0; k < width; k++) s += p[w + k] * input[row + k];
          x[out + j] = s;
        }
      }
      activateBuffer(activation, x, this.y[l], samples * units, activationParam);
      input = this.y[l];
    }
    const last = net.layers.length - 1;
    return lossAndGradient(net.loss, this.y[last], this.targets, this.dy[last], samples, net.outputNames.length);
  }

  private backward(): void {
    const net = this.network;
    const samples = this.batchCount;
    const p = this.params;
    const g = this.gradients;
    for (let l = net.layers.length - 1; l >= 0; l--) {
      const { units, inputs: width, weightOffset: wo, biasOffset: bo, activation, activationParam } = net.layers[l];
      const dx = this.dx[l];
      // dLoss/dx_{j,i} = dLoss/dy_{j,i} x f'(x_{j,i})
      backpropActivation(activation, this.x[l], this.y[l], this.dy[l], dx, samples * units, activationParam);
      const input = l === 0 ? this.inputs : this.y[l - 1];
      // dLoss/dw_{jk} = sum_i dLoss/dx_{j,i} x input_{k,i};  dLoss/db_j = sum_i dLoss/dx_{j,i} x 1
      for (let j = 0; j < units; j++) {
        let gb = 0;
        const w = wo + j * width;
        for (let k = 0; k < width; k++) g[w + k] = 0;
        for (let i = 0; i < samples; i++) {
          const d = dx[i * units + j];
          gb += d;
          const row = i * width;
          for (let k = 0; k < width; k++) g[w + k] += d * input[row + k];
        }
        g[bo + j] = gb;
      }
      if (l === 0) break;
      // dLoss/dy^{(l-1)}_{k,i} = sum_j w_{jk} x dLoss/dx_{j,i}: the sum over paths 3Blue1Brown draws.
      const dyPrev = this.dy[l - 1];
      for (let i = 0; i < samples; i++) {
        const row = i * width;
        const out = i * units;
        for (let k = 0; k < width; k++) {
          let s = 0;
          for (let j = 0; j < units; j++) s += p[wo + j * width + k] * dx[out + j];
          dyPrev[row + k] = s;
        }
      }
    }
  }
}

/** The WebAssembly engine for `network`; null (the TypeScript path) where it cannot run, unless `required`. */
function wasmEngine(network: Network, required: boolean, stateLength: number, batchRows: number): WasmEngine | null {
  try {
    const engine = createWasmEngine(network, stateLength, batchRows);
    if (engine === null && required) throw new Error('WebAssembly SIMD is not available here');
    return engine;
  } catch (e) {
    // Too large for one memory, or out of memory: the TypeScript path still works.
    if (required) throw e;
    return null;
  }
}

/**
 * One scratch trainer per network for whatever looks at other parameter values than a run's own
 * (finite differences, the charts' sweeps and the Hessian): a WebAssembly trainer costs an instance
 * and a memory to create, far more than the forward passes asked of it. Weak, so the scratch goes
 * when the network does.
 */
const scratchTrainers = new WeakMap<Network, Trainer>();

/** The network's scratch trainer, at `params`: the caller's trainer keeps its cached values. */
export function scratchTrainer(network: Network, params: ArrayLike<number>): Trainer {
  if (params.length !== network.parameterCount) throw new RangeError(`expected ${network.parameterCount} parameters, got ${params.length}`);
  let scratch = scratchTrainers.get(network);
  if (scratch === undefined) {
    scratch = new Trainer(network, Float64Array.from(params));
    scratchTrainers.set(network, scratch);
  } else scratch.setParameters(params);
  scratch.allSamples = true;
  return scratch;
}

/** A network whose training set is `data` (the validation set's trainer), everything else `network`'s. */
const validationNetworks = new WeakMap<Network, Network>();

/**
 * The loss over the validation set at `params` (the regularization penalty included, as in the
 * training loss), or NaN when the network has none.
 */
export function validationLoss(network: Network, params: ArrayLike<number>): number {
  const data: Dataset | null = network.validation;
  if (data === null) return NaN;
  let held = validationNetworks.get(network);
  if (held === undefined) {
    held = { ...network, data, validation: null, training: { ...network.training, batchSize: null } };
    validationNetworks.set(network, held);
  }
  return scratchTrainer(held, params).lossOnly();
}

/**
 * The central finite-difference estimate (L(p + h) - L(p - h)) / 2h of dLoss/dparameter, the
 * independent check shown beside every chain-rule derivative. Uses its own scratch trainer so the
 * caller's cached values stay valid.
 */
export function finiteDifference(network: Network, params: ArrayLike<number>, index: number, h?: number, atStep?: number): number {
  const scratch = scratchTrainer(network, params);
  // The gradient it checks came from a step's batch: the same samples, or every sample.
  scratch.allSamples = atStep === undefined;
  if (atStep !== undefined) scratch.stepCount = atStep;
  const base = scratch.params[index];
  const step = h ?? 1e-5 * Math.max(1, Math.abs(base));
  scratch.params[index] = base + step;
  scratch.invalidate();
  const up = scratch.lossOnly();
  scratch.params[index] = base - step;
  scratch.invalidate();
  const down = scratch.lossOnly();
  return (up - down) / (2 * step);
}
