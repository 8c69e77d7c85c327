/**
 * The chain-rule breakdown of one parameter's derivative, recorded at every step: for each sample
 * i, the three factors StatQuest multiplies and their product,
 *
 *   dLoss/dparam = sum_i dLoss/dy_{j,i} x dy_{j,i}/dx_{j,i} x dx_{j,i}/dparam
 *
 * where unit j is the one the parameter feeds (dLoss/dy already sums every path to the loss: the
 * explainer spells those paths out; this records what they add up to). A ring keeps the latest
 * `capacity` steps, so the cost is two to three loads and stores per sample per step and the memory is
 * fixed; the factors are worked out when the rows are read.
 */
import { type Activation, activate, activationSlope } from './math';
import type { ParameterInfo } from './network';
import type { Trainer } from './train';

/** dLoss/dy, dy/dx, dx/dparam and their product: the term. */
export const TRACE_FACTORS = 4;
/**
 * What record() stores per sample: dLoss/dy, dLoss/dx, dx/dparam (where it changes from step to
 * step) and x (where dy is 0). The factors are derived when read, so a step costs loads and stores.
 */
const STORED = 4;

export interface TraceRow {
  /** The step whose update this derivative drove (its state is step - 1). */
  step: number;
  /** Per sample: [dLoss/dy, dy/dx, dx/dparam, term]. */
  samples: number[][];
  /** The sum of the terms: the derivative. */
  derivative: number;
}

export class ChainRuleTrace {
  readonly capacity: number;
  /** [capacity][samples][STORED]: dLoss/dy, dLoss/dx, dx/dparam, x (see STORED). */
  private readonly values: Float64Array;
  /** The step recorded in each slot. */
  readonly steps: Float64Array;
  /** How many steps have been recorded (the ring holds the latest min(count, capacity)). */
  count = 0;
  // What record() reads, looked up once: the trainer's buffers never move.
  private readonly samples: number;
  private readonly units: number;
  private readonly width: number;
  private readonly activation: Activation;
  private readonly activationParam: number;
  private readonly x: Float64Array;
  private readonly dx: Float64Array;
  private readonly dy: Float64Array;
  private readonly input: Float64Array;
  private slot = 0;
  private readonly localChanges: boolean;

  constructor(private readonly trainer: Trainer, readonly parameter: ParameterInfo, capacity = 1024) {
    this.capacity = Math.max(1, Math.floor(capacity));
    const net = trainer.network;
    const l = parameter.layer - 1;
    this.samples = net.data.samples;
    this.units = net.layers[l].units;
    this.width = net.layers[l].inputs;
    this.activation = net.layers[l].activation;
    this.activationParam = net.layers[l].activationParam;
    this.x = trainer.x[l];
    this.dx = trainer.dx[l];
    this.dy = trainer.dy[l];
    this.input = l === 0 ? net.data.inputs : trainer.y[l - 1];
    this.localChanges = l > 0 && parameter.input >= 0;
    this.values = new Float64Array(this.capacity * this.samples * STORED);
    this.steps = new Float64Array(this.capacity);
  }

  /**
   * Records the breakdown the trainer's buffers hold: call it after `trainer.step()` (the
   * derivative that drove that step) or after `evaluate()`.
   */
  record(): void {
    const { samples, units, width, x, dx, dy, input, values: v } = this;
    const j = this.parameter.unit;
    const k = this.parameter.input;
    // A bias's dx/dparam is 1 and a first-layer weight's is the data: neither changes, so neither is stored.
    const localChanges = this.localChanges;
    let at = this.slot * samples * STORED;
    for (let i = 0, u = j; i < samples; i++, u += units) {
      const d = dy[u];
      v[at] = d;
      v[at + 1] = dx[u];
      if (localChanges) v[at + 2] = input[i * width + k];
      // x only matters where dy is 0 (see rows()).
      if (d === 0) v[at + 3] = x[u];
      at += STORED;
    }
    this.steps[this.slot] = this.trainer.stepCount;
    if (++this.slot === this.capacity) this.slot = 0;
    this.count++;
  }

  /** The latest `n` recorded rows, oldest first (allocates: for display, not for the loop). */
  rows(n = this.capacity): TraceRow[] {
    const samples = this.trainer.network.data.samples;
    const kept = Math.min(this.count, this.capacity, n);
    const out: TraceRow[] = [];
    for (let r = this.count - kept; r < this.count; r++) {
      const slot = r % this.capacity;
      const rows: number[][] = [];
      let derivative = 0;
      for (let i = 0; i < samples; i++) {
        const at = (slot * samples + i) * STORED;
        const v = this.values;
        const [upstream, dLossDx, x] = [v[at], v[at + 1], v[at + 3]];
        const k = this.parameter.input;
        const local = this.localChanges ? v[at + 2] : k < 0 ? 1 : this.input[i * this.width + k];
        // dx = dy x f'(x) came from the backward pass; dividing it back out is f'(x) to within a
        // rounding. Where dy is 0 the quotient says nothing: ask f' itself.
        const slope = upstream !== 0 ? dLossDx / upstream : activationSlope(this.activation, x, activate(this.activation, x, this.activationParam), this.activationParam);
        const term = dLossDx * local;
        rows.push([upstream, slope, local, term]);
        derivative += term;
      }
      out.push({ step: this.steps[slot], samples: rows, derivative });
    }
    return out;
  }
}
