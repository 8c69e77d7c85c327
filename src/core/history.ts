/**
 * Training history: step back in time without keeping every step's parameters.
 *
 * Full-batch gradient descent is deterministic, so the state after step s is recomputed exactly
 * from the last checkpoint at or before s. What is kept, all inside one byte cap:
 * - the latest `recent` steps' parameters, outright (a quarter of the cap at most): stepping back
 *   a few steps is a copy (not for tiny networks, where recomputing is as quick);
 * - a checkpoint every K steps (half the cap): when checkpoints outgrow their share, every other
 *   one is dropped and K doubles, so the cap holds whatever the step count and stepping back
 *   anywhere costs at most K steps of recomputation;
 * - the loss of every state (a quarter of the cap): when it outgrows its share, every other value
 *   is dropped and the stride doubles, which is what a loss chart needs.
 * State 0 (where the history began) is always kept, so the floor of the cap is two parameter copies.
 *
 * Going back forgets nothing: the state after any step is a function of the state before it, so the
 * future of a step is the same however often it is recomputed, and going forward again (Go to Step,
 * Step) finds it where it was. Only a change of the training settings writes a different future,
 * and that starts a new History.
 *
 * Storage grows by doubling up to its share of the cap and is then reused: `record` allocates
 * nothing in steady state.
 */
import type { Trainer } from './train';

export interface HistoryOptions {
  /** The checkpoint interval K to start with; it doubles each time checkpoints are thinned. */
  checkpointEvery?: number;
  /** The cap on everything the history keeps, in bytes. */
  maxBytes?: number;
  /**
   * How many of the latest steps keep their parameters outright (bounded by a quarter of the cap).
   * By default 256, or none for a network whose step is cheap enough to recompute instead.
   */
  recent?: number;
}

export const HISTORY_DEFAULTS = { checkpointEvery: 64, maxBytes: 64 * 1024 * 1024, recent: 256 } as const;

/** Parameters x samples below which a step is too cheap to be worth a copy of its parameters. */
const CHEAP_STEP = 4096;

/** The loss of states 0, stride, 2 x stride, ...: `values[i]` is the loss after i x stride steps. */
export interface LossSeries {
  stride: number;
  values: Float64Array;
}

export class History {
  private readonly size: number;
  private cap: number;
  /** How many recent steps were asked for (the cap may allow fewer). */
  private readonly recentWanted: number;
  /** The state the history began at, and its step number. */
  private readonly base: Float64Array;
  readonly baseStep: number;
  /** The furthest step recorded; states baseStep..latest are reachable, wherever the trainer is. */
  latest: number;

  // The parameters of the steps last visited: step s lives in slot s % recentSlots for s in
  // recentFrom..recentTo (at most recentSlots of them, the latest the trainer has been at).
  private recentSlots: number;
  private recentParams: Float64Array;
  private recentFrom: number;
  private recentTo: number;
  /** The next step that gets a checkpoint, and the next state whose loss the series keeps. */
  private nextCheckpoint: number;
  private nextLossState: number;

  // Checkpoints: step numbers ascending, parameters in the same order.
  private checkpointEvery: number;
  private checkpointLimit: number;
  private checkpointSteps: Float64Array;
  private checkpointParams: Float64Array;
  private checkpointCount = 0;

  // The loss of state i x lossStride at lossValues[i], for the first lossCount states.
  private lossStride = 1;
  private lossLimit: number;
  private lossValues: Float64Array;
  private lossCount = 0;

