/**
 * The WebAssembly SIMD training engine (asm/engine.ts, compiled at build time into
 * engine.wasm.generated.ts). The module is decoded and compiled once, on first use; each Trainer
 * gets its own instance over its own memory, sized exactly for the network and never grown, so
 * the Float64Array views handed out here stay valid for the Trainer's lifetime.
 */
import { ACTIVATIONS, LOSSES } from './math';
import type { Network } from './network';
import { ENGINE_HEAP_BASE, ENGINE_WASM_BASE64 } from './engine.wasm.generated';

// The config block: keep in step with the offsets at the top of asm/engine.ts.
const HEADER = 64;
const LAYER = 64;
const H_LR = 0;
const H_LAYERS = 16;
const H_SAMPLES = 20;
const H_LOSS_KIND = 24;
const H_OUTPUTS = 28;
const H_PARAMS = 32;
const H_P = 36;
const H_G = 40;
const H_TRAINABLE = 44;
const H_TARGETS = 48;
const L_UNITS = 0;
const L_INPUTS = 4;
const L_ACT = 8;
const L_W = 12;
const L_B = 16;
const L_GW = 20;
const L_GB = 24;
const L_A = 28;
const L_X = 32;
const L_Y = 36;
const L_DX = 40;
const L_DY = 44;
const L_DA = 48;
/** Leaky ReLU's slope or ELU's alpha, an f64. */
const L_PARAM = 56;
/** The loss step() leaves in the header, as an index into a Float64Array over the header. */
const LOSS_SLOT = 1;
/** Which double of the header is the learning rate (H_LR / 8). */
const LR_SLOT = H_LR / 8;

const PAGE = 65536;
/** 4 GiB less a page: every byte offset fits the module's 32-bit pointers. */
const MAX_PAGES = 65535;

