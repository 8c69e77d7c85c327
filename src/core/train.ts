/**
 * Forward pass, backward pass and gradient descent over one network. A Trainer owns every buffer
 * it needs, allocated once in the constructor; `evaluate` and `step` allocate nothing, so Continue
 * can run millions of steps without feeding the garbage collector.
 *
 * Two engines compute the same numbers: the WebAssembly SIMD engine (./engine), the default where
 * the platform has it, and the TypeScript loops below, the reference the engine is tested against.
 */
import { createWasmEngine, type WasmEngine } from './engine';
import { activateBuffer, backpropActivation, lossAndGradient } from './math';
import type { Network } from './network';

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
  /** Whether x, y, dx, dy, gradients and loss describe the current `params`. */
  private fresh = false;
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
    this.wasm = wanted === 'js' ? null : wasmEngine(network, wanted === 'wasm');
    const n = network.data.samples;
    if (this.wasm !== null) {
      this.engine = 'wasm';
      this.params = this.wasm.params;
      this.params.set(initial);
      this.gradients = this.wasm.gradients;
      this.x = this.wasm.x;
      this.y = this.wasm.y;
      this.dx = this.wasm.dx;
      this.dy = this.wasm.dy;
    } else {
      this.engine = 'js';
      this.params = Float64Array.from(initial);
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
    this.net = network;
    this.wasm?.setTraining(network.training.learningRate, network.training.trainable);
  }

  /** Replaces the parameters (for instance after an edit or a step back in time). */
  setParameters(values: ArrayLike<number>): void {
    this.params.set(values);
    this.fresh = false;
  }

  /** Marks cached values stale after someone wrote into `params` directly. */
  invalidate(): void {
    this.fresh = false;
  }

  /** Runs the forward and backward passes at the current parameters; returns the loss. */
  evaluate(): number {
    if (this.fresh) return this.loss;
    if (this.wasm !== null) this.loss = this.wasm.evaluate();
    else {
      this.forward();
      this.backward();
    }
    this.fresh = true;
    return this.loss;
  }

  /** The loss at the current parameters, forward pass only (gradients are left stale). */
  lossOnly(): number {
    if (this.fresh) return this.loss;
    if (this.wasm !== null) this.loss = this.wasm.forward();
    else this.forward();
    return this.loss;
  }

  /**
   * One step of gradient descent (StatQuest's rule): step size = learning rate x derivative,
   * new value = old value - step size, for every trainable parameter. Returns the largest |step size|.
   */
  step(): number {
    const largest = this.wasm !== null ? this.wasmStep(this.wasm) : this.jsStep();
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
    const net = this.network;
    const samples = net.data.samples;
    const p = this.params;
    let input = net.data.inputs;
    for (let l = 0; l < net.layers.length; l++) {
      const { units, inputs: width, weightOffset: wo, biasOffset: bo, activation } = net.layers[l];
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
      activateBuffer(activation, x, this.y[l], samples * units);
      input = this.y[l];
    }
    const last = net.layers.length - 1;
    this.loss = lossAndGradient(net.loss, this.y[last], net.data.targets, this.dy[last], samples, net.outputNames.length);
  }

  private backward(): void {
    const net = this.network;
    const samples = net.data.samples;
    const p = this.params;
    const g = this.gradients;
    for (let l = net.layers.length - 1; l >= 0; l--) {
      const { units, inputs: width, weightOffset: wo, biasOffset: bo, activation } = net.layers[l];
      const dx = this.dx[l];
      // dLoss/dx_{j,i} = dLoss/dy_{j,i} x f'(x_{j,i})
      backpropActivation(activation, this.x[l], this.y[l], this.dy[l], dx, samples * units);
      const input = l === 0 ? net.data.inputs : this.y[l - 1];
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
function wasmEngine(network: Network, required: boolean): WasmEngine | null {
  try {
    const engine = createWasmEngine(network);
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
  return scratch;
}

/**
 * The central finite-difference estimate (L(p + h) - L(p - h)) / 2h of dLoss/dparameter, the
 * independent check shown beside every chain-rule derivative. Uses its own scratch trainer so the
 * caller's cached values stay valid.
 */
export function finiteDifference(network: Network, params: ArrayLike<number>, index: number, h?: number): number {
  const scratch = scratchTrainer(network, params);
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