  constructor(private readonly trainer: Trainer, options: HistoryOptions = {}) {
    // A state is the trainer's whole state vector: the parameters and the optimizer's buffers.
    const size = trainer.state.length;
    this.size = size;
    const bytesPerState = size * 8;
    this.cap = Math.max(options.maxBytes ?? HISTORY_DEFAULTS.maxBytes, 2 * bytesPerState + 1024);
    this.checkpointEvery = Math.max(1, Math.floor(options.checkpointEvery ?? HISTORY_DEFAULTS.checkpointEvery));
    this.base = Float64Array.from(trainer.state);
    this.baseStep = trainer.stepCount;
    this.latest = trainer.stepCount;

    const budget = this.cap - bytesPerState;
    // Where a step costs little more than copying the parameters (a teaching network), recomputing up
    // to K steps takes microseconds and the recent copies would only slow every step down.
    const cheap = size * trainer.network.data.samples < CHEAP_STEP;
    const recent = options.recent ?? (cheap ? 0 : HISTORY_DEFAULTS.recent);
    this.recentWanted = recent;
    this.recentSlots = Math.max(0, Math.min(recent, Math.floor(budget / 4 / bytesPerState)));
    this.recentParams = new Float64Array(this.recentSlots * size);
    // The ring starts with the base state.
    this.recentFrom = this.latest;
    this.recentTo = this.latest;
    if (this.recentSlots > 0) this.recentParams.set(this.base, (this.latest % this.recentSlots) * size);
    this.nextCheckpoint = this.baseStep + this.checkpointEvery;
    this.nextLossState = this.baseStep;
    // A checkpoint costs its parameters and its step number.
    this.checkpointLimit = Math.max(0, Math.floor(budget / 2 / (bytesPerState + 8)));
    this.checkpointSteps = new Float64Array(Math.min(this.checkpointLimit, 16));
    this.checkpointParams = new Float64Array(this.checkpointSteps.length * size);
    this.lossLimit = Math.max(2, Math.floor(budget / 4 / 8));
    this.lossValues = new Float64Array(Math.min(this.lossLimit, 1024));
  }

  /** The parameters the history began at (step baseStep): a view, not to be written. */
  get baseParameters(): Float64Array {
    return this.base.subarray(0, this.trainer.params.length);
  }

  /** Bytes held by the history's buffers (what the cap bounds). */
  get bytes(): number {
    return (this.base.length + this.recentParams.length + this.checkpointParams.length + this.checkpointSteps.length + this.lossValues.length) * 8;
  }

  get maxBytes(): number {
    return this.cap;
  }

  /** The current checkpoint interval: stepping back costs at most this many steps of recomputation. */
  get interval(): number {
    return this.checkpointEvery;
  }

  /**
   * Records the step the trainer just took: call it right after `trainer.step()`. A step past the
   * furthest one extends the history (the step's evaluation also gave the loss of the state it
   * started from, which goes into the loss series); a step behind it (after going back) recomputed
   * a state the history already has, and only goes into the ring.
   */
  record(): void {
    const t = this.trainer;
    const s = t.stepCount;
    if (s > this.latest + 1 || s <= this.baseStep) throw new RangeError(`history reaches step ${this.latest}; cannot record step ${s}`);
    if (this.recentSlots > 0) this.keepRecent(s, t.state);
    if (s <= this.latest) return;
    this.latest = s;
    if (s - 1 === this.nextLossState) this.pushLoss(s - 1, t.loss);
    if (s === this.nextCheckpoint) this.pushCheckpoint(s, t.state);
  }

  /** Puts step s's parameters in the ring: the next after the ring's last, or a ring of its own. */
  private keepRecent(s: number, params: Float64Array): void {
    // A step already in the ring holds these very parameters (steps are deterministic).
    if (s >= this.recentFrom && s <= this.recentTo) return;
    if (s === this.recentTo + 1) {
      this.recentTo = s;
      if (s - this.recentFrom >= this.recentSlots) this.recentFrom = s - this.recentSlots + 1;
    } else {
      this.recentFrom = s;
      this.recentTo = s;
    }
    copy(params, this.recentParams, (s % this.recentSlots) * this.size, this.size);
  }

  private inRing(step: number): boolean {
    return this.recentSlots > 0 && step >= this.recentFrom && step <= this.recentTo;
  }

  /** The loss of every recorded state, at the current stride (a view: copy it to keep it). */
  losses(): LossSeries {
    return { stride: this.lossStride, values: this.lossValues.subarray(0, this.lossCount) };
  }

  /**
   * Puts the trainer at the state after `step` steps, any step from the first to the furthest (the
   * steps after it stay: going forward again finds them). Returns how many steps were recomputed.
   */
  restore(step: number): number {
    return drain(this.restoring(step));
  }