interface EngineExports {
  heapBase(): number;
  forward(cfg: number): number;
  evaluate(cfg: number): number;
  update(cfg: number): number;
  step(cfg: number): number;
  adam(p: number, g: number, m: number, v: number, vmax: number, trainable: number, count: number,
    stepSize: number, rootCorrection2: number, keep: number, w1: number, beta2: number, w2: number, epsilon: number): number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled engine, or null where WebAssembly (with SIMD) is unavailable. */
function engineModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = null;
    try {
      if (typeof WebAssembly === 'object' && typeof atob === 'function') {
        const text = atob(ENGINE_WASM_BASE64);
        const bytes = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
        // The module uses SIMD throughout, so validating it is the feature test.
        if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
      }
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Whether Trainers can run on the WebAssembly engine here. */
export function wasmEngineAvailable(): boolean {
  return engineModule() !== null;
}

/**
 * One network's buffers in its own instance's memory, and the exported passes bound to them.
 * `forward`, `evaluate` and `step` return what their names say; step() leaves the loss in `loss`.
 */
export class WasmEngine {
  readonly params: Float64Array;
  readonly gradients: Float64Array;
  readonly x: Float64Array[] = [];
  readonly y: Float64Array[] = [];
  readonly dx: Float64Array[] = [];
  readonly dy: Float64Array[] = [];
  /** The config block's first two doubles: learning rate and the loss step() left. */
  private readonly header: Float64Array;
  /** Which parameters the update may change (1) or not (0). */
  private readonly trainable: Uint8Array;
  private readonly cfg: number;
  private readonly exports: EngineExports;

  /** The whole state vector (parameters, then the optimizer's buffers): `params` is its start. */
  readonly state: Float64Array;
  /** The header's view, for pointing the passes at the whole training set or at a batch. */
  private readonly view: DataView;
  private readonly inputsAt: number;
  private readonly targetsAt: number;
  private readonly batchInputsAt: number;
  private readonly batchTargetsAt: number;
  private readonly batchInputs: Float64Array;
  private readonly batchTargets: Float64Array;
  private readonly allInputs: Float64Array;
  private readonly allTargets: Float64Array;
  private readonly nIn: number;
  private readonly nOut: number;
  /** Byte addresses of the state vector, the gradients and the trainable mask (for the optimizers' loops). */
  private readonly stateAt: number;
  private readonly gradientsAt: number;
  private readonly trainableAt: number;
  private readonly count: number;

  /**
   * Throws a RangeError when the network does not fit one 32-bit memory. `stateLength` (at least
   * the parameter count) sizes the state vector; `batchRows` the rows a batch copies its samples
   * into (0: the passes only ever see the whole training set).
   */
  constructor(module: WebAssembly.Module, network: Network, stateLength = network.parameterCount, batchRows = 0) {
    const samples = network.data.samples;
    const layers = network.layers;
    const nIn = network.inputNames.length;
    const nOut = network.outputNames.length;
    const count = network.parameterCount;

    let top = align(ENGINE_HEAP_BASE);
    const take = (bytes: number): number => {
      const at = top;
      top = align(top + bytes);
      return at;
    };
    const cfg = take(HEADER + LAYER * layers.length);
    const params = take(8 * stateLength);
    const gradients = take(8 * count);
    const trainable = take(count);
    const inputs = take(8 * samples * nIn);
    const targets = take(8 * samples * nOut);
    const batchInputs = take(8 * batchRows * nIn);
    const batchTargets = take(8 * batchRows * nOut);
    const buffers = layers.map((l) => ({ x: take(8 * samples * l.units), y: take(8 * samples * l.units), dx: take(8 * samples * l.units), dy: take(8 * samples * l.units) }));
    const pages = Math.ceil(top / PAGE);
    if (pages > MAX_PAGES) throw new RangeError(`the network needs ${top} bytes, more than one WebAssembly memory holds`);

    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.exports = instance.exports as unknown as EngineExports;
    if (this.exports.heapBase() !== ENGINE_HEAP_BASE) throw new Error('engine.wasm.generated.ts is out of date: run node scripts/build-wasm.mjs');
    const buffer = memory.buffer;
    const f64 = (at: number, length: number): Float64Array => new Float64Array(buffer, at, length);

    this.cfg = cfg;
    this.header = f64(cfg, 2);
    this.state = f64(params, stateLength);
    this.params = f64(params, count);
    this.gradients = f64(gradients, count);
    this.trainable = new Uint8Array(buffer, trainable, count);
    this.trainable.set(network.training.trainable);
    this.allInputs = f64(inputs, samples * nIn);
    this.allTargets = f64(targets, samples * nOut);
    this.allInputs.set(network.data.inputs);
    this.allTargets.set(network.data.targets);
    this.batchInputs = f64(batchInputs, batchRows * nIn);
    this.batchTargets = f64(batchTargets, batchRows * nOut);
    this.inputsAt = inputs;
    this.targetsAt = targets;
    this.batchInputsAt = batchInputs;
    this.batchTargetsAt = batchTargets;
    this.nIn = nIn;
    this.nOut = nOut;
    this.stateAt = params;
    this.gradientsAt = gradients;
    this.trainableAt = trainable;
    this.count = count;
    layers.forEach((l, i) => {
      const n = samples * l.units;
      this.x.push(f64(buffers[i].x, n));
      this.y.push(f64(buffers[i].y, n));
      this.dx.push(f64(buffers[i].dx, n));
      this.dy.push(f64(buffers[i].dy, n));
    });

    const view = new DataView(buffer, cfg, HEADER + LAYER * layers.length);
    this.view = view;
    const u32 = (at: number, value: number): void => view.setUint32(at, value, true);
    view.setFloat64(H_LR, network.training.learningRate, true);
    u32(H_LAYERS, layers.length);
    u32(H_SAMPLES, samples);
    u32(H_LOSS_KIND, LOSSES.indexOf(network.loss));
    u32(H_OUTPUTS, nOut);
    u32(H_PARAMS, count);
    u32(H_P, params);
    u32(H_G, gradients);
    u32(H_TRAINABLE, trainable);
    u32(H_TARGETS, targets);
    layers.forEach((l, i) => {
      const at = HEADER + LAYER * i;
      u32(at + L_UNITS, l.units);
      u32(at + L_INPUTS, l.inputs);
      u32(at + L_ACT, ACTIVATIONS.indexOf(l.activation));
      u32(at + L_W, params + 8 * l.weightOffset);
      u32(at + L_B, params + 8 * l.biasOffset);
      u32(at + L_GW, gradients + 8 * l.weightOffset);
      u32(at + L_GB, gradients + 8 * l.biasOffset);
      u32(at + L_A, i === 0 ? inputs : buffers[i - 1].y);
      u32(at + L_X, buffers[i].x);
      u32(at + L_Y, buffers[i].y);
      u32(at + L_DX, buffers[i].dx);
      u32(at + L_DY, buffers[i].dy);
      u32(at + L_DA, i === 0 ? 0 : buffers[i - 1].dy);
      view.setFloat64(at + L_PARAM, l.activationParam, true);
    });
  }

  /** New learning rate and trainable mask (an edit of the file's training settings), for the next update. */
  setTraining(learningRate: number, trainable: Uint8Array): void {
    this.header[LR_SLOT] = learningRate;
    this.trainable.set(trainable);
  }

  /**
   * Points the passes at the samples `indices[0..count)` of the training set, copied into the
   * batch rows in that order. Allocates nothing.
   */
  useBatch(indices: Int32Array, count: number): void {
    const { nIn, nOut, allInputs, allTargets, batchInputs, batchTargets } = this;
    for (let r = 0; r < count; r++) {
      const i = indices[r];
      for (let k = 0; k < nIn; k++) batchInputs[r * nIn + k] = allInputs[i * nIn + k];
      for (let k = 0; k < nOut; k++) batchTargets[r * nOut + k] = allTargets[i * nOut + k];
    }
    this.point(count, this.batchInputsAt, this.batchTargetsAt);
  }

  /** Points the passes at the whole training set, in file order. */
  useAll(): void {
    this.point(this.allInputs.length / Math.max(1, this.nIn), this.inputsAt, this.targetsAt);
  }

  private point(samples: number, inputs: number, targets: number): void {
    this.view.setUint32(H_SAMPLES, samples, true);
    this.view.setUint32(H_TARGETS, targets, true);
    this.view.setUint32(HEADER + L_A, inputs, true);
  }

  /**
   * Adam's update in the engine (optimizers.ts adamUpdate's loop, the same operations): the
   * buffers m, v (and vmax) are slots 1, 2 (and 3) of the state vector. Returns the largest move.
   */
  adam(amsgrad: boolean, stepSize: number, rootCorrection2: number, keep: number, w1: number, beta2: number, w2: number, epsilon: number): number {
    const slot = 8 * this.count;
    const p = this.stateAt;
    return this.exports.adam(p, this.gradientsAt, p + slot, p + 2 * slot, amsgrad ? p + 3 * slot : 0, this.trainableAt, this.count, stepSize, rootCorrection2, keep, w1, beta2, w2, epsilon);
  }

  /** Forward pass only; returns the loss. */
  forward(): number {
    return this.exports.forward(this.cfg);
  }

  /** Forward and backward passes; returns the loss. */
  evaluate(): number {
    return this.exports.evaluate(this.cfg);
  }

  /** The update alone, from the gradients in place; returns the largest |step size|. */
  update(): number {
    return this.exports.update(this.cfg);
  }

  /** Evaluate and update in one call; returns the largest |step size|, the loss is then `loss`. */
  step(): number {
    return this.exports.step(this.cfg);
  }

  /** The loss the last step() computed (at the parameters before its update). */
  get loss(): number {
    return this.header[LOSS_SLOT];
  }
}

/** The engine for `network`, or null where WebAssembly SIMD is unavailable. */
export function createWasmEngine(network: Network, stateLength = network.parameterCount, batchRows = 0): WasmEngine | null {
  const module = engineModule();
  return module === null ? null : new WasmEngine(module, network, stateLength, batchRows);
}

/** Rounds up to 16 bytes, for v128 loads; arithmetic, not bit operations, past 2^31. */
function align(n: number): number {
  return Math.ceil(n / 16) * 16;
}