  /**
   * restore() one recomputed step at a time: yields after each step how far it has got (0..1), so
   * a caller can work a long replay (a large network, a wide checkpoint interval) in slices and
   * stop between them. Abandoned half way, it leaves the trainer at an earlier state of this history.
   */
  *restoring(step: number): Generator<number, number, void> {
    this.check(step);
    const t = this.trainer;
    if (this.putFromRing(t, step)) return 0;
    const { step: from, params: source } = this.checkpointAtOrBefore(step);
    t.setState(source);
    t.stepCount = from;
    // Refill the ring on the way, so stepping back again from here is a copy.
    const keepFrom = Math.max(from, step - this.recentSlots + 1);
    if (this.recentSlots > 0 && from >= keepFrom) this.keepRecent(from, t.state);
    while (t.stepCount < step) {
      t.step();
      const s = t.stepCount;
      if (this.recentSlots > 0 && s >= keepFrom) this.keepRecent(s, t.state);
      yield (s - from) / (step - from);
    }
    t.lastStepSize = 0;
    return step - from;
  }

  /**
   * Puts `scratch` (another trainer of the same network) at the state after `step` steps, leaving
   * this history and its own trainer as they are: for looking back (Reverse Continue searches the
   * past on a scratch trainer). Returns how many steps were recomputed.
   */
  stateAt(step: number, scratch: Trainer): number {
    return drain(this.stateAtSteps(step, scratch));
  }

  /** stateAt() one recomputed step at a time (see restoring). */
  *stateAtSteps(step: number, scratch: Trainer): Generator<number, number, void> {
    this.check(step);
    if (this.putFromRing(scratch, step)) return 0;
    const from = this.checkpointAtOrBefore(step);
    scratch.setState(from.params);
    scratch.stepCount = from.step;
    while (scratch.stepCount < step) {
      scratch.step();
      yield (scratch.stepCount - from.step) / (step - from.step);
    }
    scratch.lastStepSize = 0;
    return step - from.step;
  }

  private check(step: number): void {
    if (!Number.isInteger(step) || step < this.baseStep || step > this.latest) {
      throw new RangeError(`step ${step} is outside the history (${this.baseStep}..${this.latest})`);
    }
  }

  /** Puts `t` at `step` straight from the ring of recent states, when the ring holds it. */
  private putFromRing(t: Trainer, step: number): boolean {
    if (!this.inRing(step)) return false;
    const at = (step % this.recentSlots) * this.size;
    t.setState(this.recentParams.subarray(at, at + this.size));
    t.stepCount = step;
    t.lastStepSize = 0;
    return true;
  }

  /** The latest checkpoint at or before `step` (the base state if none). */
  private checkpointAtOrBefore(step: number): { step: number; params: Float64Array } {
    for (let i = this.checkpointCount - 1; i >= 0; i--) {
      if (this.checkpointSteps[i] <= step) return { step: this.checkpointSteps[i], params: this.checkpointParams.subarray(i * this.size, (i + 1) * this.size) };
    }
    return { step: this.baseStep, params: this.base };
  }

  /** The steps that have checkpoints, ascending, from the base: where a search of the past can start. */
  checkpoints(): number[] {
    return [this.baseStep, ...Array.from(this.checkpointSteps.subarray(0, this.checkpointCount))];
  }

  /** Appends the loss of state nextLossState, halving the series' resolution when it is full. */
  private pushLoss(state: number, loss: number): void {
    if (this.lossCount === this.lossValues.length) {
      if (this.lossValues.length < this.lossLimit) {
        this.lossValues = grow(this.lossValues, Math.min(this.lossLimit, this.lossValues.length * 2));
      } else {
        this.thinLosses();
        if (state !== this.nextLossState) return;
      }
    }
    this.lossValues[this.lossCount++] = loss;
    this.nextLossState = state + this.lossStride;
  }

  private pushCheckpoint(step: number, params: Float64Array): void {
    if (this.checkpointLimit === 0) { this.nextCheckpoint = Infinity; return; }
    if (this.checkpointCount === this.checkpointSteps.length) {
      if (this.checkpointSteps.length < this.checkpointLimit) {
        const capacity = Math.min(this.checkpointLimit, this.checkpointSteps.length * 2);
        this.checkpointSteps = grow(this.checkpointSteps, capacity);
        this.checkpointParams = grow(this.checkpointParams, capacity * this.size);
      } else {
        this.thinCheckpoints();
        this.nextCheckpoint = this.baseStep + (Math.floor((step - this.baseStep) / this.checkpointEvery) + 1) * this.checkpointEvery;
        if ((step - this.baseStep) % this.checkpointEvery !== 0) return;
      }
    }
    this.nextCheckpoint = step + this.checkpointEvery;
    this.checkpointSteps[this.checkpointCount] = step;
    copy(params, this.checkpointParams, this.checkpointCount * this.size, this.size);
    this.checkpointCount++;
  }

  /** Keeps the loss of states 0, 2 x stride, 4 x stride, ...: the stride doubles. */
  private thinLosses(): void {
    const v = this.lossValues;
    let n = 0;
    for (let i = 0; i < this.lossCount; i += 2) v[n++] = v[i];
    this.lossCount = n;
    this.lossStride *= 2;
    this.nextLossState = this.baseStep + n * this.lossStride;
  }

  /**
   * Sets a new cap (the worker shares one budget among the runs it holds, so each run's share
   * changes as files open and close). A lower cap thins what is kept as record() would have: the
   * checkpoints (K doubles), the loss series (its stride doubles) and the ring of recent steps
   * (the latest stay); nothing is recomputed and every step stays reachable.
   */
  setMaxBytes(maxBytes: number): void {
    const bytesPerState = this.size * 8;
    this.cap = Math.max(maxBytes, 2 * bytesPerState + 1024);
    const budget = this.cap - bytesPerState;
    const slots = Math.max(0, Math.min(this.recentWanted, Math.floor(budget / 4 / bytesPerState)));
    if (slots !== this.recentSlots) this.resizeRing(slots);
    this.checkpointLimit = Math.max(0, Math.floor(budget / 2 / (bytesPerState + 8)));
    while (this.checkpointCount > this.checkpointLimit) this.thinCheckpoints();
    if (this.checkpointSteps.length > this.checkpointLimit) {
      this.checkpointSteps = this.checkpointSteps.slice(0, this.checkpointLimit);
      this.checkpointParams = this.checkpointParams.slice(0, this.checkpointLimit * this.size);
    }
    const since = this.latest - this.baseStep;
    this.nextCheckpoint = this.checkpointLimit === 0 ? Infinity : this.baseStep + (Math.floor(since / this.checkpointEvery) + 1) * this.checkpointEvery;
    this.lossLimit = Math.max(2, Math.floor(budget / 4 / 8));
    while (this.lossCount > this.lossLimit) this.thinLosses();
    if (this.lossValues.length > this.lossLimit) this.lossValues = this.lossValues.slice(0, this.lossLimit);
  }

  /** A ring of `slots` recent steps, keeping the latest of those the old ring held. */
  private resizeRing(slots: number): void {
    const old = this.recentParams;
    const oldSlots = this.recentSlots;
    this.recentSlots = slots;
    this.recentParams = new Float64Array(slots * this.size);
    if (oldSlots === 0 || slots === 0) {
      // Empty (from past to) until the next step is kept.
      this.recentTo = this.latest;
      this.recentFrom = this.latest + 1;
      return;
    }
    const from = Math.max(this.recentFrom, this.recentTo - slots + 1);
    for (let s = from; s <= this.recentTo; s++) {
      const at = (s % oldSlots) * this.size;
      this.recentParams.set(old.subarray(at, at + this.size), (s % slots) * this.size);
    }
    this.recentFrom = from;
  }

  /** Doubles K and keeps only the checkpoints on the new grid. */
  private thinCheckpoints(): void {
    this.checkpointEvery *= 2;
    let n = 0;
    for (let i = 0; i < this.checkpointCount; i++) {
      const s = this.checkpointSteps[i];
      if ((s - this.baseStep) % this.checkpointEvery !== 0) continue;
      if (n !== i) {
        this.checkpointSteps[n] = s;
        this.checkpointParams.copyWithin(n * this.size, i * this.size, (i + 1) * this.size);
      }
      n++;
    }
    this.checkpointCount = n;
  }
}

/** to[at..at+n) = from[0..n): a plain loop for the few parameters of a teaching network, where set() costs more than the copy. */
function copy(from: Float64Array, to: Float64Array, at: number, n: number): void {
  if (n > 32) { to.set(from, at); return; }
  for (let i = 0; i < n; i++) to[at + i] = from[i];
}

/** Runs a generator to its end; its return value. */
export function drain<R>(work: Iterator<unknown, R>): R {
  for (;;) {
    const r = work.next();
    if (r.done) return r.value;
  }
}

function grow(from: Float64Array, length: number): Float64Array {
  const to = new Float64Array(length);
  to.set(from);
  return to;
}
